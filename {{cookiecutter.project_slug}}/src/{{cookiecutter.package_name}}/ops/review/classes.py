"""The classification sections of the pull-request report: the confusion matrix, per-class scores."""

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..markdown import cell, table
from .sections import DECIMALS, MAX_CLASSES


def confusion_counts(pairs: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Counts of the (actual, predicted) pairs evaluate writes: a row per actual class, a column per predicted."""
    counts = pd.crosstab(pairs.actual.astype(str), pairs.predicted.astype(str))
    return counts.reindex(index=labels, columns=labels, fill_value=0)


def per_class(counts: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support of each class of a confusion matrix; NaN where undefined (0 / 0)."""
    right = pd.Series(np.diag(counts), index=counts.index)
    predicted, actual = counts.sum(axis=0), counts.sum(axis=1)
    return pd.DataFrame(
        {
            "precision": right / predicted.replace(0, np.nan),
            "recall": right / actual.replace(0, np.nan),
            "F1": 2 * right / (predicted + actual).replace(0, np.nan),  # = 2PR / (P + R)
            "support": actual,
        }
    )


def _formatted(scores: pd.DataFrame) -> pd.DataFrame:
    """per_class() as table cells: scores to DECIMALS, support as a count, — where undefined."""
    cells = scores.drop(columns="support").map(lambda value: "—" if pd.isna(value) else f"{value:.{DECIMALS}f}")
    return cells.assign(support=scores.support.astype(str))


def _with_base(
    head: pd.DataFrame, base: pd.DataFrame | None, cells: Callable[[pd.DataFrame], pd.DataFrame]
) -> pd.DataFrame:
    """The `cells` of the head's frame, with the base's where it shows differently: `52 (was 50)`."""
    shown = cells(head)
    if base is None:
        return shown
    was = cells(base)
    return shown.where(shown == was, shown + " (was " + was + ")")


def _frame_table(frame: pd.DataFrame, corner: str) -> list[str]:
    """A frame of cells as a Markdown table: the index as the first column, the others right-aligned."""
    rows = [[cell(label), *cells] for label, cells in zip(frame.index, frame.to_numpy().tolist(), strict=True)]
    return table([corner, *map(cell, frame.columns)], rows, "l" + "r" * len(frame.columns))


def classification_sections(base: pd.DataFrame | None, head: pd.DataFrame | None) -> list[str]:
    """The confusion matrix and per-class scores from the head's pairs, with the base's where they differ."""
    if head is None:
        return []
    pairs = pd.concat([table for table in (base, head) if table is not None])
    labels = sorted(set(pairs.actual.astype(str)) | set(pairs.predicted.astype(str)))
    counts = confusion_counts(head, labels)
    base_counts = None if base is None else confusion_counts(base, labels)
    shown, cut = labels, []
    if len(labels) > MAX_CLASSES:  # the most frequent in the test set, in label order
        shown = sorted(counts.sum(axis=1).nlargest(MAX_CLASSES).index)
        cut = [f"The {len(shown)} most frequent of {len(labels)} classes; {len(labels) - len(shown)} left out.", ""]
    matrix = _with_base(counts, base_counts, lambda frame: frame.astype(str)).loc[shown, shown]
    for label in shown:
        matrix.at[label, label] = f"**{matrix.at[label, label]}**"  # the diagonal: right predictions
    scores = _with_base(counts, base_counts, lambda frame: _formatted(per_class(frame)))
    return [
        *cut,
        "Counts on this PR's test rows, a row per actual class; `(was N)` is the base model's count on the "
        "same rows where it differs.",
        "",
        *_frame_table(matrix, "actual ↓ predicted →"),
        "",
        *_frame_table(scores.loc[shown], "class"),
        "",
    ]
