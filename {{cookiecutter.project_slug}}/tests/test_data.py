"""Loading and validating raw data: every problem is a DataError that says what to fix."""

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import (
    EMBEDDED,
    date_columns,
    labelled_rows,
    load_embedded,
    near_unique_columns,
    read_csv,
    read_data,
    validate_frame,
)
from {{ cookiecutter.package_name }}.errors import DataError


def test_valid_frames_pass(classification_frame: pd.DataFrame, regression_frame: pd.DataFrame) -> None:
    validate_frame(classification_frame, "target", "classification", "tiny")
    validate_frame(regression_frame, "target", "regression", "tiny")


def test_missing_target_column_names_the_columns(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="'label' not found; the columns are size, count, colour, target"):
        validate_frame(classification_frame, "label", "classification", "tiny")


def test_empty_frame(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="no data rows"):
        validate_frame(classification_frame.iloc[:0], "target", "classification", "tiny")


def test_target_without_features(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="no feature columns"):
        validate_frame(classification_frame[["target"]], "target", "classification", "tiny")


def test_rows_without_a_target_are_left_out(regression_frame: pd.DataFrame) -> None:
    regression_frame.loc[[0, 5], "target"] = float("nan")
    validate_frame(regression_frame, "target", "regression", "tiny")
    labelled, left_out = labelled_rows(regression_frame, "target")
    assert (len(labelled), left_out) == (len(regression_frame) - 2, 2)
    assert labelled["target"].notna().all()


def test_every_row_without_a_target(regression_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="every row lacks the target 'target'"):
        validate_frame(regression_frame.assign(target=float("nan")), "target", "regression", "tiny")


def test_drop_names_unknown_columns(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="data.drop names no such column: id, name; the columns are size"):
        validate_frame(classification_frame, "target", "classification", "tiny", ("size", "id", "name"))


def test_dropping_every_feature(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="no feature columns besides the target 'target' and data.drop"):
        validate_frame(classification_frame, "target", "classification", "tiny", ("size", "count", "colour"))


def test_a_dropped_column_may_hold_dates(regression_frame: pd.DataFrame) -> None:
    frame = regression_frame.assign(measured=pd.Timestamp("2024-01-01"))
    validate_frame(frame, "target", "regression", "tiny", ("measured",))


def test_timedelta_column_is_rejected(regression_frame: pd.DataFrame) -> None:
    frame = regression_frame.assign(waited=pd.Timedelta(hours=1))
    with pytest.raises(DataError, match="unsupported column types in waited"):
        validate_frame(frame, "target", "regression", "tiny")


def test_date_columns_are_text_nearly_all_dates_or_a_date_type(regression_frame: pd.DataFrame) -> None:
    days = pd.date_range("2024-01-01", periods=len(regression_frame), freq="D")
    text = days.strftime("%d %b %Y").to_series(index=regression_frame.index)
    frame = regression_frame.assign(
        opened=text.mask(regression_frame.index == 0, "unknown"),  # 1 in 40 is not a date: 97.5% are
        closed=days,
        noted=text.mask(regression_frame.index < 4, "soon"),  # 90%: not dates
    )
    assert date_columns(frame, skip=["target"]) == ["opened", "closed"]
    assert date_columns(frame, skip=["opened"]) == ["closed"]


def test_ordinal_labels_and_bare_years_are_not_dates(regression_frame: pd.DataFrame) -> None:
    """`1st`/`2nd`/`3rd` parse as days of this month, `2019` as a year: neither is a date column."""
    rows = len(regression_frame)
    frame = regression_frame.assign(
        travel_class=[["1st", "2nd", "3rd"][row % 3] for row in range(rows)],
        season=[str(2000 + row % 20) for row in range(rows)],
        signed=pd.date_range("2024-01-01", periods=rows, freq="h").strftime("%Y-%m-%d %H:%M"),
    )
    assert date_columns(frame, skip=["target"]) == ["signed"]


def test_near_unique_text_columns_are_found(classification_frame: pd.DataFrame) -> None:
    names = [f"Customer {row}" for row in range(len(classification_frame))]
    frame = classification_frame.assign(name=names, id=range(len(names)))
    # colour has 3 values, the target 2, id is a number: only name looks like an ID or a name.
    assert near_unique_columns(frame) == {"name": len(names)}
    assert near_unique_columns(frame.head(10)) == {}  # too few rows to tell


def test_single_class_target(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="single class"):
        validate_frame(classification_frame.assign(target="yes"), "target", "classification", "tiny")


def test_regression_needs_a_numeric_target(classification_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="regression needs a numeric target"):
        validate_frame(classification_frame, "target", "regression", "tiny")


def test_read_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("size,colour,target\n1.5,red,yes\n,blue,no\n", encoding="utf-8")
    frame = read_csv(path)
    assert list(frame.columns) == ["size", "colour", "target"]
    assert len(frame) == 2


def test_read_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_csv(tmp_path / "absent.csv")


def test_read_csv_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="is empty"):
        read_csv(path)


def test_csv_with_only_a_header_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("size,target\n", encoding="utf-8")
    with pytest.raises(DataError, match="no data rows"):
        validate_frame(read_csv(path), "target", "regression", str(path))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"size,target\n1,2\n3,4,5\n", id="ragged-rows"),
        pytest.param(b"size,target\n\xff\xfe,1\n", id="not-utf8"),
    ],
)
def test_read_csv_malformed_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match="not a readable CSV"):
        read_csv(path)


def test_load_embedded_names_the_classes() -> None:
    frame = load_embedded("wine", "cultivar")
    assert frame.shape == (178, 14)
    assert frame["cultivar"].nunique() == 3
    assert not pd.api.types.is_numeric_dtype(frame["cultivar"])


def test_load_embedded_unknown_name_lists_the_datasets() -> None:
    with pytest.raises(DataError, match=", ".join(EMBEDDED)):
        load_embedded("iris", "species")


def test_read_data_takes_parquet_by_its_suffix(tmp_path: Path, classification_frame: pd.DataFrame) -> None:
    classification_frame.to_parquet(tmp_path / "data.parquet", index=False)
    pd.testing.assert_frame_equal(read_data(tmp_path / "data.parquet"), classification_frame)


def test_read_data_refuses_a_broken_parquet_file(tmp_path: Path) -> None:
    (tmp_path / "data.parquet").write_text("not parquet")
    with pytest.raises(DataError, match="data.parquet is not a readable Parquet file"):
        read_data(tmp_path / "data.parquet")
