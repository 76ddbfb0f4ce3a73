"""The evaluate stage: metrics and plot tables of a fitted pipeline."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }} import plots
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.features import build_preprocessor
from {{ cookiecutter.package_name }}.metrics import (
    baseline_scores,
    classification_metrics,
    positive_class,
    predictions,
    regression_metrics,
)
from {{ cookiecutter.package_name }}.params import ModelParams
from {{ cookiecutter.package_name }}.plots import (
    MAX_CURVE_POINTS,
    MAX_ROWS,
    TOP_FEATURES,
    classification_plots,
    feature_importance,
    feature_names,
    regression_plots,
)
from {{ cookiecutter.package_name }}.train import train


def split_target(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    return frame.drop(columns="target"), frame["target"]


@pytest.mark.parametrize("frame_name", ["classification_frame", "multiclass_frame"])
def test_classification_metrics_and_plots(
    request: pytest.FixtureRequest, frame_name: str, classifier: ModelParams
) -> None:
    frame: pd.DataFrame = request.getfixturevalue(frame_name)
    pipeline = train(frame, "target", classifier)
    features, labels = split_target(frame)

    scores = classification_metrics(pipeline, features, labels)
    assert set(scores) == {"accuracy", "balanced_accuracy", "f1", "roc_auc", "average_precision"}
    assert all(0.0 <= value <= 1.0 for value in scores.values())

    classes = list(pipeline.classes_)
    tables = classification_plots(labels, *predictions(pipeline, features), classes, classes[0])
    assert set(tables) == {"confusion", "roc", "precision_recall"}
    assert list(tables["confusion"].columns) == ["actual", "predicted"]
    assert len(tables["confusion"]) == len(frame)
    multiclass = frame_name == "multiclass_frame"  # its curves pool the classes, and say so
    assert list(tables["roc"].columns) == ["fpr", "tpr"] + ["average"] * multiclass
    assert list(tables["precision_recall"].columns) == ["recall", "precision"] + ["average"] * multiclass


def test_regression_metrics_and_plots(regression_frame: pd.DataFrame, regressor: ModelParams) -> None:
    pipeline = train(regression_frame, "target", regressor)
    features, targets = split_target(regression_frame)

    scores = regression_metrics(pipeline, features, targets)
    assert set(scores) == {"rmse", "mae", "r2"}
    assert scores["rmse"] >= scores["mae"] >= 0.0

    tables = regression_plots(targets, pipeline.predict(features))
    assert set(tables) == {"predictions"}
    predictions = tables["predictions"]
    assert list(predictions.columns) == ["actual", "predicted", "residual"]
    assert (predictions["actual"] - predictions["predicted"]).equals(predictions["residual"])


def test_the_baseline_predicts_the_most_frequent_class_or_the_mean() -> None:
    train_labels, test_labels = pd.Series(["a", "a", "a", "b"]), pd.Series(["a", "b", "b", "b"])
    assert baseline_scores("classification", train_labels, test_labels) == {
        "baseline_accuracy": 0.25,
        "baseline_balanced_accuracy": 0.5,
    }
    train_targets, test_targets = pd.Series([1.0, 3.0]), pd.Series([0.0, 4.0])  # the mean, 2, is 2 off
    assert baseline_scores("regression", train_targets, test_targets) == {"baseline_rmse": 2.0}


@pytest.mark.parametrize("frame_name", ["classification_frame", "multiclass_frame", "regression_frame"])
def test_permutation_importance_is_per_input_column_in_one_measure(
    request: pytest.FixtureRequest, frame_name: str, classifier: ModelParams, regressor: ModelParams
) -> None:
    """Model-agnostic and per column of the data: a one-hot encoded column (colour) is one row."""
    frame: pd.DataFrame = request.getfixturevalue(frame_name)
    task = "regression" if frame_name == "regression_frame" else "classification"
    pipeline = train(frame, "target", regressor if task == "regression" else classifier)
    features, targets = split_target(frame)
    table = feature_importance(pipeline, features, targets, task)
    assert list(table.columns) == ["feature", "importance", "spread", "measure"]
    assert sorted(table["feature"]) == ["colour", "count", "size"]
    assert table["importance"].is_monotonic_decreasing
    expected = "rmse added when shuffled" if task == "regression" else "balanced accuracy lost when shuffled"
    assert set(table["measure"]) == {expected}
    if task == "regression":  # a linear model is measured the same way as the forest
        linear = Pipeline([("preprocess", build_preprocessor()), ("model", Ridge())]).fit(features, targets)
        assert set(feature_importance(linear, features, targets, task)["measure"]) == {expected}


def test_permutation_importance_is_the_same_in_threads_and_in_one(
    monkeypatch: pytest.MonkeyPatch, classification_frame: pd.DataFrame, classifier: ModelParams
) -> None:
    """Threads (for a model slow to predict) change the speed only, never a number."""
    pipeline = train(classification_frame, "target", classifier)
    features, targets = split_target(classification_frame)
    tables = []
    for seconds in (float("inf"), 0.0):  # one thread, then one column per thread
        monkeypatch.setattr(plots, "THREADED_PREDICTION_SECONDS", seconds)
        tables.append(feature_importance(pipeline, features, targets, "classification"))
    pd.testing.assert_frame_equal(*tables, check_exact=True)


def test_feature_names_keep_their_prefixes_when_short_ones_would_clash(regression_frame: pd.DataFrame) -> None:
    """A numeric column `colour_red` and the one-hot column of `colour` = red would both be `colour_red`."""
    frame = regression_frame.assign(colour_red=1.0)
    features, targets = split_target(frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", Ridge())]).fit(features, targets)
    names = feature_names(pipeline)
    assert {"numeric__colour_red", "categorical__colour_red"} <= set(names)
    assert len(set(names)) == len(names)


def test_plot_tables_stay_small_at_any_test_size() -> None:
    """300,000 test rows: curves thinned, row tables a seeded sample, importance cut to the top columns."""
    rng = np.random.default_rng(0)
    rows = 300_000
    features = pd.DataFrame({f"c{i}": rng.normal(size=rows) for i in range(30)})
    labels = pd.Series(np.where(features.c0 + rng.normal(size=rows) > 1.5, "churned", "stayed"))
    pipeline = Pipeline([("model", LogisticRegression())]).fit(features, labels)
    scored = predictions(pipeline, features)
    tables = classification_plots(labels, *scored, list(pipeline.classes_), "churned")
    assert len(tables["confusion"]) == MAX_ROWS and len(tables["roc"]) <= MAX_CURVE_POINTS
    assert len(tables["precision_recall"]) <= MAX_CURVE_POINTS
    again = classification_plots(labels, *scored, list(pipeline.classes_), "churned")
    assert tables["confusion"].equals(again["confusion"])
    targets = pd.Series(features.c0 * 3 + rng.normal(size=rows))
    regression = regression_plots(targets, Pipeline([("model", Ridge())]).fit(features, targets).predict(features))
    assert len(regression["predictions"]) == MAX_ROWS
    table = feature_importance(pipeline, features, labels, "classification")
    assert len(table) == TOP_FEATURES and table.feature.iloc[0] == "c0"
    total = sum(len(frame.to_csv(index=False)) for frame in [*tables.values(), *regression.values(), table])
    assert total < 400_000, "far under the 1 MB large-file hook"


def test_the_positive_class_is_configured_or_the_minority() -> None:
    classes = ["benign", "malignant"]
    train_labels = pd.Series(["benign"] * 6 + ["malignant"] * 4)
    assert positive_class(classes, train_labels) == "malignant"
    assert positive_class(classes, train_labels, "benign") == "benign"
    assert positive_class([0, 1], pd.Series([1, 1, 0]), "1") == 1, "1 in YAML names the class 1"
    with pytest.raises(ConfigError, match="data.positive 'cancer' is not a class of the target; choose one of benign"):
        positive_class(classes, train_labels, "cancer")


def test_balanced_accuracy_fails_a_model_that_almost_always_says_the_majority() -> None:
    """3 % positives: predicting "no" always is 97 % accurate; its balanced accuracy is 0.5, the baseline's."""
    labels = pd.Series(["yes"] * 3 + ["no"] * 97)
    baseline = baseline_scores("classification", labels, labels)
    assert baseline == {"baseline_accuracy": 0.97, "baseline_balanced_accuracy": 0.5}
