"""PNG figures of the plot tables (plots.py): evaluate draws the model's under reports/figures/,
and the pull-request report draws the base's over the pull request's.

PNGs rather than `dvc plots` HTML, because that HTML loads vega from a CDN and shows
nothing offline or in a CI artifact. Curves are zoomed to where they differ (zoom.py
says where), and importance is one measure on one axis. matplotlib is imported only
when a figure is drawn: it is slow to import.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .zoom import pr_floor, roc_window

# The figures drawn, in order, with their titles. Each reads reports/plots/<name>.csv; a table the
# task does not write (e.g. roc for regression) is simply absent and skipped.
FIGURE_TITLES = {
    "confusion": "Confusion matrix",
    "roc": "ROC curve",
    "precision_recall": "Precision-recall curve",
    "predictions": "Predicted against actual, and residuals",
    "feature_importance": "Feature importance",
}
HEAD_LABEL = "this model"
BASE_STYLE: dict[str, Any] = {"color": "tab:gray", "linestyle": "--"}
HEAD_STYLE: dict[str, Any] = {"color": "tab:blue"}

Version = tuple[str, pd.DataFrame, dict[str, Any]]  # label, table, line style


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend: files only, no display needed. Imported here as it is slow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _versions(base: pd.DataFrame | None, head: pd.DataFrame | None, base_label: str, head_label: str) -> list[Version]:
    """(label, table, line style) of each version present: the base first, so the head draws on top."""
    pairs = [(base_label, base, BASE_STYLE), (head_label, head, HEAD_STYLE)]
    return [(label, table, style) for label, table, style in pairs if table is not None]


def roc_auc(table: pd.DataFrame) -> float:
    """The area under a ROC curve table (fpr, tpr), by trapezoids as sklearn's roc_auc_score."""
    fpr, tpr = table.fpr.to_numpy(), table.tpr.to_numpy()
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def average_precision(table: pd.DataFrame) -> float:
    """Average precision of a precision-recall table, as sklearn's: precision weighted by each recall step."""
    return float(-np.sum(np.diff(table.recall) * table.precision.to_numpy()[:-1]))  # recall falls along it


def draw_roc(versions: list[Version]) -> Any:
    """ROC curves zoomed to the false-positive rates where they rise (roc_window), each with its AUC."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    for label, table, style in versions:
        ax.step(table.fpr, table.tpr, where="post", label=f"{label}: AUC {roc_auc(table):.3f}", **style)
    x_max, y_min = roc_window([table for _, table, _ in versions])
    ax.set(xlabel="false positive rate", ylabel="true positive rate", xlim=(0, x_max), ylim=(y_min, 1.005))
    ax.set_title(_averaging(versions) + (f"zoomed: FPR up to {x_max:g}" if x_max < 1 else ""))
    ax.legend(loc="lower right")
    return fig


def draw_precision_recall(versions: list[Version]) -> Any:
    """Precision against recall, precision's axis starting where the curves start to fall (pr_floor)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    for label, table, style in versions:
        ax.step(
            table.recall, table.precision, where="pre", label=f"{label}: AP {average_precision(table):.3f}", **style
        )
    floor = pr_floor([table for _, table, _ in versions])
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.005), ylim=(floor, 1.005))
    ax.set_title(_averaging(versions) + (f"zoomed: precision from {floor:g}" if floor > 0 else ""))
    ax.legend(loc="lower left")
    return fig


def _averaging(versions: list[Version]) -> str:
    """Multiclass tables (an `average` column, plots.py) pool every class's one-vs-rest decisions."""
    return "micro-averaged over classes; " if any("average" in table for _, table, _ in versions) else ""


def draw_confusion(versions: list[Version]) -> Any:
    """Confusion matrices as count heatmaps, side by side, on the same class order and colour scale."""
    plt = _pyplot()
    labels = sorted({str(value) for _, table, _ in versions for value in pd.concat([table.actual, table.predicted])})
    matrices = [
        pd.crosstab(table.actual.astype(str), table.predicted.astype(str))
        .reindex(index=labels, columns=labels, fill_value=0)
        .to_numpy()
        for _, table, _ in versions
    ]
    most = max(int(matrix.max()) for matrix in matrices) or 1
    fig, axes = plt.subplots(1, len(versions), figsize=(5 * len(versions), 4.5), squeeze=False)
    for ax, (label, _, _), matrix in zip(axes[0], versions, matrices, strict=True):
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=most)
        for (row, column), count in pd.DataFrame(matrix).stack().items():
            ax.text(column, row, str(count), ha="center", va="center", color="white" if count > most / 2 else "black")
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set(title=label, xlabel="predicted", ylabel="actual")
    return fig


def draw_predictions(versions: list[Version]) -> Any:
    """Predicted against actual (the diagonal is perfect), and residuals against predicted.

    predictions.csv holds at most plots.MAX_ROWS rows (a seeded sample), so the points stay
    readable however large the test split; small, translucent markers show where they crowd.
    """
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for label, table, style in versions:
        points = {"s": 6, "alpha": 0.35 if len(table) > 500 else 0.7, "color": style["color"], "label": label}
        left.scatter(table.actual, table.predicted, **points)
        right.scatter(table.predicted, table.residual, **points)
    low = min(min(table.actual.min(), table.predicted.min()) for _, table, _ in versions)
    high = max(max(table.actual.max(), table.predicted.max()) for _, table, _ in versions)
    left.plot([low, high], [low, high], color="lightgray", linewidth=1)
    right.axhline(0, color="lightgray", linewidth=1)
    left.set(title="Predicted against actual", xlabel="actual", ylabel="predicted")
    right.set(title="Residuals", xlabel="predicted", ylabel="residual (actual - predicted)")
    left.legend()
    return fig


def importance_measure(table: pd.DataFrame) -> str:
    """What a feature-importance table measures (its `measure` column); plain "importance" if it does not say."""
    return str(table["measure"].iloc[0]) if "measure" in table and len(table) else "importance"


def draw_feature_importance(versions: list[Version]) -> Any:
    """The head's top features as horizontal bars, each paired with the base's; one measure, one axis.

    A base measured another way (an older table) is left out rather than drawn on the same axis.
    """
    plt = _pyplot()
    measure = importance_measure(versions[-1][1])
    versions = [version for version in versions if importance_measure(version[1]) == measure]
    features = list(versions[-1][1].nlargest(15, "importance").feature)
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.4 * len(features)))
    height = 0.8 / len(versions)
    for offset, (label, table, style) in enumerate(versions):
        values = table.set_index("feature").importance.reindex(features).fillna(0.0)
        positions = [row + (offset - (len(versions) - 1) / 2) * height for row in range(len(features))]
        ax.barh(positions, values, height=height, color=style["color"], label=label)
    ax.set_yticks(range(len(features)), features)
    ax.invert_yaxis()  # most important at the top
    ax.set(xlabel=measure)
    ax.legend(loc="lower right")
    return fig


RENDERERS: dict[str, Callable[[list[Version]], Any]] = {
    "confusion": draw_confusion,
    "roc": draw_roc,
    "precision_recall": draw_precision_recall,
    "predictions": draw_predictions,
    "feature_importance": draw_feature_importance,
}


def draw_figures(
    head: dict[str, pd.DataFrame],
    out_dir: Path,
    base: dict[str, pd.DataFrame] | None = None,
    base_label: str = "base",
    head_label: str = HEAD_LABEL,
) -> list[str]:
    """Write out_dir/<name>.png for every table in head or base; the names written, in FIGURE_TITLES order."""
    plt = _pyplot()
    base = base or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, title in FIGURE_TITLES.items():
        versions = _versions(base.get(name), head.get(name), base_label, head_label)
        if not versions:
            continue
        fig = RENDERERS[name](versions)
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(out_dir / f"{name}.png", dpi=100, metadata={"Software": None})  # the same bytes every run
        plt.close(fig)
        written.append(name)
    return written
