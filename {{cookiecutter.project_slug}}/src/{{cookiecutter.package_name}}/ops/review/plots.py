"""PNG plots for the pull-request report: the base revision's plot tables overlaid on the workspace's.

PNGs rather than `dvc plots` HTML, because that HTML loads vega from a CDN and
shows nothing offline or in a CI artifact. matplotlib is imported only when a
plot is drawn: it is slow to import.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# The plots drawn, in report order, with their headings. Each reads reports/plots/<name>.csv;
# a table the task does not write (e.g. roc for regression) is simply absent and skipped.
PLOT_TITLES = {
    "confusion": "Confusion matrix",
    "roc": "ROC curve",
    "precision_recall": "Precision-recall curve",
    "predictions": "Predicted against actual, and residuals",
    "feature_importance": "Feature importance (top 15)",
}
TOP_FEATURES = 15
HEAD_LABEL = "workspace"
BASE_STYLE: dict[str, Any] = {"color": "tab:gray", "linestyle": "--"}
HEAD_STYLE: dict[str, Any] = {"color": "tab:blue"}


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend: files only, no display needed. Imported here as it is slow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


Version = tuple[str, pd.DataFrame, dict[str, Any]]  # label, table, line style


def _versions(base: pd.DataFrame | None, head: pd.DataFrame | None, base_label: str) -> list[Version]:
    """(label, table, line style) of each version present: the base first, so the workspace draws on top."""
    pairs = [(base_label, base, BASE_STYLE), (HEAD_LABEL, head, HEAD_STYLE)]
    return [(label, table, style) for label, table, style in pairs if table is not None]


def roc_auc(table: pd.DataFrame) -> float:
    """The area under a ROC curve table (fpr, tpr), by trapezoids as sklearn's roc_auc_score."""
    fpr, tpr = table.fpr.to_numpy(), table.tpr.to_numpy()
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def average_precision(table: pd.DataFrame) -> float:
    """Average precision of a precision-recall table, as sklearn's: precision weighted by each recall step."""
    return float(-np.sum(np.diff(table.recall) * table.precision.to_numpy()[:-1]))  # recall falls along it


def _curve(x: str, y: str, score: Callable[[pd.DataFrame], float], score_name: str) -> Callable[..., Any]:
    """A renderer that draws y against x for each version, for ROC and precision-recall curves.

    Each legend entry carries the curve's score. Multiclass tables (an `average` column, plots.py)
    hold one curve over every class's one-vs-rest decisions, micro-averaged: the title says so.
    """
    chance_diagonal = x == "fpr"

    def draw(base: pd.DataFrame | None, head: pd.DataFrame | None, base_label: str) -> Any:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6, 5))
        versions = _versions(base, head, base_label)
        for label, table, style in versions:
            ax.plot(table[x], table[y], label=f"{label}: {score_name} {score(table):.3f}", **style)
        if any("average" in table for _, table, _ in versions):
            ax.set_title("micro-averaged over classes")
        if chance_diagonal:
            ax.plot([0, 1], [0, 1], color="lightgray", linewidth=1, label="chance")
        ax.set(xlabel=x, ylabel=y, xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(loc="lower right" if chance_diagonal else "lower left")
        return fig

    return draw


def draw_confusion(base: pd.DataFrame | None, head: pd.DataFrame | None, base_label: str) -> Any:
    """Confusion matrices as count heatmaps, base and workspace side by side, on the same class order."""
    plt = _pyplot()
    versions = _versions(base, head, base_label)
    labels = sorted({str(value) for _, table, _ in versions for value in pd.concat([table.actual, table.predicted])})
    matrices = [
        pd.crosstab(table.actual.astype(str), table.predicted.astype(str))
        .reindex(index=labels, columns=labels, fill_value=0)
        .to_numpy()
        for _, table, _ in versions
    ]
    most = max(int(matrix.max()) for matrix in matrices) or 1  # one colour scale for both
    fig, axes = plt.subplots(1, len(versions), figsize=(5 * len(versions), 4.5), squeeze=False)
    for ax, (label, _, _), matrix in zip(axes[0], versions, matrices, strict=True):
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=most)
        for (row, column), count in pd.DataFrame(matrix).stack().items():
            colour = "white" if count > most / 2 else "black"
            ax.text(column, row, str(count), ha="center", va="center", color=colour)
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set(title=label, xlabel="predicted", ylabel="actual")
    return fig


def draw_predictions(base: pd.DataFrame | None, head: pd.DataFrame | None, base_label: str) -> Any:
    """Predicted against actual (the diagonal is perfect), and residuals against predicted."""
    plt = _pyplot()
    versions = _versions(base, head, base_label)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for label, table, style in versions:
        left.scatter(table.actual, table.predicted, s=12, alpha=0.6, color=style["color"], label=label)
        right.scatter(table.predicted, table.residual, s=12, alpha=0.6, color=style["color"], label=label)
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


def draw_feature_importance(base: pd.DataFrame | None, head: pd.DataFrame | None, base_label: str) -> Any:
    """The workspace's top features as horizontal bars, each paired with its base importance."""
    plt = _pyplot()
    versions = _versions(base, head, base_label)
    ranked = versions[-1][1]  # the workspace's ranking, or the base's if the workspace has none
    features = list(ranked.nlargest(TOP_FEATURES, "importance").feature)
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.4 * len(features)))
    height = 0.8 / len(versions)
    for offset, (label, table, style) in enumerate(versions):
        values = table.set_index("feature").importance.reindex(features).fillna(0.0)
        positions = [row + (offset - (len(versions) - 1) / 2) * height for row in range(len(features))]
        ax.barh(positions, values, height=height, color=style["color"], label=label)
    ax.set_yticks(range(len(features)), features)
    ax.invert_yaxis()  # most important at the top
    measures = [importance_measure(table) for _, table, _ in versions]
    # A change of model kind changes the measure too (|coefficient| to impurity decrease): then name each.
    if len(set(measures)) > 1:
        measures = [f"{label}: {measure}" for (label, _, _), measure in zip(versions, measures, strict=True)]
    ax.set(xlabel="; ".join(dict.fromkeys(measures)))
    ax.legend(loc="lower right")
    return fig


RENDERERS: dict[str, Callable[..., Any]] = {
    "confusion": draw_confusion,
    "roc": _curve("fpr", "tpr", roc_auc, "AUC"),
    "precision_recall": _curve("recall", "precision", average_precision, "AP"),
    "predictions": draw_predictions,
    "feature_importance": draw_feature_importance,
}


def render_plots(
    base_tables: dict[str, pd.DataFrame], head_tables: dict[str, pd.DataFrame], out_dir: Path, base_label: str
) -> list[str]:
    """Write out_dir/<name>.png for every plot with a base or workspace table; return the names written."""
    plt = _pyplot()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, title in PLOT_TITLES.items():
        if name not in base_tables and name not in head_tables:
            continue
        fig = RENDERERS[name](base_tables.get(name), head_tables.get(name), base_label)
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(out_dir / f"{name}.png", dpi=100)
        plt.close(fig)
        written.append(name)
    return written
