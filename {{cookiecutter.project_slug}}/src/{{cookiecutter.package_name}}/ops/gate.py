"""The quality gate: the metric bounds a model must meet before it is released.

conf/config.yaml declares the bounds under `gate`. A score (higher is better)
is a minimum, an error (lower is better) a maximum; metrics.py says which is which.

    python -m {{ cookiecutter.package_name }}.ops.gate   # check reports/metrics.json; exit 1 if it fails
"""

import json
from collections.abc import Mapping
from pathlib import Path

from ..errors import ProjectError, run_stage
from ..metrics import higher_is_better
from ..params import load_params
from ..paths import METRICS


class GateError(ProjectError):
    """The metrics miss the quality gate."""


def gate_failures(metrics: Mapping[str, float], gate: Mapping[str, float]) -> list[str]:
    """One line per bound the metrics miss; empty when the gate passes."""
    failures = []
    for metric, bound in gate.items():
        if metric not in metrics:
            failures.append(f"{metric} is not among the metrics ({', '.join(sorted(metrics))})")
        elif higher_is_better(metric) and metrics[metric] < bound:
            failures.append(f"{metric} = {metrics[metric]:.4f}, below the minimum {bound}")
        elif not higher_is_better(metric) and metrics[metric] > bound:
            failures.append(f"{metric} = {metrics[metric]:.4f}, above the maximum {bound}")
    return failures


def check_gate(metrics: Mapping[str, float], gate: Mapping[str, float], source: str = str(METRICS)) -> None:
    failures = gate_failures(metrics, gate)
    if failures:
        raise GateError(f"{source} fails the quality gate (conf/config.yaml `gate`): " + "; ".join(failures))


def read_metrics(path: Path = METRICS) -> dict[str, float]:
    if not path.exists():
        raise GateError(f"{path} not found; run `make repro` (or `dvc pull`) first")
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    gate = load_params().gate
    metrics = read_metrics()
    check_gate(metrics, gate)
    print("gate: passed (" + ", ".join(f"{name} {metrics[name]:.4f}" for name in gate) + ")")


if __name__ == "__main__":
    run_stage(main)
