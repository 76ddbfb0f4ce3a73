"""The preprocessing and estimator of the trained scikit-learn Pipeline."""

from hydra.utils import get_class
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .errors import ConfigError
from .params import ModelParams


def build_preprocessor() -> ColumnTransformer:
    """Impute and scale numeric columns; impute and one-hot encode the others."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )


def build_estimator(model: ModelParams) -> BaseEstimator:
    """Instantiate model._target_ with its hyperparameters, rejecting unknown ones.

    scikit-learn itself checks the types and ranges of the values when it fits.
    """
    try:
        estimator_class = get_class(model.target)
    except ImportError as err:
        raise ConfigError(f"model._target_: cannot import {model.target!r}: {err}") from None
    valid = sorted(estimator_class().get_params())
    unknown = sorted(set(model.hyperparameters) - set(valid))
    if unknown:
        raise ConfigError(
            f"model {model.name}: unknown hyperparameter {', '.join(unknown)} for "
            f"{estimator_class.__name__}; valid ones are {', '.join(valid)}"
        )
    return estimator_class(**model.hyperparameters)


def build_pipeline(model: ModelParams) -> Pipeline:
    return Pipeline([("preprocess", build_preprocessor()), ("model", build_estimator(model))])
