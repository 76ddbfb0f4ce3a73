"""Scores of a fitted pipeline on held-out data."""

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.pipeline import Pipeline


def classification_metrics(pipeline: Pipeline, features: pd.DataFrame, labels: pd.Series) -> dict[str, float]:
    """Accuracy, F1 (binary, or macro-averaged over classes) and ROC AUC where defined."""
    predicted = pipeline.predict(features)
    classes = pipeline.classes_
    binary = len(classes) == 2
    f1_args = {"average": "binary", "pos_label": classes[1]} if binary else {"average": "macro"}
    scores = {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "f1": metrics.f1_score(labels, predicted, **f1_args),
    }
    # ROC AUC needs class probabilities and every class present in the test set.
    if hasattr(pipeline, "predict_proba") and set(labels) == set(classes):
        probabilities = pipeline.predict_proba(features)
        scores["roc_auc"] = (
            metrics.roc_auc_score(labels, probabilities[:, 1])
            if binary
            else metrics.roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)
        )
    return {name: float(value) for name, value in scores.items()}


def regression_metrics(pipeline: Pipeline, features: pd.DataFrame, targets: pd.Series) -> dict[str, float]:
    predicted = pipeline.predict(features)
    return {
        "rmse": float(np.sqrt(metrics.mean_squared_error(targets, predicted))),
        "mae": float(metrics.mean_absolute_error(targets, predicted)),
        "r2": float(metrics.r2_score(targets, predicted)),
    }
