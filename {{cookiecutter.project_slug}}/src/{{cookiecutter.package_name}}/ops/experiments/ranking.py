"""The ranked table of a sweep's experiments, from `dvc exp show`; and the local run in DVC's queue."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .. import markdown
from ..commands import run
from ..contract import (
    METRICS,
    TASK_METRICS,
    higher_is_better,
    load_params,
)
from ..gate import MARGINS, gate_failures
from .grid import COMMAND, Experiment, Plan, SweepError

# --- The ranked table --------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    experiment: Experiment
    metrics: Mapping[str, float]


def ranking_metric(task: str, gate: Mapping[str, float]) -> str:
    """The first metric the gate bounds (conf/config.yaml `gate`), else the task's main one.

    The default gate sets only a margin over the trivial baseline, on the task's main metric.
    """
    return next((key for key in gate if key not in MARGINS), TASK_METRICS[task][0])


def rank(results: Sequence[Result], metric: str) -> list[Result]:
    """Best first by `metric` in its direction; an experiment without it comes last."""
    sign = -1 if higher_is_better(metric) else 1

    def key(result: Result) -> tuple[bool, float]:
        value = result.metrics.get(metric)
        return (value is None, sign * value if value is not None else 0.0)

    return sorted(results, key=key)


def table(
    plan_: Plan,
    results: Sequence[Result],
    task: str,
    gate: Mapping[str, float],
    remote: bool = False,
    proposed: bool = False,
) -> str:
    """The Markdown report: a ranked table, what did not finish, and how to keep the best
    (or, `proposed`, the body of the pull request that carries the best into conf/)."""
    metric = ranking_metric(task, gate)
    columns = [metric, *(m for m in TASK_METRICS[task] if m != metric)]
    arrow = {m: "↑" if higher_is_better(m) else "↓" for m in columns}
    ranked = rank(results, metric)
    direction = "higher" if higher_is_better(metric) else "lower"
    lines = [
        f"### Sweep `{plan_.name}`: {len(results)} of {len(plan_.experiments)} experiments, "
        f"best {metric} first ({direction} is better)",
        "",
    ]
    rows = []
    for position, result in enumerate(ranked, 1):
        values = [f"{result.metrics[m]:.4f}" if m in result.metrics else "–" for m in columns]
        failures = gate_failures(result.metrics, gate)
        verdict = "✅ passes" if not failures else "❌ " + markdown.cell("; ".join(failures))
        overrides = " ".join(f"`{o}`" for o in result.experiment.overrides)
        rows.append([str(position), f"`{result.experiment.name}`", overrides, *values, verdict])
    header = ["rank", "experiment", "overrides", *(f"{m} {arrow[m]}" for m in columns), "quality gate"]
    lines += markdown.table(header, rows, "rll" + "r" * len(columns) + "l")
    finished = {result.experiment.name for result in results}
    missing = [e for e in plan_.experiments if e.name not in finished]
    if missing:
        lines += ["", "Did not finish (see its log): " + ", ".join(f"`{e.name}` ({e.label})" for e in missing)]
    if ranked and proposed:
        best = ranked[0].experiment.name
        lines += [
            "",
            f"This pull request carries the best, `{best}`, into `conf/experiment/{best}.yaml`, selects it in "
            "`conf/config.yaml` and reproduces the pipeline with it. "
            f"Its experiment, to compare: `dvc exp pull origin {best}`, then `make exps`.",
        ]
    elif ranked:
        best = ranked[0].experiment.name
        lines += ["", f"To keep the best, `{best}`:", "", "```bash"]
        if remote:
            lines.append(f"dvc exp pull origin {best}  # its git ref and outputs, into your clone")
        lines += [
            f"dvc exp branch {best} {best}-branch  # a branch to open a pull request from",
            f"dvc exp apply {best}  # or: its params and results in your workspace",
            "```",
            "",
            "Then carry it into `conf/`, which `params.yaml` is composed from: "
            f"`{COMMAND} keep {best} {shlex.join(ranked[0].experiment.overrides)}` "
            f"writes `conf/experiment/{best}.yaml` and selects it; run `make repro` and commit.",
        ]
    return "\n".join(lines) + "\n"


def dvc_results(plan_: Plan) -> list[Result]:
    """The plan's experiments that `dvc exp show` knows (on HEAD), with their metrics."""
    shown = subprocess.run(["dvc", "exp", "show", "--json"], capture_output=True, text=True)
    if shown.returncode != 0:
        raise SweepError(f"dvc exp show failed: {shown.stderr.strip()}")
    by_name = {e.name: e for e in plan_.experiments}
    results = []
    for commit in json.loads(shown.stdout):
        for experiment in commit.get("experiments") or []:
            for revision in experiment.get("revs", []):
                name = revision.get("name")
                data = revision.get("data") or {}
                metrics = (data.get("metrics") or {}).get(str(METRICS), {}).get("data")
                if name in by_name and metrics:
                    results.append(Result(by_name.pop(name), metrics))
    return results


def report(plan_: Plan, remote: bool = False, proposed: bool = False) -> tuple[str, list[Result]]:
    """The table for the plan's experiments, from `dvc exp show`; and those that finished, best first."""
    params = load_params()
    results = rank(dvc_results(plan_), ranking_metric(params.task, params.gate))
    return table(plan_, results, params.task, params.gate, remote, proposed), results


def plan_from_matrix(matrix: str) -> Plan:
    """The plan back from the matrix JSON (the sweep workflow's plan job output)."""
    try:
        entries = json.loads(matrix)["include"]
        experiments = tuple(Experiment(e["name"], tuple(e["params"].splitlines())) for e in entries)
    except (ValueError, KeyError, TypeError) as err:
        raise SweepError(f"not a sweep matrix: {err}") from None
    name = experiments[0].name.rpartition("-")[0] if experiments else "sweep"
    return Plan(name, (), experiments)


def dvc(*args: str) -> None:
    run("dvc", *args)


def run_here(planned: Plan, jobs: int) -> int:
    """Queue the sweep in DVC's queue, run it with `jobs` workers, print the ranked table."""
    if len(planned.experiments) == 1:  # no sweep: DVC would not number the name
        (only,) = planned.experiments
        queue = ["--name", only.name, *(arg for o in only.overrides for arg in ("-S", o))]
    else:  # DVC expands the same grid in the same order, naming them NAME-1, NAME-2, ...
        queue = ["--name", planned.name, *(arg for o in planned.overrides for arg in ("-S", o))]
    print(f"Sweep {planned.name}: {len(planned.experiments)} experiments, {jobs} at a time", flush=True)
    dvc("exp", "run", "--queue", *queue)
    # Waits for every queued task (also any you queued before) and follows their logs.
    dvc("exp", "run", "--run-all", "--jobs", str(jobs))
    text, finished = report(planned)
    print(text)
    return 0 if len(finished) == len(planned.experiments) else 1
