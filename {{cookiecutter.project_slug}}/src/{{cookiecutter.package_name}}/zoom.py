"""Where curves are worth looking at: the window of a ROC or precision-recall plot where they differ.

A good classifier's ROC curve rises to 1 within a few percent of false positives: drawn from
0 to 1, two models' curves look the same. The figures (figures.py) and the pull-request
report's charts zoom to the window these functions pick, on a round step so axes read easily.
"""

import math
from collections.abc import Sequence

import pandas as pd

STEPS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)  # the widths a zoomed false-positive axis may take


def _floor(value: float, step: float = 0.05) -> float:
    return max(0.0, math.floor(value / step) * step)


def roc_window(tables: Sequence[pd.DataFrame]) -> tuple[float, float]:
    """(highest false-positive rate, lowest true-positive rate) to show of these ROC tables (fpr, tpr).

    The x axis ends at the first round step by which every curve has reached its highest
    true-positive rate; the y axis starts below the lowest rate any curve has at no false positive.
    """
    reached = max(float(table.fpr[table.tpr >= table.tpr.max()].min()) for table in tables)
    x_max = next(step for step in STEPS if reached <= step)
    lowest = min(float(table.tpr[table.fpr <= 0].max()) if (table.fpr <= 0).any() else 0.0 for table in tables)
    return x_max, round(min(_floor(lowest), 0.95), 2)  # never an empty axis, even for perfect curves


def pr_floor(tables: Sequence[pd.DataFrame]) -> float:
    """The lowest precision to show of these precision-recall tables: below any curve up to 95 % recall."""
    lowest = min(float(table.precision[table.recall <= 0.95].min()) for table in tables)
    return round(min(_floor(lowest), 0.95), 2)
