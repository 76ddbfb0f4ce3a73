"""Tables behind the DVC plots declared in dvc.yaml (one CSV per plot), small at any data size.

They are kept in git (dvc.yaml: `cache: false`) and reviewed in pull requests, so each is
bounded whatever the size of the test split: curves are thinned to MAX_CURVE_POINTS, row-level
tables are a seeded sample of MAX_ROWS rows, and feature importance lists the TOP_FEATURES
input columns. A test split of a million rows still writes tables of a few hundred KB.

sklearn.inspection is imported inside feature_importance: it costs a third of a second to start up.
"""

import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import label_binarize

MAX_CURVE_POINTS = 200
MAX_ROWS = 5_000  # rows of confusion.csv and predictions.csv; below this, every test row
TOP_FEATURES = 20
# Permutation importance shuffles each input column this many times, on at most this many rows.
IMPORTANCE_REPEATS = 5
IMPORTANCE_ROWS = 2_000
# ...one column per thread when one prediction of those rows takes longer than this (a forest):
# for a quick model (a linear one), handing columns to threads costs more than it saves.
THREADED_PREDICTION_SECONDS = 0.02
SAMPLE_SEED = 0  # the same rows every run, so the tables only change when the model does


def thinned(table: pd.DataFrame, most: int = MAX_CURVE_POINTS) -> pd.DataFrame:
    """At most `most` points of a curve, evenly spread along it, its first and last kept."""
    if len(table) <= most:
        return table
    keep = np.unique(np.linspace(0, len(table) - 1, most).round().astype(int))
    return table.iloc[keep].reset_index(drop=True)


def sampled(table: pd.DataFrame, most: int = MAX_ROWS) -> pd.DataFrame:
    """A seeded random sample of at most `most` rows, in their original order."""
    if len(table) <= most:
        return table
    return table.sample(n=most, random_state=SAMPLE_SEED).sort_index().reset_index(drop=True)


def curves(labels: pd.Series, probabilities: Any, classes: list[Any], positive: Any) -> dict[str, pd.DataFrame]:
    """ROC and precision-recall curves of the positive class, or micro-averaged over classes if more than two."""
    if len(classes) == 2:
        truth, scores = (labels == positive).to_numpy(), probabilities[:, classes.index(positive)]
    else:
        truth, scores = label_binarize(labels, classes=classes).ravel(), probabilities.ravel()
    fpr, tpr, _ = metrics.roc_curve(truth, scores)
    precision, recall, _ = metrics.precision_recall_curve(truth, scores)
    tables = {
        "roc": thinned(pd.DataFrame({"fpr": fpr, "tpr": tpr})),
        "precision_recall": thinned(pd.DataFrame({"recall": recall, "precision": precision})),
    }
    if len(classes) > 2:  # the figures say so
        for table in tables.values():
            table["average"] = "micro"
    return tables


def classification_plots(
    labels: pd.Series, predicted: Any, probabilities: Any | None, classes: list[Any], positive: Any
) -> dict[str, pd.DataFrame]:
    """(actual, predicted) pairs for the confusion matrix, plus ROC and precision-recall curves.

    Takes the predictions metrics.predictions made for the scores: the test set is predicted once.
    """
    pairs = pd.DataFrame({"actual": labels.to_numpy(), "predicted": predicted})
    tables = {"confusion": sampled(pairs)}
    if probabilities is not None:
        tables |= curves(labels, probabilities, classes, positive)
    return tables


def regression_plots(targets: pd.Series, predicted: Any) -> dict[str, pd.DataFrame]:
    """Predicted against actual values, with residuals."""
    actual = targets.to_numpy()
    table = pd.DataFrame({"actual": actual, "predicted": predicted, "residual": actual - predicted})
    return {"predictions": sampled(table)}


def feature_names(pipeline: Pipeline) -> list[str]:
    """The names of the columns the preprocessing outputs, as the data calls them.

    The ColumnTransformer prefixes each with its transformer's name (`numeric__size`,
    `categorical__colour_red`). The prefix is dropped unless two names would then clash
    (a numeric column `colour_red` beside a one-hot `colour` = red); step names cannot
    contain `__`, so the first `__` ends the prefix.
    """
    prefixed = list(pipeline[:-1].get_feature_names_out())
    short = [name.split("__", 1)[-1] for name in prefixed]
    return short if len(set(short)) == len(short) else prefixed


# What permutation importance scores, per task, and how the figures and the report name it.
IMPORTANCE_SCORING = {"classification": "balanced_accuracy", "regression": "neg_root_mean_squared_error"}
IMPORTANCE_MEASURES = {
    "classification": "balanced accuracy lost when shuffled",
    "regression": "rmse added when shuffled",
}


def feature_importance(pipeline: Pipeline, features: pd.DataFrame, targets: pd.Series, task: str) -> pd.DataFrame:
    """Permutation importance of each input column on held-out rows, the TOP_FEATURES highest first.

    Model-agnostic, so a linear model and a forest are measured alike, and per column of the
    data (a one-hot encoded column is shuffled whole): how much the score drops when that
    column's values are shuffled among the rows. `spread` is its standard deviation over repeats.
    """
    from joblib import parallel_config
    from sklearn.inspection import permutation_importance

    rows = sampled(pd.DataFrame({"row": np.arange(len(features))}), IMPORTANCE_ROWS)["row"]
    sample, labels = features.iloc[rows], targets.iloc[rows]
    started = time.perf_counter()
    pipeline.predict(sample)
    costly = time.perf_counter() - started > THREADED_PREDICTION_SECONDS
    # Threads change only the speed: each column shuffles with the same seed and predicts with
    # one job, so the result is the same as one thread's, and threads share the model
    # (processes would each get a copy of it).
    with parallel_config(backend="threading", n_jobs=-1 if costly else 1):
        permuted = permutation_importance(
            pipeline,
            sample,
            labels,
            scoring=IMPORTANCE_SCORING[task],
            n_repeats=IMPORTANCE_REPEATS,
            random_state=SAMPLE_SEED,
        )
    table = pd.DataFrame(
        {
            "feature": features.columns,
            "importance": permuted.importances_mean,
            "spread": permuted.importances_std,
            "measure": IMPORTANCE_MEASURES[task],
        }
    )
    return table.sort_values("importance", ascending=False, ignore_index=True, kind="stable").head(TOP_FEATURES)
