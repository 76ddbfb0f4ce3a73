"""`predict --keep`: input columns copied into the output, so predictions join back to their rows."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import DataError
from {{ cookiecutter.package_name }}.ops.serving.predict import kept_columns

ROWS = pd.DataFrame({"id": [7, 8], "name": ["Ann", "Bo"], "size": [1.0, 2.0]})


def test_keep_takes_repeats_and_comma_lists_once_each() -> None:
    kept = kept_columns(ROWS, ["id", "name, id"], "new.csv")
    assert list(kept.columns) == ["id", "name"]
    assert kept.index.equals(ROWS.index)


def test_nothing_to_keep_keeps_the_rows_alone() -> None:
    assert kept_columns(ROWS, [], "new.csv").shape == (2, 0)


def test_an_unknown_column_is_a_one_line_error() -> None:
    with pytest.raises(DataError, match=r"^--keep: new.csv has no column ID; its columns are id, name, size$"):
        kept_columns(ROWS, ["ID"], "new.csv")
