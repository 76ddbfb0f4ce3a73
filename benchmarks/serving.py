"""The inference server, side by side with MLServer on the same model: `run.py --only serve`.

For the default bake (logistic regression) and the 50,000-row random forest, each released as
v0.1.0, three servers serve the same fitted pipeline, one after the other, each going first in
turn: `<slug> serve --model <bundle>` as it starts by default, the same with `--batch-ms 5`, and
MLServer 1.7.1 (mlserver-sklearn, in its own venv, from a joblib copy of the pipeline as it
loads no skops) with its adaptive batching at the same 5 ms. All get the same Open Inference
Protocol v2 request, one complete held-out row asking for the prediction and the class
probabilities, from a bounded load on 127.0.0.1. Measured per server: cold start (spawn to the
first 200), p99 at one client, throughput and p99 at eight. Ours also: failed requests across a
SIGHUP swap under eight clients, and the image's size (built with podman on a local Debian base,
where podman and mmdebstrap exist).

The yardstick for one-client latency is the pipeline's own predict + predict_proba on one row,
in-process, in the project's environment.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from run import (
    SLUG,
    Bench,
    Figure,
    MeasureError,
    absolute,
    bake,
    commit,
    compose,
    make,
    make_csv,
    median,
    timed,
    use_csv,
)

# uvloop 0.22 and later break MLServer 1.7.1's inference workers (no current event loop); pyyaml:
# the project's features module, which the pipeline's own steps come from, imports it.
MLSERVER = ("mlserver==1.7.1", "mlserver-sklearn==1.7.1", "uvloop==0.21.0", "pyyaml==6.0.3")
ROWS = 200  # distinct held-out rows the clients cycle through
ONE_CLIENT = {"clients": 1, "requests": 400, "seconds": 10.0}
EIGHT_CLIENTS = {"clients": 8, "requests": 4000, "seconds": 15.0}
SWAP_SECONDS, COLD_LIMIT = 8.0, 5.0
BATCH_MS = 5  # both servers wait this long for more rows: `--batch-ms 5`, MLServer's max_batch_time 0.005
INFER = f"/v2/models/{SLUG}/infer"
LOCAL_BASE = "localhost/bench-bookworm-python"
CONTAINERS_CONF = Path(__file__).resolve().parent.parent / "tests" / "containers.conf"

# The in-process yardstick: the fitted pipeline on one row, timed in the project's environment.
IN_PROCESS = """
import json, sys, time
import pandas as pd
from {package}.ops.registry.bundle import load_model
model = load_model(sys.argv[1]).model
rows = [pd.DataFrame([row]) for row in json.load(open(sys.argv[2]))]
seconds = []
for index in range(600):
    frame = rows[index % len(rows)]
    start = time.perf_counter()
    model.predict(frame)
    model.predict_proba(frame)
    seconds.append(time.perf_counter() - start)
print(json.dumps(seconds[100:]))
"""
# The held-out rows with no gap (JSON has no NaN), in the bundle's feature columns.
ROWS_SCRIPT = """
import sys
from pathlib import Path
import pandas as pd
from {package}.ops.registry.bundle import check_bundle
names = [feature["name"] for feature in check_bundle(Path(sys.argv[1]))[0]["features"]]
frame = pd.read_parquet("data/prepared/test.parquet")[names].dropna().head({rows})
frame.to_json(sys.argv[2], orient="records")
"""
# MLServer loads a joblib file: a copy of the bundle's model, made here from the verified bundle.
TO_JOBLIB = """
import sys, joblib
from {package}.ops.registry.bundle import load_model
joblib.dump(load_model(sys.argv[1]).model, sys.argv[2])
"""


@dataclass
class Load:
    """A bounded load: latencies of the answers that were 200, and the rest counted as failures."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000


@dataclass
class Served:
    """One server's figures in one run."""

    cold_s: float
    one: Load
    eight: Load


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def v2_body(row: dict[str, object]) -> dict[str, object]:
    """One row as V2 input tensors, one per column, that both servers read as a pandas frame."""
    inputs = [
        {"name": name, "shape": [1], "datatype": "BYTES" if isinstance(value, str) else "FP64", "data": [value]}
        for name, value in row.items()
    ]
    outputs = [{"name": "predict"}, {"name": "predict_proba"}]
    return {"parameters": {"content_type": "pd"}, "inputs": inputs, "outputs": outputs}


def load(url: str, bodies: list[dict[str, object]], clients: int, requests: int, seconds: float) -> Load:
    """`clients` threads, each on one keep-alive connection, until `requests` are sent or `seconds` pass."""
    lock, sent = threading.Lock(), [0]
    results: list[Load] = [Load(0.0) for _ in range(clients)]
    deadline = time.monotonic() + seconds

    def client(result: Load) -> None:
        with httpx.Client(timeout=10) as http:
            while time.monotonic() < deadline:
                with lock:
                    if sent[0] >= requests:
                        return
                    sent[0] += 1
                    body = bodies[sent[0] % len(bodies)]
                start = time.perf_counter()
                try:
                    answer = http.post(url + INFER, json=body)
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    result.latencies.append(time.perf_counter() - start)
                else:
                    result.failures += 1

    threads = [threading.Thread(target=client, args=(result,)) for result in results]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Load(time.perf_counter() - start)
    for result in results:
        total.latencies += result.latencies
        total.failures += result.failures
    return total


def first_answer(url: str, body: dict[str, object], process: subprocess.Popen[bytes], limit: float = 120) -> None:
    """Wait until the server answers an inference with 200 (or fails, or `limit` seconds pass)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MeasureError(f"the server exited with {process.returncode} before answering")
        try:
            if httpx.post(url + INFER, json=body, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise MeasureError(f"no answer from {url} within {limit:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_ours(bench: Bench, project: Path, bundle: Path, port: int, batch_ms: float = 0) -> subprocess.Popen[bytes]:
    command = [str(bench.venv / "bin" / SLUG), "serve", "--model", str(bundle), "--port", str(port)]
    command += ["--batch-ms", str(batch_ms)]
    return subprocess.Popen(command, cwd=project, env=bench.env(project), stderr=subprocess.DEVNULL)


def serve_mlserver(venv: Path, project: Path, folder: Path, port: int) -> subprocess.Popen[bytes]:
    settings = {"host": "127.0.0.1", "http_port": port, "grpc_port": free_port(), "metrics_port": free_port()}
    settings["debug"] = False  # its default, True, writes an access log line per request; ours writes none
    (folder / "settings.json").write_text(json.dumps(settings))
    # The pipeline's steps include the project's own transformers: MLServer imports them from src/.
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(project / "src")}
    log = (folder / "mlserver.log").open("wb")
    return subprocess.Popen([str(venv / "bin" / "mlserver"), "start", str(folder)], env=env, stdout=log, stderr=log)


def measured(start: subprocess.Popen[bytes], url: str, bodies: list[dict[str, object]], spawned: float) -> Served:
    try:
        first_answer(url, bodies[0], start)
        cold = time.perf_counter() - spawned
        one = load(url, bodies, **ONE_CLIENT)
        eight = load(url, bodies, **EIGHT_CLIENTS)
    finally:
        stop(start)
    if one.failures or eight.failures:
        raise MeasureError(f"{url}: {one.failures + eight.failures} failed requests under load")
    return Served(cold, one, eight)


def run_ours(bench: Bench, project: Path, bundle: Path, bodies: list[dict[str, object]], batch_ms: float) -> Served:
    port = free_port()
    spawned = time.perf_counter()
    server = serve_ours(bench, project, bundle, port, batch_ms)
    return measured(server, f"http://127.0.0.1:{port}", bodies, spawned)


def run_mlserver(venv: Path, project: Path, folder: Path, bodies: list[dict[str, object]]) -> Served:
    port = free_port()
    spawned = time.perf_counter()
    return measured(serve_mlserver(venv, project, folder, port), f"http://127.0.0.1:{port}", bodies, spawned)


def swap_failures(bench: Bench, project: Path, bundle: Path, bodies: list[dict[str, object]]) -> tuple[int, int]:
    """Eight clients for SWAP_SECONDS, a SIGHUP a third of the way in: (failed, answered)."""
    port = free_port()
    server = serve_ours(bench, project, bundle, port)
    url = f"http://127.0.0.1:{port}"
    try:
        first_answer(url, bodies[0], server)
        timer = threading.Timer(SWAP_SECONDS / 3, server.send_signal, args=(signal.SIGHUP,))
        timer.start()
        swapped = load(url, bodies, clients=8, requests=10**6, seconds=SWAP_SECONDS)
        timer.join()
    finally:
        stop(server)
    return swapped.failures, len(swapped.latencies)


# --- the two models, released ------------------------------------------------------------------


def released(bench: Bench, project: Path, folder: Path) -> tuple[Path, list[dict[str, object]]]:
    """Release the trained project as v0.1.0: its bundle, and ROWS complete held-out rows as V2 bodies."""
    commit(project, "Trained")
    make(bench, project, "release", "VERSION=0.1.0")
    make(bench, project, "bundle", "VERSION=0.1.0")
    bundle = project / "dist" / f"{SLUG}-v0.1.0.tar.gz"
    rows_file = folder / "rows.json"
    script = ROWS_SCRIPT.format(package=SLUG.replace("-", "_"), rows=ROWS)
    timed([bench.python, "-c", script, str(bundle), str(rows_file)], project, bench.env(project))
    rows = json.loads(rows_file.read_text())
    if not rows:
        raise MeasureError(f"{project}: no complete held-out row to send")
    return bundle, [v2_body(row) for row in rows]


def mlserver_folder(bench: Bench, project: Path, bundle: Path, folder: Path) -> Path:
    package = SLUG.replace("-", "_")
    timed([bench.python, "-c", TO_JOBLIB.format(package=package), str(bundle), str(folder / "model.joblib")], project,
          bench.env(project))  # fmt: skip
    settings = {
        "name": SLUG,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib", "version": "v0.1.0"},
        "max_batch_size": 8,  # adaptive batching: up to the eight clients' rows in one call
        "max_batch_time": BATCH_MS / 1000,
    }
    (folder / "model-settings.json").write_text(json.dumps(settings))
    return folder


def in_process(bench: Bench, project: Path, bundle: Path, folder: Path) -> list[float]:
    rows = folder / "rows.json"
    script = IN_PROCESS.format(package=SLUG.replace("-", "_"))
    return json.loads(timed([bench.python, "-c", script, str(bundle), str(rows)], project, bench.env(project)).output)


def mlserver_venv(bench: Bench) -> Path:
    venv = bench.workdir / "mlserver-venv"
    if not venv.exists():
        timed(["uv", "venv", "--quiet", "--python", bench.python, str(venv)], bench.workdir)
        timed(["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *MLSERVER],
              bench.workdir)  # fmt: skip
    return venv


def image_size_mb(bench: Bench, project: Path) -> float | None:
    """The server image of v0.1.0, built with podman on a Debian base made here: its size, MB."""
    if not all(shutil.which(tool) for tool in ("podman", "mmdebstrap")):
        return None
    env = {**bench.env(project), "CONTAINERS_CONF": str(CONTAINERS_CONF), "CONTAINER_ENGINE": "podman"}
    if subprocess.run(["podman", "image", "exists", LOCAL_BASE], env=env).returncode != 0:
        rootfs = bench.workdir / "rootfs.tar"
        packages = "--include=python3,python3-venv,ca-certificates"
        timed(["mmdebstrap", "--quiet", "--variant=minbase", packages, "bookworm", str(rootfs)], bench.workdir)
        timed(["podman", "import", str(rootfs), LOCAL_BASE], bench.workdir, env)
    built = timed(["make", "image", "VERSION=0.1.0", f"BASE_IMAGE={LOCAL_BASE}", f"VENV={bench.venv}"], project, env)
    image = built.output.strip().splitlines()[-1]
    size = timed(["podman", "image", "inspect", "--format", "{{.Size}}", image], project, env).output.strip()
    timed(["podman", "rmi", "--force", image], project, env)
    return int(size) / 1e6


def trained(bench: Bench, kind: str) -> Path:
    if kind == "default":
        project, _ = bake(bench)
        make(bench, project, "setup", "repro")
        return project
    project, _ = bake(bench, "dataset=csv")
    use_csv(bench, project, make_csv(bench, "real.csv", bench.sizes.real_rows, bench.sizes.real_columns))
    compose(bench, project, bench.sizes.real_model)
    make(bench, project, "setup", "repro")
    return project


PREDICT_LIMIT = 2.0  # seconds for `<slug> predict` on a few rows: a command that answers at once


def measure_predict(bench: Bench) -> Figure:
    """`<slug> predict` on 5 held-out rows of the released default model: the whole command, start-up included."""
    project = trained(bench, "default")
    folder = bench.workdir / "predict"
    folder.mkdir()
    bundle, _ = released(bench, project, folder)
    rows = json.loads((folder / "rows.json").read_text())[:5]
    five = folder / "five.csv"
    with five.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    command = [str(bench.venv / "bin" / SLUG), "predict", "--model", str(bundle), "--input", str(five),
               "--output", str(folder / "predicted.csv")]  # fmt: skip
    seconds = [timed(command, project, bench.env(project)).seconds for _ in range(bench.runs)]
    return absolute("predict, 5 rows", seconds, PREDICT_LIMIT, "s", "whole command: start-up, bundle check, model load")


# --- figures ---------------------------------------------------------------------------------------


def measure_serving(bench: Bench) -> list[Figure]:
    venv = mlserver_venv(bench)
    figures: list[Figure] = []
    for kind, label in (("default", "default model"), ("forest", f"{bench.sizes.real_rows:,}-row forest")):
        project = trained(bench, kind)
        folder = bench.workdir / f"serve-{kind}"
        folder.mkdir()
        bundle, bodies = released(bench, project, folder)
        mlserver_folder(bench, project, bundle, folder)
        yardstick = in_process(bench, project, bundle, folder)
        sides: dict[str, list[Served]] = {"ours": [], "batched": [], "mlserver": []}
        for run in range(bench.runs):
            names = list(sides)
            for who in names[run % 3 :] + names[: run % 3]:  # each goes first once in three runs
                if who == "mlserver":
                    sides[who].append(run_mlserver(venv, project, folder, bodies))
                else:
                    sides[who].append(run_ours(bench, project, bundle, bodies, BATCH_MS if who == "batched" else 0))
        figures += serving_figures(label, sides, yardstick)
        if kind == "default":
            failed, answered = swap_failures(bench, project, bundle, bodies)
            figures.append(
                Figure(
                    "serve: failed requests across a swap",
                    failed,
                    "",
                    "= 0",
                    failed == 0,
                    1,
                    f"8 clients, SIGHUP after {SWAP_SECONDS / 3:.1f} s; {answered} answered",
                    {"failed": failed, "answered": answered},
                )  # fmt: skip
            )
            size = image_size_mb(bench, project)
            figures.append(
                Figure(
                    "serve: image size",
                    size,
                    "MB",
                    "-",
                    None,
                    1 if size else 0,
                    "podman on Debian bookworm (mmdebstrap); no MLServer image here: no registry",
                    {"mb": size},
                )  # fmt: skip
            )
    return figures


def serving_figures(label: str, sides: dict[str, list[Served]], yardstick: list[float]) -> list[Figure]:
    """Cold start and one client: ours as it starts by default; eight clients: both batching."""
    ours, batched, theirs = sides["ours"], sides["batched"], sides["mlserver"]
    p99 = statistics.quantiles(yardstick, n=100)[98] * 1000
    cold, cold_theirs = [s.cold_s for s in ours], [s.cold_s for s in theirs]
    ratios_one = [s.one.p99_ms / p99 for s in ours]
    throughput = [o.eight.throughput / t.eight.throughput for o, t in zip(batched, theirs, strict=True)]
    p99_eight = [s.eight.p99_ms for s in batched]
    p99_eight_theirs = [s.eight.p99_ms for s in theirs]
    rps, rps_theirs = median([s.eight.throughput for s in batched]), median([s.eight.throughput for s in theirs])
    unbatched = median([s.eight.throughput for s in ours])
    detail = {name: [served_detail(s) for s in runs] for name, runs in sides.items()} | {"in_process_p99_ms": p99}
    return [
        Figure(f"serve: cold start, {label}", median(cold), "s", f"<= {COLD_LIMIT:g} s", median(cold) <= COLD_LIMIT,
               len(cold), f"spawn to first 200; MLServer {median(cold_theirs):.1f} s", detail),
        Figure(f"serve: c=1 p99 / in-process, {label}", median(ratios_one), "x", "<= 2x", median(ratios_one) <= 2,
               len(ratios_one), f"p99 {median([s.one.p99_ms for s in ours]):.1f} ms / predict+proba {p99:.1f} ms; "
               f"MLServer {median([s.one.p99_ms for s in theirs]):.1f} ms"),
        Figure(f"serve: c=8 throughput / MLServer's, {label}", median(throughput), "x", ">= 1x",
               median(throughput) >= 1, len(throughput),
               f"--batch-ms {BATCH_MS:g}: {rps:.0f} req/s vs {rps_theirs:.0f}; {unbatched:.0f} without"),
        Figure(f"serve: c=8 p99, {label}", median(p99_eight), "ms", "<= MLServer's",
               median(p99_eight) <= median(p99_eight_theirs), len(p99_eight),
               f"MLServer {median(p99_eight_theirs):.0f} ms"),
    ]  # fmt: skip


def served_detail(served: Served) -> dict[str, float]:
    return {
        "cold_s": served.cold_s,
        "c1_p99_ms": served.one.p99_ms,
        "c1_rps": served.one.throughput,
        "c8_p99_ms": served.eight.p99_ms,
        "c8_rps": served.eight.throughput,
    }
