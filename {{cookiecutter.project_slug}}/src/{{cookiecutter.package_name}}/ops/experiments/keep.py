"""Keeping an experiment: carry its overrides into conf/experiment/NAME.yaml, selected in conf/config.yaml."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config.compose import compose, select_default, text_diff
from ..contract import (
    CONF_DIR,
    PARAMS,
)
from .grid import COMMAND, NAME, SweepError, parse

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
    from ..config.adopt import all_or_nothing

    if not NAME.fullmatch(name):
        raise SweepError(f"{name!r} is not an experiment name: name one as the sweep table does, e.g. sweep-1-3")
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
