"""The preprocessing and estimator of the trained scikit-learn Pipeline.

The estimator class is imported by name with importlib rather than Hydra's
get_class: Hydra costs the train stage a third of a second to start up.
"""

from importlib import import_module

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from .data import parse_dates
from .errors import ConfigError
from .params import ModelParams

# The most columns one text column becomes (its most frequent levels, then one for all others).
MAX_CATEGORIES = 50
# What the model sees of a date: numbers it can learn seasons and trends from.
DATE_PARTS = {
    "year": lambda dates: dates.dt.year,
    "month": lambda dates: dates.dt.month,
    "day_of_year": lambda dates: dates.dt.day_of_year,
    "weekday": lambda dates: dates.dt.day_of_week,  # Monday is 0
}


def date_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """Each date column as its DATE_PARTS; a gap stays a gap, for the imputer.

    Parsed here rather than trusted as dates: prepare stores them as dates, but new
    rows for `predict` arrive as text from a CSV.
    """
    parts = {}
    for column in frame.columns:
        dates = parse_dates(frame[column])
        for part, extract in DATE_PARTS.items():
            parts[f"{column}_{part}"] = extract(dates).astype("float64")
    return pd.DataFrame(parts, index=frame.index)


def date_part_names(_: FunctionTransformer, columns: np.ndarray) -> np.ndarray:
    return np.array([f"{column}_{part}" for column in columns for part in DATE_PARTS], dtype=object)


def build_preprocessor() -> ColumnTransformer:
    """Impute and scale numeric columns and the parts of dates; impute and one-hot encode the others.

    Columns are routed by their type in prepare's output: prepare stores the columns it
    found to hold dates as dates (data.date_columns).
    """
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    dates = make_pipeline(
        FunctionTransformer(date_parts, feature_names_out=date_part_names),
        SimpleImputer(strategy="median"),
        StandardScaler(),
    )
    # The MAX_CATEGORIES - 1 most frequent levels of a text column, the rest (and levels never seen
    # in training) as one `infrequent` column: an ID-like column of thousands of levels stays a few
    # dozen columns, so the output can be dense, as histogram boosting requires, at any row count.
    encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORIES, sparse_output=False)
    categorical = make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("dates", dates, make_column_selector(dtype_include="datetime")),
            ("categorical", categorical, make_column_selector(dtype_exclude=["number", "datetime"])),
        ],
        sparse_threshold=0,  # always a dense array: every estimator in conf/model/ takes one
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
