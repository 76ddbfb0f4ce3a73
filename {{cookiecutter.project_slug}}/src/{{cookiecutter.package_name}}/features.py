"""The preprocessing and estimator of the trained scikit-learn Pipeline.

The estimator class is imported by name with importlib rather than Hydra's
get_class: Hydra costs the train stage a third of a second to start up.
"""

from importlib import import_module

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


def estimator_class(target: str) -> type[BaseEstimator]:
    """The class a dotted name such as sklearn.linear_model.Ridge names."""
    module, _, name = target.rpartition(".")
    try:
        found = getattr(import_module(module), name) if module else None
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"model._target_: cannot import {target!r}: {err}") from None
    if not isinstance(found, type):
        raise ConfigError(f"model._target_: cannot import {target!r}: not a class in a module")
    return found


def build_estimator(model: ModelParams) -> BaseEstimator:
    """Instantiate model._target_ with its hyperparameters, rejecting unknown ones.

    scikit-learn itself checks the types and ranges of the values when it fits.
    """
    cls = estimator_class(model.target)
    valid = sorted(cls().get_params())
    unknown = sorted(set(model.hyperparameters) - set(valid))
    if unknown:
        raise ConfigError(
            f"model {model.name}: unknown hyperparameter {', '.join(unknown)} for "
            f"{cls.__name__}; valid ones are {', '.join(valid)}"
        )
    return cls(**model.hyperparameters)


def build_pipeline(model: ModelParams) -> Pipeline:
    return Pipeline([("preprocess", build_preprocessor()), ("model", build_estimator(model))])
