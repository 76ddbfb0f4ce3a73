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

import math
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from ..checked import PATTERNS
from ..contract import (
    CONF_DIR,
    PARAMS,
    ConfigError,
    ProjectError,
    validate_params,
)

DEFAULT_MAX = 20
COMMAND = "{{ cookiecutter.project_slug }}"  # the project's command line (ops/cli/)
# What a git ref name (and so an experiment name) may hold: the allow-list's pattern.
NAME = PATTERNS["experiment"][0]
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

    if not NAME.fullmatch(name):
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


def overrides_or_env(overrides: Sequence[str]) -> list[str]:
    """The overrides given, or else those in the variable PARAMS."""
    return list(overrides) or split_params(os.environ.get("PARAMS", ""))
