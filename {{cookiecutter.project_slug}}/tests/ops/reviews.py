"""Reviews to judge: stand-in models with fixed answers on labelled rows, scored as the report scores them."""

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.ops.review.scoring import Scorer
from {{ cookiecutter.package_name }}.ops.review.sides import Head, Side
from {{ cookiecutter.package_name }}.ops.review.verdict import Review

CLASSES = ["benign", "malignant"]


class Fixed:
    """A stand-in model that answers fixed predictions (and, if given, probabilities) for the test rows."""

    classes_ = np.array(CLASSES)

    def __init__(self, predicted: list[str], probabilities: np.ndarray | None = None) -> None:
        self.predicted = np.array(predicted, dtype=object)
        if probabilities is not None:
            self.predict_proba = lambda features: probabilities

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.predicted


def truth(benign: int = 72, malignant: int = 42) -> pd.Series:
    return pd.Series(["benign"] * benign + ["malignant"] * malignant)


def missing(labels: pd.Series, malignant: int, benign: int = 0) -> list[str]:
    """The labels, with the first `malignant` malignant rows and `benign` benign rows predicted wrong."""
    predicted = labels.tolist()
    wrong = {"malignant": malignant, "benign": benign}
    for row, label in enumerate(predicted):
        if wrong[label]:
            wrong[label] -= 1
            predicted[row] = "benign" if label == "malignant" else "malignant"
    return predicted


def review(head: list[str], base: list[str] | None, labels: pd.Series, gate: dict | None = None, **side) -> Review:
    """A Review of a head and a base model on the same labelled rows."""
    scorer = Scorer("classification", pd.DataFrame({"x": range(len(labels))}), labels, CLASSES, "malignant")
    head_model = Fixed(head)
    scored = scorer.score(head_model)
    shares = (labels.value_counts(normalize=True).sort_index()).to_dict()
    ahead = Head(head_model, scorer, scored, pd.DataFrame({"x": range(len(labels))}), shares)
    other = Side("`main`", "main", "0123456789abcdef", same_test=True, test_rows=len(labels), test_shares=shares)
    if base is not None:
        other.scored = scorer.score(Fixed(base))
        other.intervals = scorer.intervals(scored, other.scored)
    for name, value in side.items():
        setattr(other, name, value)
    metrics = scored.metrics | {"baseline_accuracy": 0.6316, "baseline_balanced_accuracy": 0.5}
    return Review("classification", gate or {"baseline_margin": 0.1}, ahead, metrics, "this PR @ 1a2b3c4", other)
