"""Measure what a baked project costs, side by side with a bare script, and print one table.

Bakes fresh projects from this template into a temporary directory (outside the
repository), runs them with one shared, warm environment, and reports medians
over --runs runs. Ratios are taken per run, side by side, then the median, so
that load from other work on the machine hits both sides alike. The script
exits non-zero only when something cannot be measured, never for a missed target.

    python benchmarks/run.py [--runs N] [--quick] [--only GROUP,...] [--harness | --harness-log FILE] [--keep]

Needs the harness environment (`make env`): cookiecutter, dvc and uv on PATH.
The figures also go to benchmarks/results.json, with the machine they came from.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

# benchmarks/serving.py imports this script's helpers as `run`: let that name this very module.
sys.modules.setdefault("run", sys.modules[__name__])
ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results.json"
SLUG, PACKAGE = "my-ml-project", "my_ml_project"
STAGES = ("prepare", "train", "evaluate")
GIT_ID = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
# Measure with bytecode cached, as on users' machines and GitHub's runners: some CI images
# set PYTHONDONTWRITEBYTECODE, and then every process recompiles scikit-learn and pandas.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# Queued experiments of the sweep: four values of the default model's C.
SWEEP = ["-S", "model.C=0.25,0.5,2.0,4.0"]
# A no-op make repro is short and varies by ~0.5 s from run to run here: it is timed this often per bake.
NOOPS_PER_BAKE = 5


# The groups of figures, in the order they are measured (--only picks some).
GROUPS = ("default", "real", "sweep", "act", "big", "forest", "predict", "serve", "harness")


class MeasureError(RuntimeError):
    """A step that a figure needs failed: the benchmark cannot measure it."""


@dataclass(frozen=True)
class Sizes:
    """Dataset sizes: the real-size rows make the bare script's training take >= 20 s."""

    real_rows: int = 50_000
    real_columns: int = 22
    real_model: tuple[str, ...] = ("model=random_forest",)
    big_rows: int = 1_000_000
    big_columns: int = 50
    forest_rows: int = 300_000

    @classmethod
    def quick(cls) -> Sizes:
        return cls(real_rows=3_000, big_rows=20_000, forest_rows=10_000)


@dataclass
class Figure:
    """One row of the table."""

    name: str
    measured: float | None
    unit: str
    target: str
    met: bool | None
    runs: int
    note: str = ""
    detail: dict[str, object] = field(default_factory=dict)

    def cells(self) -> list[str]:
        value = "not measured" if self.measured is None else f"{self.measured:.2f} {self.unit}".rstrip()
        verdict = {True: "met", False: "MISSED", None: "-"}[self.met]
        return [self.name, value, self.target, verdict, str(self.runs), self.note]


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss_mb: float
    output: str


@dataclass
class Bench:
    """Where bakes go, and the shared environment every baked project runs in."""

    workdir: Path
    venv: Path
    sizes: Sizes
    runs: int
    bakes: int = 0

    def env(self, project: Path) -> dict[str, str]:
        """The shared environment, importing the package from this project's src/ (the install is editable
        for whichever bake synced it last)."""
        path = f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
        return {
            **os.environ,
            "PATH": path,
            "VIRTUAL_ENV": str(self.venv),
            "PYTHONPATH": str(project / "src"),
            "DVC_NO_ANALYTICS": "1",
        }

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")


# --- running and timing -----------------------------------------------------------------------


def timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Timed:
    """Run a command to completion: wall time, peak resident memory of its process tree, output."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(output.splitlines()[-15:])
        raise MeasureError(f"`{' '.join(command)}` failed in {cwd} (exit {process.returncode}):\n{tail}")
    return Timed(seconds, usage.ru_maxrss / 1024, output)


def make(bench: Bench, project: Path, *targets: str) -> Timed:
    return timed(["make", *targets, f"VENV={bench.venv}"], project, bench.env(project))


def dvc(bench: Bench, project: Path, *args: str) -> Timed:
    return timed([str(bench.venv / "bin" / "dvc"), *args], project, bench.env(project))


def git(project: Path, *args: str) -> Timed:
    return timed(["git", *GIT_ID, *args], project)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- bakes and data ---------------------------------------------------------------------------


def bake(bench: Bench, *answers: str) -> tuple[Path, float]:
    """A fresh project in its own directory (its local DVC remote lands beside it), and the bake time."""
    bench.bakes += 1
    out = bench.workdir / f"bake-{bench.bakes}"
    out.mkdir()
    took = timed(["cookiecutter", "--no-input", "-o", str(out), str(ROOT), *answers], bench.workdir)
    return out / SLUG, took.seconds


def make_csv(bench: Bench, name: str, rows: int, columns: int) -> Path:
    path = bench.workdir / name
    if not path.exists():
        timed([bench.python, str(HERE / "make_csv.py"), str(path), str(rows), str(columns)], bench.workdir)
    return path


def use_csv(bench: Bench, project: Path, csv: Path) -> None:
    """Replace a csv bake's sample with the generated data, tracked by DVC and committed."""
    shutil.copyfile(csv, project / "data/raw/data.csv")
    dvc(bench, project, "add", "--quiet", "data/raw/data.csv")
    commit(project, "Generated data")


def commit(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)


def compose(bench: Bench, project: Path, overrides: Sequence[str]) -> None:
    make(bench, project, "params", f"ARGS={' '.join(overrides)}")


def bare(bench: Bench, project: Path) -> tuple[float, float]:
    """The bare script on the project's params.yaml: its wall time and its own training time."""
    command = [bench.python, str(HERE / "bare.py"), "params.yaml", str(project / "bare-metrics.json"), PACKAGE]
    run = timed(command, project)
    return run.seconds, json.loads(run.output.strip().splitlines()[-1])["fit_seconds"]


def same_metrics(project: Path) -> bool:
    """The bare script's scores equal the pipeline's (metrics.json also holds more than bare computes)."""
    ours = json.loads((project / "reports/metrics.json").read_text())
    theirs = json.loads((project / "bare-metrics.json").read_text())
    return {name: ours.get(name) for name in theirs} == theirs


def warm_up(bench: Bench) -> Path:
    """Fill the package cache and the shared environment (bytecode included) with one bake's full run."""
    project, _ = bake(bench)
    make(bench, project, "setup")
    make(bench, project, "repro")
    bare(bench, project)
    return project


# --- figures ----------------------------------------------------------------------------------


def absolute(name: str, values: list[float], limit: float, unit: str, note: str = "") -> Figure:
    value = median(values)
    return Figure(name, value, unit, f"<= {limit:g} {unit}", value <= limit, len(values), note, {"runs": values})


def ratio(name: str, ratios: list[float], limit: float, note: str, detail: dict[str, object]) -> Figure:
    value = median(ratios)
    return Figure(name, value, "x", f"<= {limit:g}x", value <= limit, len(ratios), note, {"ratios": ratios, **detail})


def speedup(
    name: str,
    serial: list[float],
    parallel: list[float],
    limit: float,
    note: str,
    detail: dict[str, object] | None = None,
) -> Figure:
    """How many times faster the parallel runs were: per run, side by side, then the median."""
    speedups = [s / p for s, p in zip(serial, parallel, strict=True)]
    value = median(speedups)
    detail = {"speedups": speedups, "serial_s": serial, "parallel_s": parallel, **(detail or {})}
    return Figure(name, value, "x", f">= {limit:g}x", value >= limit, len(speedups), note, detail)


def measure_default_bakes(bench: Bench) -> list[Figure]:
    """Bake, set-up, tiny-data overhead and no-op reproduce, each run on one fresh default bake."""
    bakes, setups, pipelines, bares, noops, identical = [], [], [], [], [], []
    for run in range(bench.runs):
        project, seconds = bake(bench)
        bakes.append(seconds)
        fresh_venv = bench.workdir / f"setup-venv-{run}"
        setups.append(timed(["make", "setup", f"VENV={fresh_venv}"], project, bench.env(project)).seconds)
        shutil.rmtree(fresh_venv)
        pipeline, (bare_seconds, _) = side_by_side(
            run, lambda p=project: make(bench, p, "repro").seconds, lambda p=project: bare(bench, p)
        )
        pipelines.append(pipeline)
        bares.append(bare_seconds)
        noops += [make(bench, project, "repro").seconds for _ in range(NOOPS_PER_BAKE)]
        identical.append(same_metrics(project))
    tiny = ratio(
        "pipeline overhead, tiny data",
        [p / b for p, b in zip(pipelines, bares, strict=True)],
        2.5,
        f"make repro {median(pipelines):.1f} s / bare {median(bares):.1f} s",
        {"make_repro_s": pipelines, "bare_s": bares, "same_metrics": all(identical)},
    )
    return [
        absolute("bake", bakes, 2, "s", "cookiecutter --no-input, hooks included"),
        absolute("set-up", setups, 20, "s", "make setup, fresh venv, warm uv cache"),
        tiny,
        absolute("no-op reproduce", noops, 1.5, "s", f"make repro again, {NOOPS_PER_BAKE}x a bake"),
    ]


def side_by_side(
    run: int, first: Callable[[], float], second: Callable[[], tuple[float, float]]
) -> tuple[float, tuple[float, float]]:
    """Run both sides, alternating which goes first from run to run."""
    if run % 2:
        other = second()
        return first(), other
    one = first()
    return one, second()


def measure_real_size_and_ci(bench: Bench) -> list[Figure]:
    """Real-size overhead, then a fresh clone's `dvc repro --pull` on the same committed bake."""
    csv = make_csv(bench, "real.csv", bench.sizes.real_rows, bench.sizes.real_columns)
    model = " ".join(bench.sizes.real_model)
    pipelines, bares, fits, pulls, skipped, identical = [], [], [], [], [], []
    for run in range(bench.runs):
        project, _ = bake(bench, "dataset=csv")
        use_csv(bench, project, csv)
        compose(bench, project, bench.sizes.real_model)
        pipeline, (bare_seconds, fit) = side_by_side(
            run, lambda p=project: make(bench, p, "repro", f"ARGS={model}").seconds, lambda p=project: bare(bench, p)
        )
        pipelines.append(pipeline)
        bares.append(bare_seconds)
        fits.append(fit)
        identical.append(same_metrics(project))
        (project / "bare-metrics.json").unlink()
        seconds, restored = ci_reproduce(bench, project)
        pulls.append(seconds)
        skipped.append(restored)
    detail = {"make_repro_s": pipelines, "bare_s": bares, "bare_fit_s": fits, "same_metrics": all(identical)}
    real = ratio(
        "pipeline overhead, real size",
        [p / b for p, b in zip(pipelines, bares, strict=True)],
        1.15,
        f"{bench.sizes.real_rows:,} rows x {bench.sizes.real_columns}, {model}; "
        f"bare fit {median(fits):.1f} s{' (< 20 s!)' if median(fits) < 20 else ''}",
        detail,
    )
    ci = ratio(
        "CI reproduce",
        [c / p for c, p in zip(pulls, pipelines, strict=True)],
        0.15,
        f"clone + dvc repro --pull {median(pulls):.1f} s / make repro {median(pipelines):.1f} s"
        + ("" if all(skipped) else "; train was NOT restored"),
        {"pull_s": pulls, "full_s": pipelines, "train_restored": skipped},
    )
    return [real, ci]


def ci_reproduce(bench: Bench, project: Path) -> tuple[float, bool]:
    """Commit and push a reproduced project, then time `dvc repro --pull` in a fresh clone beside it."""
    commit(project, "Reproduced")
    dvc(bench, project, "push", "--quiet", "--run-cache")
    clone = project.parent / "clone"
    git(project.parent, "clone", "--quiet", str(project), str(clone))
    pulled = dvc(bench, clone, "repro", "--pull")
    return pulled.seconds, "Running stage 'train'" not in pulled.output


def measure_sweep(bench: Bench) -> Figure:
    """Four queued experiments run as `make sweep` runs them: `dvc exp run --run-all` with one worker
    against two, on twin bakes."""
    serial, parallel = [], []
    for run in range(bench.runs):
        order = (run_serial, run_parallel) if run % 2 == 0 else (run_parallel, run_serial)
        twins = dict(zip(order, sweep_ready(bench), strict=True))
        seconds = {how.__name__: how(bench, project) for how, project in twins.items()}
        serial.append(seconds["run_serial"])
        parallel.append(seconds["run_parallel"])
    note = f"--run-all: 1 worker {median(serial):.1f} s / 2 workers {median(parallel):.1f} s (speed-up)"
    return speedup("sweep (4 experiments)", serial, parallel, 1.7, note)


def sweep_ready(bench: Bench) -> tuple[Path, Path]:
    """Twin copies of a default bake, reproduced and committed (as main would be), four experiments queued."""
    project, _ = bake(bench)
    make(bench, project, "repro")
    commit(project, "Reproduced")
    twin = project.with_name("twin")
    shutil.copytree(project, twin, symlinks=True)
    for copy in (project, twin):
        dvc(bench, copy, "exp", "run", "--queue", *SWEEP)
    return project, twin


def run_queue(bench: Bench, project: Path, workers: int) -> float:
    """What `make sweep JOBS=<workers>` runs: start the workers, wait for every queued experiment."""
    seconds = dvc(bench, project, "exp", "run", "--run-all", "--jobs", str(workers)).seconds
    if experiment_count(project) != 4:
        raise MeasureError(f"the sweep in {project} did not yield 4 experiments; see `dvc queue status`")
    return seconds


def run_serial(bench: Bench, project: Path) -> float:
    return run_queue(bench, project, 1)


def run_parallel(bench: Bench, project: Path) -> float:
    return run_queue(bench, project, 2)


# sweep.yml's matrix limit, an input. GitHub evaluates it; act 0.2.89 reads an expression there as 0
# and runs the matrix one job at a time, so each play writes the value in, as GitHub would.
MAX_PARALLEL = "max-parallel: ${{ inputs.max-parallel }}"


def measure_act_sweep(bench: Bench) -> Figure:
    """sweep.yml played under act (tests/act.py), four experiments: two matrix jobs at a time against one.

    Each job sets up its own environment from uv.lock and restores unchanged stages from the DVC
    remote, as on GitHub's runners; here every job shares this machine's cores."""
    sys.path.insert(0, str(ROOT / "tests"))
    from act import GitHub, runner_python

    project, _ = bake(bench, f"dvc_remote_url={bench.workdir / 'act-dvc-remote'}")
    make(bench, project, "repro")
    commit(project, "Reproduced")
    github = GitHub(bench.workdir / "act-github", runner_python(bench.workdir))
    github.add_remote(project)
    dvc(bench, project, "push", "--run-cache")  # what `<slug> ci push` runs
    workflow = project / ".github/workflows/sweep.yml"
    original = workflow.read_text()
    if MAX_PARALLEL not in original:
        raise MeasureError(f"sweep.yml no longer says `{MAX_PARALLEL}`: update the bench")
    serial, parallel, plays = [], [], 0
    runs: dict[int, list[float]] = {1: [], 2: []}  # whole workflow runs, plan and collect included
    for run in range(bench.runs):
        for at_once in (1, 2) if run % 2 == 0 else (2, 1):
            workflow.write_text(original.replace(MAX_PARALLEL, f"max-parallel: {at_once}"))
            commit(project, f"Bench: {at_once} experiment job(s) at a time")
            git(project, "push", "--quiet", "--force", "origin", "main")
            # New values of C every play: none is restored from an earlier play's run-cache.
            values = ",".join(f"{0.05 * (4 * plays + k + 1):.2f}" for k in range(4))
            plays += 1
            start = time.perf_counter()
            try:
                played = github.play(
                    "sweep.yml",
                    "workflow_dispatch",
                    inputs={"params": f"model.C={values}"},
                    concurrent_jobs=2,
                )
            except AssertionError as err:  # the harness's run() asserts
                raise MeasureError(f"act could not play sweep.yml: {err}") from None
            runs[at_once].append(time.perf_counter() - start)
            (bench.workdir / f"act-sweep-{plays}.log").write_text(played.log)
            results = played.results()
            if any(results[job] != "success" for job in ("plan", "experiment", "collect")):  # propose: not asked
                raise MeasureError(f"sweep.yml failed under act: {results}\n{played.log[-3000:]}")
            (serial if at_once == 1 else parallel).append(job_span(played.log, "experiment"))
    note = (
        f"4 experiment jobs: 1 at a time {median(serial):.0f} s / 2 at a time {median(parallel):.0f} s "
        f"(whole run {median(runs[1]):.0f} s / {median(runs[2]):.0f} s)"
    )
    return speedup("sweep on 2 act runners", serial, parallel, 1.6, note, {"whole_run_s": runs})


def job_span(log: str, job: str) -> float:
    """Seconds from the first to the last line act logged for a job: every run of a matrix job."""
    times = []
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and entry.get("jobID") == job and "time" in entry:
            times.append(datetime.datetime.fromisoformat(entry["time"]))
    if not times:
        raise MeasureError(f"act logged nothing for job {job!r}")
    return (max(times) - min(times)).total_seconds()


def experiment_count(project: Path) -> int:
    """Experiments DVC has committed: refs/exps/<2>/<38>/<name>, queue bookkeeping left out."""
    refs = git(project, "for-each-ref", "--format=%(refname)", "refs/exps").output.split()
    return sum(1 for ref in refs if re.fullmatch(r"refs/exps/[0-9a-f]{2}/[0-9a-f]{38}/[^/]+", ref))


def measure_big_data(bench: Bench) -> Figure:
    """prepare + train of the default linear model on a big CSV: throughput and peak memory."""
    rows, columns = bench.sizes.big_rows, bench.sizes.big_columns
    csv = make_csv(bench, "big.csv", rows, columns)
    project, _ = bake(bench, "dataset=csv")
    use_csv(bench, project, csv)
    make(bench, project, "params")
    stages = {stage: dvc(bench, project, "repro", "--single-item", stage) for stage in ("prepare", "train")}
    seconds = sum(stage.seconds for stage in stages.values())
    peak = max(stage.peak_rss_mb for stage in stages.values())
    total = total_memory_mb()
    return Figure(
        f"bigger data ({rows:,} x {columns})",
        rows / seconds,
        "rows/s",
        f"peak memory < RAM ({total / 1024:.0f} GiB)",
        peak < total,
        1,
        f"prepare {stages['prepare'].seconds:.1f} s + train {stages['train'].seconds:.1f} s; "
        f"peak {peak / 1024:.2f} GiB ({stages['prepare'].peak_rss_mb / 1024:.2f} prepare, "
        f"{stages['train'].peak_rss_mb / 1024:.2f} train)",
        {name: {"seconds": s.seconds, "peak_rss_mb": s.peak_rss_mb} for name, s in stages.items()},
    )


FOREST_MINUTES = 5.0  # "finishes in minutes" on 2 cores


def measure_forest(bench: Bench) -> Figure:
    """`make repro` with the shipped random-forest defaults on a table of forest_rows x real_columns."""
    rows, columns = bench.sizes.forest_rows, bench.sizes.real_columns
    csv = make_csv(bench, "forest.csv", rows, columns)
    project, _ = bake(bench, "dataset=csv")
    use_csv(bench, project, csv)
    compose(bench, project, ["model=random_forest"])
    stages = {stage: dvc(bench, project, "repro", "--single-item", stage) for stage in ("prepare", "train", "evaluate")}
    minutes = sum(stage.seconds for stage in stages.values()) / 60
    model_mb = (project / "models/model.skops").stat().st_size / 1e6
    peak = max(stage.peak_rss_mb for stage in stages.values())
    return Figure(
        f"random forest, {rows:,} rows",
        minutes,
        "min",
        f"<= {FOREST_MINUTES:g} min",
        minutes <= FOREST_MINUTES,
        1,
        f"make repro, model=random_forest x {columns} columns: "
        + ", ".join(f"{name} {stage.seconds:.0f} s" for name, stage in stages.items())
        + f"; model {model_mb:.0f} MB, peak {peak / 1024:.2f} GiB",
        {name: {"seconds": s.seconds, "peak_rss_mb": s.peak_rss_mb} for name, s in stages.items()}
        | {"model_mb": model_mb},
    )


def measure_harness(run_it: bool, log: Path | None) -> Figure:
    """The template's full test suite: run it (`--harness`), read pytest's last line from a log, or skip."""
    target = "<= 15 min"
    if run_it:
        seconds = timed(["make", "test"], ROOT).seconds
        return Figure("harness (make test)", seconds / 60, "min", target, seconds <= 900, 1, "run now")
    if log is None:
        return Figure("harness (make test)", None, "min", target, None, 0, "pass --harness or --harness-log FILE")
    found = re.findall(r"in ([0-9.]+)s", log.read_text(errors="replace"))
    if not found:
        raise MeasureError(f"{log}: no pytest summary line (`... passed in N s`)")
    seconds = float(found[-1])
    return Figure("harness (make test)", seconds / 60, "min", target, seconds <= 900, 1, f"from {log.name}")


# --- import time per stage --------------------------------------------------------------------


def stage_imports(bench: Bench, project: Path) -> dict[str, dict[str, float]]:
    """`python -X importtime` of each stage: total import seconds and the heaviest top-level packages."""
    report = {}
    for stage in STAGES:
        command = [bench.python, "-X", "importtime", "-m", f"{PACKAGE}.{stage}"]
        output = timed(command, project, bench.env(project)).output
        report[stage] = heaviest_imports(output)
    return report


def heaviest_imports(importtime: str, top: int = 4) -> dict[str, float]:
    """Cumulative seconds per top-level package (first import wins), the heaviest first, and the total."""
    packages: dict[str, float] = {}
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and len(match.group(2)) == 0:  # imported by the stage itself, not by another module
            package = match.group(3).split(".")[0]
            if package == PACKAGE:
                package = match.group(3)
            packages[package] = packages.get(package, 0) + int(match.group(1)) / 1e6
    ranked = dict(sorted(packages.items(), key=lambda item: -item[1])[:top])
    return {"total": sum(packages.values()), **ranked}


def measure_serving(bench: Bench) -> list[Figure]:
    """The inference server against MLServer (benchmarks/serving.py)."""
    from serving import measure_serving as measure

    return measure(bench)


def measure_predict(bench: Bench) -> Figure:
    """`<slug> predict` on 5 rows of a released bundle (benchmarks/serving.py)."""
    from serving import measure_predict as measure

    return measure(bench)


# --- machine, table, results ------------------------------------------------------------------


def total_memory_mb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "ram_gib": round(total_memory_mb() / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg(),
    }


def table(figures: Sequence[Figure]) -> str:
    rows = [["figure", "measured", "target", "met?", "runs", "how"], *(f.cells() for f in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def imports_summary(imports: dict[str, dict[str, float]]) -> str:
    lines = ["Import time per stage (python -X importtime, seconds):"]
    for stage, packages in imports.items():
        heaviest = ", ".join(f"{name} {seconds:.2f}" for name, seconds in packages.items() if name != "total")
        lines.append(f"  {stage:<9} {packages['total']:.2f} total: {heaviest}")
    return "\n".join(lines)


def save(figures: Sequence[Figure], imports: dict[str, dict[str, float]], about: dict[str, object], path: Path) -> None:
    """Write the figures; a partial run (--only) replaces its own figures and keeps the file's others."""
    measured = [asdict(f) | {"date": about["date"]} for f in figures]
    if about["groups"] != list(GROUPS) and path.exists():
        names = {f.name for f in figures}
        kept = [f for f in json.loads(path.read_text(encoding="utf-8"))["figures"] if f["name"] not in names]
        measured = kept + measured
    data = {"machine": about, "figures": measured, "stage_imports_s": imports}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 run, small datasets")
    harness = parser.add_mutually_exclusive_group()
    harness.add_argument("--harness", action="store_true", help="also run the full harness (`make test`, ~10 min)")
    harness.add_argument("--harness-log", type=Path, help="read the harness time from a saved pytest output")
    parser.add_argument(
        "--only",
        type=lambda text: text.split(","),
        default=list(GROUPS),
        help=f"measure only these groups of figures, comma-separated (default: all of {', '.join(GROUPS)})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bakes (their directory is printed)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    unknown = sorted(set(args.only) - set(GROUPS))
    if unknown:
        parser.error(f"--only: no group {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # make passes its command-line variables down to every make below it: the baked projects'
    # make must start clean.
    for variable in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        os.environ.pop(variable, None)
    missing = [tool for tool in ("cookiecutter", "uv", "dvc", "git", "make") if shutil.which(tool) is None]
    if missing:
        print(f"cannot measure: {', '.join(missing)} not on PATH (run `make bench` or `make env`)", file=sys.stderr)
        return 2
    about = machine()
    workdir = Path(tempfile.mkdtemp(prefix="bench-", dir="/tmp" if Path("/tmp").is_dir() else None))
    bench = Bench(workdir, workdir / "venv", Sizes.quick() if args.quick else Sizes(), args.runs)
    print(f"Baking into {workdir} ({args.runs} run(s) per figure)", flush=True)
    done: list[str] = []  # the groups measured
    try:
        warm = warm_up(bench)
        imports = stage_imports(bench, warm)
        steps: dict[str, Callable[[], list[Figure]]] = {
            "default": lambda: measure_default_bakes(bench),
            "real": lambda: measure_real_size_and_ci(bench),
            "sweep": lambda: [measure_sweep(bench)],
            "act": lambda: [measure_act_sweep(bench)],
            "big": lambda: [measure_big_data(bench)],
            "forest": lambda: [measure_forest(bench)],
            "predict": lambda: [measure_predict(bench)],
            "serve": lambda: measure_serving(bench),
            "harness": lambda: [measure_harness(args.harness, args.harness_log)],
        }
        figures: list[Figure] = []
        for group in GROUPS:
            if group not in args.only:
                continue
            figures += steps[group]()
            print(f"  measured: {', '.join(f.name for f in figures)}", flush=True)
            done.append(group)
    except MeasureError as err:
        print(f"cannot measure: {err}", file=sys.stderr)
        if done:  # keep what was measured before
            save(figures, imports, about | {"groups": done}, args.out)
            print(f"Measured before that ({', '.join(done)}): written to {args.out}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    about["load_average_at_end"] = os.getloadavg()
    about["groups"] = done
    save(figures, imports, about, args.out)
    print(f"\n{table(figures)}\n\n{imports_summary(imports)}\n")
    print(f"{about['cpus']} CPUs, {about['ram_gib']} GiB RAM, Python {about['python']}, {about['date']}")
    print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
