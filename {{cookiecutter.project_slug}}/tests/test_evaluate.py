"""The evaluate stage: metrics and plot tables of a fitted pipeline."""

import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.features import build_preprocessor
from {{ cookiecutter.package_name }}.metrics import classification_metrics, regression_metrics
from {{ cookiecutter.package_name }}.params import ModelParams
from {{ cookiecutter.package_name }}.plots import classification_plots, feature_importance, regression_plots
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
    assert set(scores) == {"accuracy", "f1", "roc_auc"}
    assert all(0.0 <= value <= 1.0 for value in scores.values())

    tables = classification_plots(pipeline, features, labels)
    assert set(tables) == {"confusion", "roc", "precision_recall"}
    assert list(tables["confusion"].columns) == ["actual", "predicted"]
    assert len(tables["confusion"]) == len(frame)
    assert list(tables["roc"].columns) == ["fpr", "tpr"]
    assert list(tables["precision_recall"].columns) == ["recall", "precision"]


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


def test_feature_importance_of_a_tree_model(regression_frame: pd.DataFrame, regressor: ModelParams) -> None:
    pipeline = train(regression_frame, "target", regressor)
    features, targets = split_target(regression_frame)
    table = feature_importance(pipeline, features, targets)
    assert list(table.columns) == ["feature", "importance"]
    # One row per encoded feature: two numeric columns and one per colour.
    assert {"numeric__size", "numeric__count", "categorical__colour_red"} <= set(table["feature"])
    assert len(table) == 5
    assert table["importance"].is_monotonic_decreasing


def test_feature_importance_of_a_linear_model(regression_frame: pd.DataFrame) -> None:
    features, targets = split_target(regression_frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", Ridge())]).fit(features, targets)
    table = feature_importance(pipeline, features, targets)
    assert (table["importance"] >= 0).all()


def test_permutation_importance_without_coefficients(regression_frame: pd.DataFrame) -> None:
    """Models without their own measure are scored by permuting each input column."""
    features, targets = split_target(regression_frame)
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", KNeighborsRegressor(3))])
    table = feature_importance(pipeline.fit(features, targets), features, targets)
    assert sorted(table["feature"]) == sorted(features.columns)
    assert table["importance"].is_monotonic_decreasing
