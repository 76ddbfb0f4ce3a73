"""The drift report: drift.json and drift.md, and the monitor command that writes them."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..checked import checked_batch
from ..contract import (
    INCOMING,
    DataError,
    load_params,
)
from ..markdown import table
from .drift import detect_drift, read_frame

REPORT_JSON = "drift.json"
REPORT_MD = "drift.md"


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def flag(value: bool) -> str:
    return "**yes**" if value else "no"


def result_row(result: Mapping[str, Any]) -> list[str]:
    """The table cells of one test, of a feature or of the predictions."""
    statistic, p_value = number(result["statistic"]), number(result["p_value"])
    return [result["kind"], result["test"] or "n/a", statistic, p_value, flag(result["drifted"])]


def unseen_cell(result: Mapping[str, Any]) -> str:
    """A categorical feature's share of values never seen in training, and the first of them."""
    if "unseen_share" not in result:  # numeric
        return "n/a"
    listed = f" ({', '.join(result['unseen'])})" if result["unseen"] else ""
    return f"{result['unseen_share'] * 100:.0f}%{listed}"


def summary(report: Mapping[str, Any]) -> str:
    """One line: the verdict, the drifted features and the prediction test."""
    verdict = "DRIFT" if report["drift"] else "no drift"
    prediction = report["prediction"]
    if prediction["p_value"] is not None:
        decided = f"{prediction['test']} p = {number(prediction['p_value'])}"
    else:
        decided = f"{prediction['test'] or 'untested'} distance {number(prediction['statistic'])}"
    return (
        f"{verdict}: {len(report['drifted_features'])} of {len(report['features'])} features drifted, "
        f"predictions {decided}"
    )


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as markdown: verdict and reasons, then one table each for features, predictions and metrics."""
    limits = report["thresholds"]
    lines = [f"# Drift report: {summary(report)}", ""]
    if "model" in report:
        lines.append(f"- model: `{report['model']['spec']}` ({report['model'].get('version') or 'unversioned'})")
    for side in ("reference", "current"):
        where = f"`{report[side]}`, " if side in report else ""
        lines.append(f"- {side}: {where}{report['rows'][side]} rows")
    lines += [
        f"- thresholds: a test (ks, chi2) drifts at p < {limits['p_value']}, used while either side has at most "
        f"{limits['distance_above_rows']} rows; above that a distance (wasserstein, in standard deviations; "
        f"jensen_shannon, 0 to 1) drifts at {limits['max_distance']}",
        f"- the batch drifts when more than {limits['max_drifted_share'] * 100:.0f}% of the features drift, "
        f"a categorical feature has more than {limits['max_unseen_share'] * 100:.0f}% of its values in "
        f"categories never seen in training, the predictions drift, or a metric is worse by more than "
        f"{limits['max_metric_drop']}",
        "",
    ]
    lines += [f"- **drift:** {reason}" for reason in report["reasons"]] or ["No drift past the thresholds."]
    features = [[name, *result_row(result), unseen_cell(result)] for name, result in report["features"].items()]
    header = "feature | kind | test | statistic | p-value | drifted | unseen categories"
    lines += ["", "## Features", "", *table(header.split(" | "), features)]
    predictions = [result_row(report["prediction"])]
    lines += ["", "## Predictions", "", *table(["kind", "test", "statistic", "p-value", "drifted"], predictions)]
    if report["performance"] is not None:
        metrics = [
            [name, f"{row['published']:.4f}", f"{row['current']:.4f}", number(row["worse_by"]), flag(row["failed"])]
            for name, row in report["performance"].items()
        ]
        counted = report["labelled"]
        left_out = f"; {counted['left_out']} without a label left out" if counted["left_out"] else ""
        lines += ["", "## Performance", "", f"Scored on the {counted['scored']} labelled rows{left_out}.", ""]
        lines += table(["metric", "published", "current", "worse by", "failed"], metrics)
    return "\n".join(lines) + "\n"


def write_reports(report: Mapping[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT_JSON).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / REPORT_MD).write_text(render_markdown(report), encoding="utf-8")


def newest_batch(incoming: Path = INCOMING) -> Path:
    """The newest batch in data/incoming/ (by name: date them, batch-2024-06-01.csv), if its name is safe."""
    batches = sorted(incoming.glob("*.csv"))
    if not batches:
        raise DataError(f"no batch in {incoming}/ (see its README.md); or pass --current path")
    return checked_batch(batches[-1])


def run(model: str, current: Path, reference: Path, labels: bool, out: Path) -> int:
    """The monitor command: 0 when the batch is within the thresholds, 1 when it drifts.

    Bad input raises a ProjectError before any report is written.
    """
    from ..registry.bundle import load_model

    # No stale report from an earlier batch survives a run that fails.
    for name in (REPORT_JSON, REPORT_MD):
        (out / name).unlink(missing_ok=True)
    thresholds = load_params().monitor
    reference_name, current_name = f"--reference {reference}", f"--current {current}"
    reference_frame = read_frame(reference, reference_name)
    current_frame = read_frame(current, current_name)
    bundle = load_model(model)
    report = {
        "model": {"spec": model, "path": str(bundle.path), "version": bundle.manifest.get("version")},
        "reference": str(reference),
        "current": str(current),
        **detect_drift(
            reference_frame,
            current_frame,
            bundle,
            thresholds,
            labels,
            reference_name=reference_name,
            current_name=current_name,
        ),
    }
    write_reports(report, out)
    print(f"monitor: {summary(report)}; report in {out / REPORT_MD}")
    for reason in report["reasons"]:
        print(f"  - {reason}")
    return 1 if report["drift"] else 0
