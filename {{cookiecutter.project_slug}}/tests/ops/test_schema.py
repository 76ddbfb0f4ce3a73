"""New rows are checked against the training schema before a model sees them."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import DataError
from {{ cookiecutter.package_name }}.ops.serving.schema import check_features

SCHEMA = [{"name": "size", "kind": "numeric"}, {"name": "colour", "kind": "categorical"}]


def test_returns_the_features_in_training_order() -> None:
    rows = pd.DataFrame({"id": [1, 2], "colour": ["red", None], "size": [1.0, None]})
    assert list(check_features(rows, SCHEMA, "rows.csv").columns) == ["size", "colour"]


def test_missing_column_is_named() -> None:
    with pytest.raises(DataError, match="rows.csv: missing column size"):
        check_features(pd.DataFrame({"colour": ["red"]}), SCHEMA, "rows.csv")


def test_text_in_a_numeric_column_is_located() -> None:
    rows = pd.DataFrame({"size": ["1.5", "big"], "colour": ["red", "blue"]})
    with pytest.raises(DataError, match="column size must be numeric, but row 2 holds 'big'"):
        check_features(rows, SCHEMA, "rows.csv")


def test_no_rows_is_an_error() -> None:
    with pytest.raises(DataError, match="no data rows"):
        check_features(pd.DataFrame(columns=["size", "colour"]), SCHEMA, "rows.csv")


def test_an_empty_numeric_column_becomes_gaps() -> None:
    rows = pd.DataFrame({"size": [None, None], "colour": ["red", "blue"]}, dtype=object)
    assert check_features(rows, SCHEMA, "rows.csv")["size"].isna().all()
