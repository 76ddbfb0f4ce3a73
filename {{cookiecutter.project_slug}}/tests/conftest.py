"""Shared fixtures: tiny frames and models, small enough for every test to build its own.

Each frame has two numeric columns and one categorical column, all with a few
missing values, so every path of the preprocessor is exercised. The target
column is always called "target".
"""

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.params import ModelParams

ROWS = 40


@pytest.fixture
def features() -> pd.DataFrame:
    """Numeric columns size and count, categorical column colour (red, green, blue)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "size": rng.normal(10.0, 2.0, ROWS),
            "count": rng.integers(0, 5, ROWS).astype(float),
            "colour": rng.choice(["red", "green", "blue"], ROWS),
        }
    )
    frame.loc[[1, 7], "size"] = np.nan
    frame.loc[[3], "count"] = np.nan
    frame.loc[[2, 9], "colour"] = np.nan
    return frame


@pytest.fixture
def classification_frame(features: pd.DataFrame) -> pd.DataFrame:
    """Two balanced classes."""
    return features.assign(target=["yes", "no"] * (ROWS // 2))


@pytest.fixture
def multiclass_frame(features: pd.DataFrame) -> pd.DataFrame:
    """Three classes."""
    return features.assign(target=[["a", "b", "c"][row % 3] for row in range(ROWS)])


@pytest.fixture
def regression_frame(features: pd.DataFrame) -> pd.DataFrame:
    """A numeric target that grows with the row number."""
    return features.assign(target=np.linspace(0.0, 100.0, ROWS))


@pytest.fixture
def random_forest() -> Callable[..., ModelParams]:
    """Build ModelParams for an estimator class of sklearn.ensemble, with the given hyperparameters.

    The model name must be one that conf/model/ offers: random_forest exists for both tasks.
    """

    def build(estimator: str, **hyperparameters: object) -> ModelParams:
        return ModelParams.model_validate(
            {"name": "random_forest", "_target_": f"sklearn.ensemble.{estimator}", **hyperparameters}
        )

    return build


@pytest.fixture
def classifier(random_forest: Callable[..., ModelParams]) -> ModelParams:
    return random_forest("RandomForestClassifier", n_estimators=10, random_state=0)


@pytest.fixture
def regressor(random_forest: Callable[..., ModelParams]) -> ModelParams:
    return random_forest("RandomForestRegressor", n_estimators=10, random_state=0)
