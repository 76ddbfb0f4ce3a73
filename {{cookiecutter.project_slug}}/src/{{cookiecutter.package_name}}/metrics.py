"""Scores of a fitted pipeline on held-out data, and which way each metric is better.

params.py (and through it `make params`, which runs before every `make repro`)
imports the names below, so this module imports numpy and scikit-learn only
inside the functions that score: importing it stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

# What evaluate writes to reports/metrics.json for each task. The quality gate (conf/config.yaml
# `gate`) may bound only these; add a new metric here, with its direction, when you compute one.
TASK_METRICS = {
    "classification": ("accuracy", "balanced_accuracy", "f1", "roc_auc", "average_precision"),
    "regression": ("rmse", "mae", "r2"),
}
# evaluate also scores a trivial baseline under this prefix: `baseline_accuracy` and
# `baseline_balanced_accuracy`, or `baseline_rmse`. The quality gate asks the model to beat each.
# Balanced accuracy (the mean recall over classes) is 0.5 for any model that ignores its input, so
# a model that nearly always answers the majority class of imbalanced data fails the gate there.
BASELINE_PREFIX = "baseline_"
# Scores, where higher is better, and errors, where lower is better.
HIGHER_IS_BETTER = frozenset({"accuracy", "balanced_accuracy", "f1", "roc_auc", "average_precision", "r2"})
LOWER_IS_BETTER = frozenset({"rmse", "mae"})
# How the scores over probabilities average, as the PR report's footnote says (the PNG curves differ).
AVERAGING = (
    "f1, roc_auc and average_precision score the positive class (data.positive, by default the "
    "training split's minority class); with more classes, each class against the rest, averaged "
    "with equal weight per class (macro)"
)


def higher_is_better(metric: str) -> bool:
    return metric in HIGHER_IS_BETTER


def bound_sign(metric: str) -> str:
    """How a bound on the metric reads: a score must be ≥ it, an error ≤ it."""
    return "≥" if higher_is_better(metric) else "≤"


def positive_class(classes: Sequence[object], train_labels: pd.Series, configured: object = None) -> object:
    """The class that f1, precision, recall and average precision score, of a binary task.

    `data.positive` in conf/data/ when set (compared as text, so `1` and "1" match), else the
    training split's minority class: on imbalanced data that is the one worth finding.
    """
    if configured is not None:
        for label in classes:
            if str(label) == str(configured):
                return label
        raise ConfigError(
            f"data.positive {configured!r} is not a class of the target; choose one of " + ", ".join(map(str, classes))
        )
    counts = train_labels.value_counts()
    return min(classes, key=lambda label: (counts.get(label, 0), -list(classes).index(label)))


def classification_scores(
    labels: Any, predicted: Any, probabilities: Any | None, classes: Sequence[object], positive: object
) -> dict[str, float]:
    """Accuracy, F1 and, from class probabilities, ROC AUC and average precision.

    F1 and average precision score `positive` on two classes; with more, every class, averaged
    with equal weight per class (macro). ROC AUC and AP need every class present in `labels`.
    """
    import numpy as np
    from sklearn import metrics
    from sklearn.preprocessing import label_binarize

    binary = len(classes) == 2
    f1_args = {"average": "binary", "pos_label": positive} if binary else {"average": "macro"}
    scores = {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "balanced_accuracy": metrics.balanced_accuracy_score(labels, predicted),
        "f1": metrics.f1_score(labels, predicted, **f1_args),
    }
    if probabilities is not None and set(np.unique(labels)) == set(classes):
        if binary:
            truth, scored = np.asarray(labels) == positive, probabilities[:, list(classes).index(positive)]
            scores["roc_auc"] = metrics.roc_auc_score(truth, scored)
            scores["average_precision"] = metrics.average_precision_score(truth, scored)
        else:  # one-vs-rest, macro: see AVERAGING
            scores["roc_auc"] = metrics.roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)
            truth = label_binarize(labels, classes=classes)
            scores["average_precision"] = metrics.average_precision_score(truth, probabilities, average="macro")
    return {name: float(value) for name, value in scores.items()}


def predictions(pipeline: Pipeline, features: pd.DataFrame) -> tuple[Any, Any | None]:
    """The pipeline's predictions, and its class probabilities where it has them (None otherwise)."""
    probabilities = pipeline.predict_proba(features) if hasattr(pipeline, "predict_proba") else None
    return pipeline.predict(features), probabilities


def classification_metrics(
    pipeline: Pipeline, features: pd.DataFrame, labels: pd.Series, positive: object = None
) -> dict[str, float]:
    """classification_scores of the pipeline on held-out rows; `positive` defaults to their minority class."""
    classes = list(pipeline.classes_)
    positive = positive_class(classes, labels) if positive is None else positive
    return classification_scores(labels, *predictions(pipeline, features), classes, positive)


def regression_scores(targets: Any, predicted: Any) -> dict[str, float]:
    import numpy as np
    from sklearn import metrics

    return {
        "rmse": float(np.sqrt(metrics.mean_squared_error(targets, predicted))),
        "mae": float(metrics.mean_absolute_error(targets, predicted)),
        "r2": float(metrics.r2_score(targets, predicted)),
    }


def regression_metrics(pipeline: Pipeline, features: pd.DataFrame, targets: pd.Series) -> dict[str, float]:
    return regression_scores(targets, pipeline.predict(features))


def baseline_scores(task: str, train_targets: pd.Series, test_targets: pd.Series) -> dict[str, float]:
    """The scores of a model that ignores the features, fitted on the same training split.

    It predicts the most frequent class, or the mean: any model worth releasing does better.
    """
    import numpy as np
    from sklearn import metrics
    from sklearn.dummy import DummyClassifier, DummyRegressor

    baseline = DummyClassifier(strategy="most_frequent") if task == "classification" else DummyRegressor()
    baseline.fit(np.zeros((len(train_targets), 1)), train_targets)  # one placeholder feature: it is ignored
    predicted = baseline.predict(np.zeros((len(test_targets), 1)))
    if task == "classification":
        scores = {
            "accuracy": metrics.accuracy_score(test_targets, predicted),
            "balanced_accuracy": metrics.balanced_accuracy_score(test_targets, predicted),
        }
    else:
        scores = {"rmse": np.sqrt(metrics.mean_squared_error(test_targets, predicted))}
    return {BASELINE_PREFIX + name: float(score) for name, score in scores.items()}
