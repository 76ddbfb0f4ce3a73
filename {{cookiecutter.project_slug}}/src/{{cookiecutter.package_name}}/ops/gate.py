"""The quality gate: what a model must reach before it is released.

conf/config.yaml declares it under `gate`:

- `baseline_margin` (the default, for any data): the model must beat a trivial baseline
  fitted on the same split (the most frequent class, or the mean; metrics.baseline_scores)
  on the task's main metric, removing at least this share of the baseline's error. The
  error is 1 - accuracy for classification, the rmse for regression. With 0.1 and a
  baseline accuracy of 0.60, the model needs 1 - 0.40 * 0.9 = 0.64; a model that only
  ever predicts the majority class fails.
- a metric's name: an absolute bound, opt-in because what is good depends on the data.
  A score (higher is better) is a minimum, an error (lower is better) a maximum;
  metrics.py says which is which.

    {{ cookiecutter.project_slug }} gate   # check reports/metrics.json; exit 1 if it fails
"""

import json
from collections.abc import Mapping
from pathlib import Path

from .contract import BASELINE_PREFIX, METRICS, ProjectError, bound_sign, higher_is_better, load_params

# The keys of `gate` that are margins over the baseline, not a metric's bound. balanced_margin, when
# set, is balanced accuracy's own: that baseline is always 0.5 for two classes, and a margin of 0.1 over
# it asks no more than accuracy's does, so imbalanced data needs a larger one to catch a model that
# rarely finds the rare class (0.5: two classes need a balanced accuracy of 0.75).
BASELINE_MARGIN = "baseline_margin"
BALANCED_MARGIN = "balanced_margin"
MARGINS = frozenset({BASELINE_MARGIN, BALANCED_MARGIN})


class GateError(ProjectError):
    """The metrics miss the quality gate."""


def baseline_bounds(metrics: Mapping[str, float], margin: float, balanced: float | None = None) -> dict[str, float]:
    """For each metric with a baseline score in metrics: the value that beats the baseline by margin
    (by `balanced`, if given, for balanced accuracy).

    Scores here are at most 1 (accuracy, r2...), so 1 - score is the error to cut.
    """
    bounds = {}
    for key, baseline in metrics.items():
        metric = key.removeprefix(BASELINE_PREFIX)
        if key.startswith(BASELINE_PREFIX) and metric in metrics:
            kept = 1 - (balanced if metric == "balanced_accuracy" and balanced is not None else margin)
            bounds[metric] = 1 - (1 - baseline) * kept if higher_is_better(metric) else baseline * kept
    return bounds


def _margin_of(metric: str, gate: Mapping[str, float]) -> float:
    return gate.get(BALANCED_MARGIN, gate[BASELINE_MARGIN]) if metric == "balanced_accuracy" else gate[BASELINE_MARGIN]


def misses(metric: str, value: float, bound: float) -> bool:
    return value < bound if higher_is_better(metric) else value > bound


def gate_failures(metrics: Mapping[str, float], gate: Mapping[str, float]) -> list[str]:
    """One line per requirement the metrics miss; empty when the gate passes."""
    failures = []
    if BASELINE_MARGIN in gate:
        beat = baseline_bounds(metrics, gate[BASELINE_MARGIN], gate.get(BALANCED_MARGIN))
        if not beat:
            failures.append(f"no {BASELINE_PREFIX}* score among the metrics to beat; run `make repro`")
        for metric, bound in beat.items():
            if misses(metric, metrics[metric], bound):
                baseline = metrics[BASELINE_PREFIX + metric]
                failures.append(
                    f"{metric} = {metrics[metric]:.4f} does not beat the trivial baseline's {baseline:.4f} "
                    f"by the margin {_margin_of(metric, gate):g}: it needs {bound_sign(metric)} {bound:.4f}"
                )
    for metric, bound in gate.items():
        if metric in MARGINS:
            continue
        if metric not in metrics:
            failures.append(f"{metric} is not among the metrics ({', '.join(sorted(metrics))})")
        elif misses(metric, metrics[metric], bound):
            side = "below the minimum" if higher_is_better(metric) else "above the maximum"
            failures.append(f"{metric} = {metrics[metric]:.4f}, {side} {bound}")
    return failures


def required(metrics: Mapping[str, float], gate: Mapping[str, float]) -> dict[str, float]:
    """Each metric the gate bounds, with the strictest bound it must meet (absolute, or to beat the baseline)."""
    bounds = {metric: bound for metric, bound in gate.items() if metric not in MARGINS}
    if BASELINE_MARGIN in gate:
        for metric, bound in baseline_bounds(metrics, gate[BASELINE_MARGIN], gate.get(BALANCED_MARGIN)).items():
            stricter = max if higher_is_better(metric) else min
            bounds[metric] = stricter(bound, bounds.get(metric, bound))
    return bounds


def check_gate(metrics: Mapping[str, float], gate: Mapping[str, float], source: str = str(METRICS)) -> None:
    failures = gate_failures(metrics, gate)
    if failures:
        raise GateError(f"{source} fails the quality gate (conf/config.yaml `gate`): " + "; ".join(failures))


def read_metrics(path: Path = METRICS) -> dict[str, float]:
    if not path.exists():
        raise GateError(f"{path} not found; run `make repro` (or `dvc pull`) first")
    return json.loads(path.read_text(encoding="utf-8"))


def check() -> str:
    """Check reports/metrics.json against params.yaml's gate; the line that says it passed."""
    gate = load_params().gate
    metrics = read_metrics()
    check_gate(metrics, gate)
    bounds = required(metrics, gate)
    sign = {metric: bound_sign(metric) for metric in bounds}
    shown = ", ".join(f"{name} {metrics[name]:.4f} {sign[name]} {bound:.4f}" for name, bound in bounds.items())
    return f"gate: passed ({shown or 'no requirement set'})"
