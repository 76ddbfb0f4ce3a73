"""Scores of several models on the same test rows, and how much of each change is noise.

Every model is scored with the project's own metric functions (metrics.py, through the
contract). The noise scale of a change is a paired bootstrap: the test rows are resampled
with replacement, both models scored on each resample, and the 2.5th and 97.5th
percentiles of the differences bound the change. Seeded, so a report says the same twice.
"""

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..contract import classification_scores, predictions, regression_scores

BOOTSTRAP_SEED = 0
# Resamples of the test rows: fewer on large splits, where each costs more and the interval is tight anyway.
MAX_RESAMPLES = 500
MIN_RESAMPLES = 200
RESAMPLED_ROWS = 2_000_000  # rows scored per model over all resamples, at most (above MIN_RESAMPLES)


RECALL = "recall, "  # the prefix of each class's recall among the scores: `recall, malignant`


@dataclass
class Scored:
    """One model's predictions on the test rows, and its scores there."""

    predicted: np.ndarray
    probabilities: np.ndarray | None
    metrics: dict[str, float]
    right: np.ndarray  # per row: predicted right (classification), or the absolute error (regression)
    coded: np.ndarray | None = None  # classification: the predictions as indexes of the scorer's classes


@dataclass
class Scorer:
    """Scores models of one task on one set of test rows."""

    task: str
    features: pd.DataFrame
    target: pd.Series
    classes: list[Any] = field(default_factory=list)  # the PR model's classes, in its order
    positive: Any = None

    def codes(self, labels: Any) -> np.ndarray:
        """Labels as their index in `classes` (-1 for any other): scikit-learn scores integers far faster than text."""
        index = {label: code for code, label in enumerate(self.classes)}
        return np.array([index.get(label, -1) for label in labels], dtype=np.int64)

    def scores(self, target: Any, predicted: Any, probabilities: Any | None) -> dict[str, float]:
        """The task's metrics, and for classification each class's recall (`recall, <class>`), on coded labels."""
        if self.task != "classification":
            return regression_scores(target, predicted)
        coded = list(range(len(self.classes)))
        scores = classification_scores(target, predicted, probabilities, coded, self.classes.index(self.positive))
        for code, label in enumerate(self.classes):
            rows = target == code
            if rows.any():
                scores[f"{RECALL}{label}"] = float((predicted[rows] == code).mean())
        return scores

    def truth(self) -> np.ndarray:
        return self.codes(self.target) if self.task == "classification" else self.target.to_numpy()

    def score(self, pipeline: Any) -> Scored:
        """The model's predictions and scores on these rows; a ValueError if it cannot read them."""
        predicted, probabilities = predictions(pipeline, self.features)
        if probabilities is not None and list(pipeline.classes_) != self.classes:
            probabilities = None  # another set of classes: its probabilities do not line up
        truth = self.truth()
        if self.task == "classification":
            coded = self.codes(predicted)
            return Scored(predicted, probabilities, self.scores(truth, coded, probabilities), coded == truth, coded)
        return Scored(predicted, probabilities, self.scores(truth, predicted, None), np.abs(truth - predicted))

    def intervals(self, head: Scored, other: Scored) -> dict[str, tuple[float, float]]:
        """The 95 % paired bootstrap interval of head's score minus other's, for each metric both have."""
        rows = len(self.target)
        resamples = int(min(MAX_RESAMPLES, max(MIN_RESAMPLES, RESAMPLED_ROWS // max(rows, 1))))
        generator = np.random.default_rng(BOOTSTRAP_SEED)
        truth = self.truth()
        names = head.metrics.keys() & other.metrics.keys()
        changes: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(resamples):
            picked = generator.integers(0, rows, rows)
            ours = self._resampled(truth, head, picked)
            theirs = self._resampled(truth, other, picked)
            for name in names & ours.keys() & theirs.keys():
                changes[name].append(ours[name] - theirs[name])
        return {
            name: (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5)))
            for name, values in changes.items()
            if len(values) >= resamples // 2  # a score defined on most resamples
        }

    def _resampled(self, truth: np.ndarray, scored: Scored, picked: np.ndarray) -> dict[str, float]:
        probabilities = None if scored.probabilities is None else scored.probabilities[picked]
        predicted = scored.predicted if scored.coded is None else scored.coded
        with warnings.catch_warnings():  # a resample may miss a class: that score is then left out
            warnings.simplefilter("ignore")
            return self.scores(truth[picked], predicted[picked], probabilities)


def recalls(target: pd.Series, predicted: np.ndarray) -> pd.DataFrame:
    """Per class: rows (support), how many the model found (recall's numerator) and missed, and recall."""
    truth = target.astype(str).to_numpy()
    found = truth == np.asarray(predicted).astype(str)
    frame = pd.DataFrame({"class": truth, "found": found})
    table = frame.groupby("class", sort=True).found.agg(rows="size", found="sum")
    table["missed"] = table.rows - table.found
    table["recall"] = table.found / table.rows
    return table
