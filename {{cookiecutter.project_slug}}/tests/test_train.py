"""The train stage: building and fitting the pipeline, and rejecting bad hyperparameters."""

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.features import MAX_CATEGORIES
from {{ cookiecutter.package_name }}.params import ModelParams
from {{ cookiecutter.package_name }}.train import train


def test_train_classifier(classification_frame: pd.DataFrame, classifier: ModelParams) -> None:
    pipeline = train(classification_frame, "target", classifier)
    features = classification_frame.drop(columns="target")
    assert set(pipeline.predict(features)) <= {"yes", "no"}


def test_train_regressor(regression_frame: pd.DataFrame, regressor: ModelParams) -> None:
    pipeline = train(regression_frame, "target", regressor)
    predictions = pipeline.predict(regression_frame.drop(columns="target"))
    assert predictions.shape == (len(regression_frame),)


def test_unseen_category_and_missing_values_are_handled(
    classification_frame: pd.DataFrame, classifier: ModelParams
) -> None:
    pipeline = train(classification_frame, "target", classifier)
    new = pd.DataFrame({"size": [np.nan], "count": [2.0], "colour": ["purple"]})
    assert pipeline.predict(new)[0] in {"yes", "no"}


def test_a_text_column_of_thousands_of_levels_trains_histogram_boosting(regression_frame: pd.DataFrame) -> None:
    """An ID-like column: at most MAX_CATEGORIES columns, dense, so HistGradientBoosting takes it."""
    frame = pd.concat([regression_frame] * 3, ignore_index=True)
    frame["customer"] = [f"c{row}" for row in range(len(frame))]  # a level per row: more than MAX_CATEGORIES
    model = ModelParams.model_validate(
        {"name": "gradient_boosting", "_target_": "sklearn.ensemble.HistGradientBoostingRegressor", "max_iter": 5}
    )
    pipeline = train(frame, "target", model)
    names = [name for name in pipeline[:-1].get_feature_names_out() if "customer" in name]
    assert 0 < len(names) <= MAX_CATEGORIES
    new = frame.drop(columns="target").head(2).assign(customer=["c1", "never seen"])
    assert pipeline.predict(new).shape == (2,)


def test_dates_are_seen_as_their_parts_and_may_arrive_as_text(
    regression_frame: pd.DataFrame, regressor: ModelParams
) -> None:
    # prepare stores a date column as dates; rows for `predict` come from a CSV, as text.
    dates = pd.Series(pd.date_range("2024-01-01", periods=len(regression_frame), freq="W"))
    pipeline = train(regression_frame.assign(opened=dates.mask(dates.index == 5)), "target", regressor)
    names = list(pipeline[:-1].get_feature_names_out())
    assert [name for name in names if "opened" in name] == [
        f"dates__opened_{part}" for part in ("year", "month", "day_of_year", "weekday")
    ]
    new = regression_frame.drop(columns="target").head(3).assign(opened=["2024-02-01", None, "not a date"])
    assert pipeline.predict(new).shape == (3,)


def test_unknown_hyperparameter_lists_the_valid_ones(
    classification_frame: pd.DataFrame, random_forest: Callable[..., ModelParams]
) -> None:
    model = random_forest("RandomForestClassifier", n_trees=10)
    with pytest.raises(ConfigError, match="unknown hyperparameter n_trees") as error:
        train(classification_frame, "target", model)
    assert "n_estimators" in str(error.value)
    assert "max_depth" in str(error.value)


def test_invalid_hyperparameter_value_fails_at_fit(
    regression_frame: pd.DataFrame, random_forest: Callable[..., ModelParams]
) -> None:
    model = random_forest("RandomForestRegressor", n_estimators=-1)
    with pytest.raises(ConfigError, match="training model random_forest failed: .*n_estimators"):
        train(regression_frame, "target", model)


def test_unimportable_estimator(regression_frame: pd.DataFrame, random_forest: Callable[..., ModelParams]) -> None:
    model = random_forest("NoSuchForest")
    with pytest.raises(ConfigError, match="cannot import 'sklearn.ensemble.NoSuchForest'"):
        train(regression_frame, "target", model)
