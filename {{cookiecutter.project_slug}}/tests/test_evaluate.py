"""The evaluate stage: metrics and plot tables of a fitted pipeline."""

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.features import build_preprocessor
from {{ cookiecutter.package_name }}.metrics import (
    baseline_scores,
    classification_metrics,
    regression_metrics,
)
from {{ cookiecutter.package_name }}.params import ModelParams
from {{ cookiecutter.package_name }}.plots import (
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
    assert set(scores) == {"accuracy", "f1", "roc_auc", "average_precision"}
    assert all(0.0 <= value <= 1.0 for value in scores.values())

    tables = classification_plots(pipeline, features, labels)
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

    tables = regression_plots(pipeline, features, targets)
    assert set(tables) == {"predictions"}
    predictions = tables["predictions"]
    assert list(predictions.columns) == ["actual", "predicted", "residual"]
    assert (predictions["actual"] - predictions["predicted"]).equals(predictions["residual"])


def test_the_baseline_predicts_the_most_frequent_class_or_the_mean() -> None:
    train_labels, test_labels = pd.Series(["a", "a", "a", "b"]), pd.Series(["a", "b", "b", "b"])
    assert baseline_scores("classification", train_labels, test_labels) == {"baseline_accuracy": 0.25}
    train_targets, test_targets = pd.Series([1.0, 3.0]), pd.Series([0.0, 4.0])  # the mean, 2, is 2 off
    assert baseline_scores("regression", train_targets, test_targets) == {"baseline_rmse": 2.0}


def test_feature_importance_of_a_tree_model(regression_frame: pd.DataFrame, regressor: ModelParams) -> None:
    pipeline = train(regression_frame, "target", regressor)
    features, targets = split_target(regression_frame)
    table = feature_importance(pipeline, features, targets)
    assert list(table.columns) == ["feature", "importance", "measure"]
    # One row per encoded feature: two numeric columns and one per colour, without the
    # ColumnTransformer's `numeric__`/`categorical__` prefixes.
    assert sorted(table["feature"]) == ["colour_blue", "colour_green", "colour_red", "count", "size"]
    assert table["importance"].is_monotonic_decreasing
    assert set(table["measure"]) == {"impurity decrease"}


def test_feature_names_keep_their_prefixes_when_short_ones_would_clash(regression_frame: pd.DataFrame) -> None:
    """A numeric column `colour_red` and the one-hot column of `colour` = red would both be `colour_red`."""
    frame = regression_frame.assign(colour_red=1.0)
    features, targets = split_target(frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", Ridge())]).fit(features, targets)
    names = feature_names(pipeline)
    assert {"numeric__colour_red", "categorical__colour_red"} <= set(names)
    assert len(set(names)) == len(names)


def test_feature_importance_of_a_linear_model(regression_frame: pd.DataFrame) -> None:
    features, targets = split_target(regression_frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", Ridge())]).fit(features, targets)
    table = feature_importance(pipeline, features, targets)
    assert (table["importance"] >= 0).all()
    assert set(table["measure"]) == {"|coefficient|"}


def test_feature_importance_of_a_multiclass_linear_model(multiclass_frame: pd.DataFrame) -> None:
    features, labels = split_target(multiclass_frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", LogisticRegression())]).fit(features, labels)
    table = feature_importance(pipeline, features, labels)
    assert "size" in set(table["feature"])
    assert set(table["measure"]) == {"mean |coefficient| over classes"}


def test_permutation_importance_without_coefficients(regression_frame: pd.DataFrame) -> None:
    """Models without their own measure are scored by permuting each input column."""
    features, targets = split_target(regression_frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", KNeighborsRegressor(3))])
    table = feature_importance(pipeline.fit(features, targets), features, targets)
    assert sorted(table["feature"]) == sorted(features.columns)
    assert table["importance"].is_monotonic_decreasing
    assert set(table["measure"]) == {"permutation score drop"}
