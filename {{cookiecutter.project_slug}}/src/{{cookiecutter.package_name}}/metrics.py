"""Scores of a fitted pipeline on held-out data, and which way each metric is better.

params.py (and through it `make params`, which runs before every `make repro`)
imports the names below, so this module imports numpy and scikit-learn only
inside the functions that score: importing it stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

# What evaluate writes to reports/metrics.json for each task. The quality gate (conf/config.yaml
# `gate`) may bound only these; add a new metric here, with its direction, when you compute one.
TASK_METRICS = {
    "classification": ("accuracy", "f1", "roc_auc", "average_precision"),
    "regression": ("rmse", "mae", "r2"),
}
# evaluate also scores a trivial baseline on the task's main metric (the first above), under this
# prefix: `baseline_accuracy`, `baseline_rmse`. The quality gate asks the model to beat it.
BASELINE_PREFIX = "baseline_"
# Scores, where higher is better, and errors, where lower is better.
HIGHER_IS_BETTER = frozenset({"accuracy", "f1", "roc_auc", "average_precision", "r2"})
LOWER_IS_BETTER = frozenset({"rmse", "mae"})
# How the scores over probabilities average, as the PR report's footnote says (the PNG curves differ).
AVERAGING = (
    "roc_auc and average_precision score the second class against the first; with more classes, "
    "each class against the rest, averaged with equal weight per class (macro)"
)


def higher_is_better(metric: str) -> bool:
    return metric in HIGHER_IS_BETTER


def bound_sign(metric: str) -> str:
    """How a bound on the metric reads: a score must be ≥ it, an error ≤ it."""
    return "≥" if higher_is_better(metric) else "≤"


def classification_metrics(pipeline: Pipeline, features: pd.DataFrame, labels: pd.Series) -> dict[str, float]:
    """Accuracy, F1 (binary, or macro-averaged over classes), ROC AUC and average precision where defined."""
    from sklearn import metrics
    from sklearn.preprocessing import label_binarize

    predicted = pipeline.predict(features)
    classes = pipeline.classes_
    binary = len(classes) == 2
    f1_args = {"average": "binary", "pos_label": classes[1]} if binary else {"average": "macro"}
    scores = {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "f1": metrics.f1_score(labels, predicted, **f1_args),
    }
    # ROC AUC and AP need class probabilities and every class present in the test set.
    if hasattr(pipeline, "predict_proba") and set(labels) == set(classes):
        probabilities = pipeline.predict_proba(features)
        if binary:
            truth, scored = labels == classes[1], probabilities[:, 1]
            scores["roc_auc"] = metrics.roc_auc_score(truth, scored)
            scores["average_precision"] = metrics.average_precision_score(truth, scored)
        else:  # one-vs-rest, macro: see AVERAGING
            scores["roc_auc"] = metrics.roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)
            truth = label_binarize(labels, classes=classes)
            scores["average_precision"] = metrics.average_precision_score(truth, probabilities, average="macro")
    return {name: float(value) for name, value in scores.items()}


def regression_metrics(pipeline: Pipeline, features: pd.DataFrame, targets: pd.Series) -> dict[str, float]:
    import numpy as np
    from sklearn import metrics

    predicted = pipeline.predict(features)
    return {
        "rmse": float(np.sqrt(metrics.mean_squared_error(targets, predicted))),
        "mae": float(metrics.mean_absolute_error(targets, predicted)),
        "r2": float(metrics.r2_score(targets, predicted)),
    }


def baseline_scores(task: str, train_targets: pd.Series, test_targets: pd.Series) -> dict[str, float]:
    """The main metric of a model that ignores the features, fitted on the same training split.

    It predicts the most frequent class, or the mean: any model worth releasing does better.
    """
    import numpy as np
    from sklearn import metrics
    from sklearn.dummy import DummyClassifier, DummyRegressor

    baseline = DummyClassifier(strategy="most_frequent") if task == "classification" else DummyRegressor()
    baseline.fit(np.zeros((len(train_targets), 1)), train_targets)  # one placeholder feature: it is ignored
    predicted = baseline.predict(np.zeros((len(test_targets), 1)))
    main = TASK_METRICS[task][0]
    if task == "classification":
        score = metrics.accuracy_score(test_targets, predicted)
    else:
        score = np.sqrt(metrics.mean_squared_error(test_targets, predicted))
    return {BASELINE_PREFIX + main: float(score)}
