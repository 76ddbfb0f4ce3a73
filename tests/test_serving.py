"""Serving a published model: the real server on 127.0.0.1, called as a client would, across a version swap.

A default bake is trained, released as v0.1.0 and promoted to prod; `<slug> serve` answers
`<slug> predict`'s predictions exactly, refuses bad rows with a 422 naming the column, speaks
the Open Inference Protocol v2 and Prometheus, and logs what it served as a batch `monitor`
reads. Then v0.2.0 is trained, released and promoted, and a SIGHUP under 8 clients swaps to it
with no failed request. Bundles hold no pickle: one whose model is a pickle that would run
code is refused by `inspect` and `predict`, and the code never runs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import signal
import subprocess
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import images
import pandas as pd
import pytest
import yaml
from baked import Project, trained_bake
from images import PODMAN_ENV, free_port, podman, ready

from conftest import run

pytestmark = pytest.mark.e2e

ARTIFACT = "my-ml-project"
PROD = f"{ARTIFACT}#prod"
CLIENTS, LOAD_SECONDS = 8, 20


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv) -> Project:
    """A default bake, trained, released as v0.1.0 and promoted to prod."""
    project = trained_bake(cookies_session, shared_venv)
    project.make("release", "VERSION=0.1.0")
    project.make("promote", "VERSION=0.1.0", "STAGE=prod")
    return project


class Server:
    def __init__(self, project: Project, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(project.venv / "bin" / ARTIFACT), "serve", "--model", PROD, "--port", str(self.port)]
        command += ["--log-dir", str(log_dir), "--log-share", "1"]
        self.log = log_dir.parent / "server.log"
        with self.log.open("w") as log:
            env = {**os.environ, **project.env, "PYTHONUNBUFFERED": "1"}
            self.process = subprocess.Popen(command, cwd=project.path, stdout=log, stderr=log, env=env)
        if not ready(self.url):
            self.stop()
            pytest.fail(f"the server was not ready within 60 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = Server(project, tmp_path_factory.mktemp("served") / "incoming")
    yield started
    started.stop()


def held_out_rows(project: Project, count: int) -> pd.DataFrame:
    """Held-out rows without the target, as a CSV round trip gives them (what `predict` reads)."""
    test = pd.read_parquet(project.path / "data/prepared/test.parquet").head(count)
    buffer = io.StringIO()
    target = yaml.safe_load((project.path / "params.yaml").read_text())["data"]["target"]
    test.drop(columns=target).to_csv(buffer, index=False)
    buffer.seek(0)
    return pd.read_csv(buffer)


def test_predictions_equal_the_predict_command(project: Project, server: Server, tmp_path: Path) -> None:
    rows = held_out_rows(project, 40)
    rows.to_csv(tmp_path / "new.csv", index=False)
    project.cli("predict", "--model", PROD, "--input", str(tmp_path / "new.csv"), "--output", str(tmp_path / "o.csv"))
    expected = pd.read_csv(tmp_path / "o.csv")
    answer = httpx.post(f"{server.url}/predict", json={"rows": json.loads(rows.to_json(orient="records"))})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model_version"] == "v0.1.0"
    assert body["predictions"] == expected["prediction"].tolist()
    for label in body["probabilities"][0]:
        assert [row[label] for row in body["probabilities"]] == expected[f"probability_{label}"].tolist()


def test_text_in_a_numeric_column_is_a_422_naming_it(project: Project, server: Server) -> None:
    row = json.loads(held_out_rows(project, 1).to_json(orient="records"))[0]
    column = next(iter(row))
    answer = httpx.post(f"{server.url}/predict", json={"rows": [row, {**row, column: "twelve"}]})
    assert answer.status_code == 422
    assert answer.json()["message"] == f"rows[1].{column}: Input should be a valid number"
    malformed = httpx.post(f"{server.url}/predict", content=b"{", headers={"content-type": "application/json"})
    assert malformed.status_code == 422
    assert httpx.post(f"{server.url}/predict", json={"rows": [row]}).status_code == 200, "it keeps serving"


def test_v2_infer_and_prometheus_metrics(project: Project, server: Server) -> None:
    rows = held_out_rows(project, 3)
    metadata = httpx.get(f"{server.url}/v2/models/{ARTIFACT}").json()
    assert [item["name"] for item in metadata["inputs"]] == list(rows.columns)
    inputs = [{"name": name, "shape": [3], "datatype": "FP64", "data": rows[name].tolist()} for name in rows.columns]
    answer = httpx.post(f"{server.url}/v2/models/{ARTIFACT}/infer", json={"inputs": inputs})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outputs"][0]["name"] == "prediction" and answer.json()["outputs"][0]["shape"] == [3]
    metrics = httpx.get(f"{server.url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=")
    assert 'serve_requests_total{endpoint="/predict",model_version="v0.1.0",status="200"}' in metrics.text


def test_the_served_rows_are_a_batch_the_monitor_checks(project: Project, server: Server) -> None:
    (batch,) = (server.log.parent / "incoming").glob("served-*.csv")
    assert batch.name.startswith("served-") and "v0.1.0" in batch.read_text()
    result = project.cli("monitor", "--current", str(batch), "--out", str(batch.parent / "report"), check=False)
    assert result.returncode in (0, 1), result.stderr  # drift or none: a report, not an error
    assert (batch.parent / "report/drift.md").is_file()


def test_a_sighup_swaps_to_the_new_prod_version_without_a_failed_request(project: Project, server: Server) -> None:
    # v0.2.0: another hyperparameter, trained, released and promoted while v0.1.0 serves.
    conf = project.path / "conf/model/logistic_regression.yaml"
    conf.write_text(conf.read_text().replace("C: 1.0", "C: 0.3"))
    project.make("repro")
    run("git", "commit", "--quiet", "--no-verify", "-am", "C=0.3", cwd=project.path)
    project.make("release", "VERSION=0.2.0")
    project.make("promote", "VERSION=0.2.0", "STAGE=prod")

    row = json.loads(held_out_rows(project, 1).to_json(orient="records"))
    answers: list[tuple[float, float, str]] = []  # (started, finished, version)
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    answer = http.post("/predict", json={"rows": row})
                except httpx.HTTPError as err:
                    failures.append(repr(err))
                    continue
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text}")
                else:
                    answers.append((started, time.monotonic(), answer.json()["model_version"]))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + LOAD_SECONDS
    time.sleep(2)
    server.process.send_signal(signal.SIGHUP)
    while time.monotonic() < deadline and not any(version == "v0.2.0" for *_, version in answers[-50:]):
        time.sleep(0.2)
    time.sleep(min(2, max(0, deadline - time.monotonic())))
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    assert failures == [], failures[:5]
    first_new = min((finished for _, finished, version in answers if version == "v0.2.0"), default=None)
    assert first_new is not None, f"v0.2.0 never answered:\n{server.log.read_text()}"
    late_old = [started for started, _, version in answers if version == "v0.1.0" and started > first_new]
    assert late_old == [], "v0.1.0 answered after the swap"
    assert {version for *_, version in answers} == {"v0.1.0", "v0.2.0"}
    assert "serve: now serving v0.2.0 (was v0.1.0)" in server.log.read_text()


def test_push_all_tags_sends_every_version_to_the_remote_beside_the_project(project: Project) -> None:
    """`make setup` pins the relative local remote's path in .dvc/config.local: DVC resolved it
    against a temporary tree for tagged revisions, and wrote their data to /<slug>-dvc-remote."""
    stray = Path("/") / f"{ARTIFACT}-dvc-remote"
    existed = stray.exists()
    project.dvc("push", "--all-tags")
    assert existed or not stray.exists(), "dvc push wrote outside the project and its remote"
    clone = project.path.parent / "teammate"  # beside the project, as the relative path expects
    run("git", "clone", "--quiet", str(project.path), str(clone), cwd=project.path.parent)
    assert "here is" in project.cli("ci", "pin-remote", cwd=clone).stdout  # what `make setup` runs
    fetched = clone.parent / "v0.1.0.skops"
    get = ["dvc", "artifacts", "get", str(clone), ARTIFACT, "--rev", "v0.1.0", "-o", str(fetched)]
    run(*get, cwd=clone, env=project.env)
    lock = yaml.safe_load(run("git", "show", f"{ARTIFACT}@v0.1.0:dvc.lock", cwd=clone).stdout)
    (model,) = [out["md5"] for out in lock["stages"]["train"]["outs"] if out["path"] == "models/model.skops"]
    assert hashlib.md5(fetched.read_bytes()).hexdigest() == model


class Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


def test_bundles_hold_no_pickle_and_a_pickle_that_runs_code_is_refused(project: Project, tmp_path: Path) -> None:
    real = project.path / "dist" / f"{ARTIFACT}-v0.1.0.tar.gz"
    with tarfile.open(real) as archive:
        contents = {member.name: archive.extractfile(member).read() for member in archive}
    assert set(contents) == {"model.skops", "manifest.json", "MODEL_CARD.md"}
    assert zipfile.is_zipfile(io.BytesIO(contents["model.skops"])), "skops, not a pickle"

    marker = tmp_path / "the-pickle-ran"
    contents["model.skops"] = pickle.dumps(Payload(marker))
    manifest = json.loads(contents["manifest.json"])
    manifest["files"]["model.skops"] = hashlib.sha256(contents["model.skops"]).hexdigest()
    contents["manifest.json"] = json.dumps(manifest).encode()
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    held_out_rows(project, 3).to_csv(tmp_path / "new.csv", index=False)
    predict = ["predict", "--model", str(evil), "--input", "new.csv", "--output", "o.csv"]
    for command in (["inspect", str(evil)], predict):
        result = project.cli(*command, cwd=tmp_path, check=False)
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "is not a skops model file" in result.stderr
    assert not marker.exists(), "the pickle's code ran"
    assert not (tmp_path / "o.csv").exists()

    # A file named like the production reference is not the production model.
    (project.path / PROD).write_bytes(evil.read_bytes())
    try:
        shown = project.cli("inspect")
    finally:
        (project.path / PROD).unlink()
    assert '"version": "v0.2.0"' in shown.stdout and not marker.exists()
    missing = project.cli("inspect", f"{ARTIFACT}@v9.9.9", check=False)
    assert missing.returncode == 2 and "versions: v0.2.0 (prod), v0.1.0" in missing.stderr, missing.stderr


# The image lane: podman builds the server's image on a local Debian base, since no image registry
# is reachable here (on GitHub the Containerfile's default python:<version>-slim is used).
@pytest.fixture(scope="module")
def local_base(tmp_path_factory: pytest.TempPathFactory) -> str:
    return images.local_base(tmp_path_factory.mktemp("base"))


def test_the_image_serves_the_released_bundle_as_a_non_root_user(
    project: Project, local_base: str, tmp_path: Path
) -> None:
    image_args = ["VERSION=0.1.0", f"BASE_IMAGE={local_base}", f"VENV={project.venv}"]
    built = run("make", "image", *image_args, cwd=project.path, env=PODMAN_ENV)  # podman with the harness's settings
    image = built.stdout.strip().splitlines()[-1]
    assert image == f"{ARTIFACT}:0.1.0", "make image prints the image reference last"
    try:
        inspected = json.loads(podman("image", "inspect", image).stdout)[0]
        config = inspected["Config"]
        tagged = run("git", "rev-parse", f"{ARTIFACT}@v0.1.0^0", cwd=project.path).stdout.strip()
        labels = config["Labels"]
        assert labels["org.opencontainers.image.version"] == "0.1.0"
        assert labels["org.opencontainers.image.revision"] == tagged
        assert labels["org.opencontainers.image.source"].endswith(f"/{ARTIFACT}")
        assert config["User"] == "10001:10001" and "8080/tcp" in config["ExposedPorts"]
        assert "/v2/health/ready" in " ".join(inspected["Healthcheck"]["Test"])  # docker's format keeps it
        # The CA bundle went in as a build secret: in no layer, and not in the image's history.
        history = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
        assert "BEGIN CERTIFICATE" not in history
        found = podman("run", "--rm", "--user", "0", image, "find", "/", "-xdev", "-name", "ca.pem").stdout
        assert found == ""

        port = free_port()
        container = podman("run", "--detach", "--publish", f"127.0.0.1:{port}:8080", image).stdout.strip()
        try:
            url = f"http://127.0.0.1:{port}"
            if not ready(url):
                pytest.fail(f"the container was not ready within 60 s:\n{podman('logs', container).stderr}")
            rows = held_out_rows(project, 20)
            rows.to_csv(tmp_path / "new.csv", index=False)
            version = f"{ARTIFACT}@v0.1.0"
            predicted = tmp_path / "predicted.csv"
            project.cli("predict", "--model", version, "--input", str(tmp_path / "new.csv"), "--output", str(predicted))
            answer = httpx.post(f"{url}/predict", json={"rows": json.loads(rows.to_json(orient="records"))})
            assert answer.status_code == 200, answer.text
            assert answer.json()["model_version"] == "v0.1.0"
            assert answer.json()["predictions"] == pd.read_csv(predicted)["prediction"].tolist()
            assert podman("healthcheck", "run", container, check=False).returncode == 0
        finally:
            podman("rm", "--force", container)
    finally:
        podman("rmi", "--force", image)
