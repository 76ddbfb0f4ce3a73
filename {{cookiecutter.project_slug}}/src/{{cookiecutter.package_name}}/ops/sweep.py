"""Sweeps: a grid of experiments written as `dvc exp run -S` takes it, planned once for both ways to run it.

A sweep is a list of Hydra overrides, exactly what `dvc exp run -S` accepts:
a comma list (`model.C=0.1,1,10`) or a sweep function (`range(1,4)`,
`choice(a,b)`) is swept, and every combination is one experiment. `plan`
expands the grid with Hydra's own override parser and sweeper (those DVC
uses for `dvc exp run --queue -S`), refuses a grid larger than --max, and
composes conf/ for every combination, so a key the config lacks fails here,
before any experiment starts. The sweep workflow (.github/workflows/sweep.yml)
runs one job per combination on the training runners; `make sweep` runs the
same grid in this machine's DVC queue.

    {{ cookiecutter.project_slug }} sweep [--max N] [--jobs N] OVERRIDE...   # plan, queue, run here, rank
    {{ cookiecutter.project_slug }} keep NAME OVERRIDE...                    # an experiment into conf/
    {{ cookiecutter.project_slug }} ci sweep-plan [--max N] [--name NAME]    # the matrix JSON, as outputs
    {{ cookiecutter.project_slug }} ci sweep-report [--proposed]             # rank $SWEEP_MATRIX's

The overrides are the arguments after the options, or else the variable
$PARAMS: separated by newlines or spaces, quoted as in a shell.

`ci sweep-report` writes the best experiment to $GITHUB_OUTPUT: `best=NAME` and
`overrides=...` (quoted as in a shell). `promote` carries one experiment into
conf/ (`keep`), where the project's checks want it (params.yaml is composed from conf/):
it writes conf/experiment/NAME.yaml from its overrides, selects it in
conf/config.yaml, recomposes params.yaml and checks that it equals the
params.yaml of the experiment's commit (its ref under refs/exps/).
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from .compose import compose, select_default, text_diff
from .contract import (
    CONF_DIR,
    METRICS,
    PARAMS,
    TASK_METRICS,
    ConfigError,
    ProjectError,
    higher_is_better,
    load_params,
    validate_params,
)
from .gate import BASELINE_MARGIN, gate_failures

DEFAULT_MAX = 20
COMMAND = "{{ cookiecutter.project_slug }}"  # the project's command line (ops/cli/)
# What a git ref name (and so an experiment name) may hold.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MISSING_KEY = re.compile(r"Could not override '([^']+)'")


class SweepError(ProjectError):
    """The sweep cannot run as given: bad syntax, too many combinations, or a key the config lacks."""


@dataclass(frozen=True)
class Experiment:
    """One combination of the grid: its experiment name and its overrides, one `-S` each."""

    name: str
    overrides: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ".join(self.overrides) or "(no override)"


@dataclass(frozen=True)
class Plan:
    """The sweep as given, and the experiments it expands to, in Hydra's (and DVC's) order."""

    name: str
    overrides: tuple[str, ...]
    experiments: tuple[Experiment, ...]

    def matrix(self) -> dict[str, list[dict[str, str]]]:
        """A GitHub Actions matrix: one entry per experiment; `params` holds one override per line."""
        return {
            "include": [{"name": e.name, "params": "\n".join(e.overrides), "title": e.label} for e in self.experiments]
        }


def split_params(text: str) -> list[str]:
    """Overrides separated by newlines or spaces, quoted as in a shell (`'model.C=0.1,1'`)."""
    try:
        return shlex.split(text)
    except ValueError as err:
        raise SweepError(f"cannot split the overrides {text!r}: {err}") from None


def parse(overrides: Sequence[str]) -> list[Any]:
    """Hydra's Override objects; refuses what `dvc exp run -S` would refuse, or what is not conf/'s."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ValueType
    from hydra.errors import OverrideParseException

    if not overrides:
        raise SweepError("no overrides given: pass the sweep, e.g. model.C=0.1,1,10 (PARAMS for make sweep)")
    for line in overrides:
        if ":" in line.partition("=")[0]:
            raise SweepError(f"{line}: a sweep sets keys of conf/ (composed into {PARAMS}), not of another file")
    try:
        parsed = OverridesParser.create().parse_overrides(overrides=list(overrides))
    except OverrideParseException as err:
        raise SweepError(f"not a Hydra override: {err}") from None
    for override in parsed:
        if override.value_type == ValueType.GLOB_CHOICE_SWEEP:
            raise SweepError(f"{override.input_line}: glob sweeps are not supported by dvc exp run")
    return parsed


def grid_size(parsed: Sequence[Any], limit: int) -> tuple[int, str, str]:
    """How many combinations, counted before expanding them: the number, in words, and per swept key
    (`model.C: 4 × seed: 2`). A key's values are counted only to past `limit`: `range(0,1000000)` costs nothing."""
    sizes = [
        (override.get_key_element(), sum(1 for _ in islice(override.sweep_string_iterator(), limit + 1)))
        for override in parsed
        if override.is_sweep_override()
    ]
    total = math.prod(size for _, size in sizes)
    factors = " × ".join(f"{key}: {size}" if size <= limit else f"{key}: over {limit}" for key, size in sizes)
    counted = f"more than {limit}" if any(size > limit for _, size in sizes) else str(total)
    return total, counted, factors


def expand(overrides: Sequence[str], name: str, limit: int = DEFAULT_MAX) -> Plan:
    """The grid, with Hydra's sweeper, after checking its size against `limit`."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    if not NAME.match(name):
        raise SweepError(f"{name!r} cannot name experiments: use letters, digits, '.', '_' and '-'")
    parsed = parse(overrides)
    size, counted, factors = grid_size(parsed, limit)
    if size > limit:
        raise SweepError(
            f"the sweep has {counted} combinations ({factors}), over the limit of {limit}: "
            "sweep fewer values, or raise the limit (the workflow's `max` input, MAX for make sweep)"
        )
    (combinations,) = BasicSweeper.split_arguments(parsed, None)  # one batch: every combination
    experiments = tuple(
        Experiment(f"{name}-{index}", tuple(combination)) for index, combination in enumerate(combinations, 1)
    )
    return Plan(name, tuple(overrides), experiments)


def check_keys(plan: Plan, conf_dir: Path = CONF_DIR) -> None:
    """Compose conf/ for every combination, as `dvc exp run` will, and validate it against the schema."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    with initialize_config_dir(str(conf_dir.resolve()), version_base=None):
        for experiment in plan.experiments:
            try:
                config = compose(config_name="config", overrides=list(experiment.overrides))
                composed = OmegaConf.to_container(config, resolve=True)
            except (HydraException, OmegaConfBaseException) as err:
                raise SweepError(explain(err, experiment, conf_dir)) from None
            try:
                validate_params(composed, f"{conf_dir}/ composed with {experiment.label}", conf_dir)
            except ConfigError as err:
                raise SweepError(str(err)) from None


def explain(err: Exception, experiment: Experiment, conf_dir: Path) -> str:
    """Hydra's error in one paragraph; for a key the config lacks, the keys it has there."""
    from hydra import compose
    from omegaconf import DictConfig, OmegaConf

    message = str(err).split("\nConfig search path:")[0].strip()
    missing = MISSING_KEY.search(message)
    if not missing:
        return f"{experiment.label}: {message}"
    key = missing.group(1)
    parent = key.rpartition(".")[0]
    others = [o for o in experiment.overrides if o.partition("=")[0].lstrip("~+") != key]
    hint = ""
    try:
        node = compose(config_name="config", overrides=others)
        node = OmegaConf.select(node, parent) if parent else node
        if isinstance(node, DictConfig):
            hint = f"; {parent or 'the top level'} has {', '.join(str(k) for k in node)}"
    except Exception:  # only a hint: the error to report is the first one
        pass
    where = f" with {' '.join(others)}" if others else ""
    return (
        f"{key}: no such key in the config {conf_dir}/ composes to{where}{hint}. "
        f"Sweep it with the group that has it (e.g. model=...), or add it with +{key}=..."
    )


def plan(overrides: Sequence[str], name: str, limit: int = DEFAULT_MAX, conf_dir: Path = CONF_DIR) -> Plan:
    """Expand and check the sweep: the experiments to run, or a SweepError saying why not."""
    planned = expand(overrides, name, limit)
    check_keys(planned, conf_dir)
    return planned


# --- The ranked table --------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    experiment: Experiment
    metrics: Mapping[str, float]


def ranking_metric(task: str, gate: Mapping[str, float]) -> str:
    """The first metric the gate bounds (conf/config.yaml `gate`), else the task's main one.

    The default gate sets only a margin over the trivial baseline, on the task's main metric.
    """
    return next((key for key in gate if key != BASELINE_MARGIN), TASK_METRICS[task][0])


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
        "| rank | experiment | overrides | " + " | ".join(f"{m} {arrow[m]}" for m in columns) + " | quality gate |",
        "|---:|---|---|" + "---:|" * len(columns) + "---|",
    ]
    for position, result in enumerate(ranked, 1):
        values = [f"{result.metrics[m]:.4f}" if m in result.metrics else "–" for m in columns]
        failures = gate_failures(result.metrics, gate)
        verdict = "✅ passes" if not failures else "❌ " + "; ".join(failures)
        overrides = " ".join(f"`{o}`" for o in result.experiment.overrides)
        lines.append(f"| {position} | `{result.experiment.name}` | {overrides} | {' | '.join(values)} | {verdict} |")
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


# --- Promoting an experiment into conf/ ----------------------------------------------


def experiment_conf(name: str, overrides: Sequence[str], conf_dir: Path = CONF_DIR) -> str:
    """The text of conf/experiment/<name>.yaml: the overrides as a Hydra config at the top level.

    A config group's choice (`model=random_forest`) becomes `- override /model: random_forest`
    in its defaults; a key (`model.C=10`, `seed=7`) a nested value, typed as Hydra's parser types
    it for `dvc exp run -S` (10 an int, 10.0 a float, true a bool), so both compose the same.
    """
    import yaml

    defaults: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for override in parse(overrides):
        key = override.key_or_group
        if override.is_sweep_override():
            raise SweepError(f"{override.input_line}: a sweep; promote one experiment's overrides")
        if override.is_delete() or override.package is not None:
            raise SweepError(f"{override.input_line}: cannot be written as a config; edit conf/ by hand")
        if (conf_dir / key.replace(".", "/")).is_dir():  # a config group: its option goes in the defaults
            defaults.append({f"{'' if override.is_add() else 'override '}/{key}": override.value()})
            continue
        node = values
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = override.value()
    header = [
        "# @package _global_",
        f"# The experiment {name}: {' '.join(overrides)}",
        f"# `{COMMAND} keep` wrote it, and selected it in {conf_dir}/config.yaml (`- experiment: {name}`).",
    ]
    body = {"defaults": defaults, **values} if defaults else values
    return "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False)


def experiment_params(name: str) -> str:
    """params.yaml of the experiment `name` run on HEAD, from its git ref (refs/exps/<HEAD>/<name>)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    ref = f"refs/exps/{head[:2]}/{head[2:]}/{name}"
    shown = subprocess.run(["git", "show", f"{ref}:{PARAMS.as_posix()}"], capture_output=True, text=True)
    if shown.returncode != 0:
        raise SweepError(
            f"no experiment {name} run on HEAD ({head[:7]}) in this clone: run the sweep on this commit, "
            f"or fetch it with `dvc exp pull origin {name}`"
        )
    return shown.stdout


def promote(
    name: str, overrides: Sequence[str], expected: str, conf_dir: Path = CONF_DIR, params: Path = PARAMS
) -> Path:
    """Write and select conf/experiment/<name>.yaml, recompose params.yaml, and check that it is
    `expected` (the experiment's params.yaml); when it is not, put every file back and say how it differs.

    Compared as text, as both are DVC's composition: `C: 10.0` is not the experiment's `C: 10`.
    """
    from .adopt import all_or_nothing

    if not NAME.match(name):
        raise SweepError(f"{name!r} is not an experiment name: give EXP, e.g. EXP=sweep-1-3")
    conf = conf_dir / "experiment" / f"{name}.yaml"
    config = conf_dir / "config.yaml"
    with all_or_nothing() as rollback:
        rollback.write(conf, experiment_conf(name, overrides, conf_dir))
        rollback.write(config, select_default(config.read_text(encoding="utf-8"), "experiment", name))
        composed = compose(conf_dir=conf_dir)
        if composed != expected:
            theirs, ours = f"{params} of {name}", f"{params} composed from {conf_dir}/ with {conf}"
            diff = text_diff(expected, composed, theirs, ours)
            raise SweepError(f"{conf} does not compose to the params of {name}: are these its overrides?\n{diff}")
        rollback.write(params, composed)
    return conf


# --- The commands ------------------------------------------------------------------


def overrides_or_env(overrides: Sequence[str]) -> list[str]:
    """The overrides given, or else those in the variable PARAMS."""
    return list(overrides) or split_params(os.environ.get("PARAMS", ""))


def dvc(*args: str) -> None:
    if subprocess.run(["dvc", *args]).returncode != 0:
        raise SweepError(f"`dvc {' '.join(args)}` failed (see DVC's message above)")


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
