"""Load the raw data and check that it can train a model.

Only pandas is imported at module level: scikit-learn's datasets are
imported when an embedded dataset is actually loaded.
"""

import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import DataError

# Datasets that ship inside scikit-learn: no download needed.
EMBEDDED = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "diabetes": "load_diabetes"}
# A text column holds dates when at least this share of its values are dates (date_share).
DATE_SHARE = 0.95
# Values tried first, so that a long column of plain text is not parsed row by row.
DATE_SAMPLE = 1000
# A text column whose values are this distinct (distinct / non-null) looks like an ID or a name:
# one-hot encoding it learns nothing that carries over to new rows.
UNIQUE_SHARE = 0.9
# ...judged only with this many values: on a handful of rows every text column is distinct.
UNIQUE_MIN_VALUES = 20


def load_embedded(name: str, target: str) -> pd.DataFrame:
    """An embedded scikit-learn dataset as one frame, class labels by name."""
    if name not in EMBEDDED:
        raise DataError(f"data.name: no embedded dataset {name!r}; choose one of {', '.join(EMBEDDED)}")
    from sklearn import datasets

    bunch = getattr(datasets, EMBEDDED[name])(as_frame=True)
    frame = bunch.frame.rename(columns={"target": target})
    if "target_names" in bunch:  # classification: readable labels in metrics and plots
        frame[target] = bunch.target_names[bunch.target]
    return frame


def read_csv(path: Path, missing_hint: str | None = None) -> pd.DataFrame:
    """Read a CSV, turning pandas' parse errors into a DataError."""
    if not path.exists():
        hint = missing_hint or f"put your CSV there and run `dvc add {path}`, or `dvc pull` it"
        raise DataError(f"{path} not found; {hint}")
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty; it needs a header row and at least one data row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path} is not a readable CSV: {err}") from None


def read_data(path: Path) -> pd.DataFrame:
    """The user's data file: Parquet when it ends in .parquet (faster for big data), otherwise CSV."""
    if path.suffix != ".parquet":
        return read_csv(path)
    if not path.exists():
        raise DataError(f"{path} not found; put your file there and run `dvc add {path}`, or `dvc pull` it")
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as err:  # pyarrow's errors for a truncated or foreign file
        raise DataError(f"{path} is not a readable Parquet file: {err}") from None


def validate_frame(frame: pd.DataFrame, target: str, task: str, source: str, drop: Sequence[str] = ()) -> None:
    """Raise DataError naming the first reason the frame cannot train a model.

    Rows with no target are allowed (prepare leaves them out); a frame where every row lacks it is not.
    The columns in drop are not features, so their types do not matter.
    """
    columns = ", ".join(map(str, frame.columns))
    if target not in frame.columns:
        raise DataError(
            f"{source}: target column {target!r} not found; the columns are {columns}. "
            "Set data.target in conf/data/ to one of them."
        )
    unknown = [name for name in drop if name not in frame.columns]
    if unknown:
        raise DataError(f"{source}: data.drop names no such column: {', '.join(unknown)}; the columns are {columns}")
    if frame.empty:
        raise DataError(f"{source}: no data rows")
    if frame.shape[1] - len(set(drop)) < 2:
        raise DataError(f"{source}: no feature columns besides the target {target!r} and data.drop")
    labels = frame[target].dropna()
    if labels.empty:
        raise DataError(f"{source}: every row lacks the target {target!r}; label some rows")
    unsupported = [
        str(column)
        for column, dtype in frame.dtypes.items()
        if column != target and column not in drop and pd.api.types.is_timedelta64_dtype(dtype)
    ]
    if unsupported:
        raise DataError(
            f"{source}: unsupported column types in {', '.join(unsupported)}; use numbers, dates or categories, "
            "or list them in data.drop"
        )
    if task == "regression" and not pd.api.types.is_numeric_dtype(labels):
        raise DataError(f"{source}: regression needs a numeric target, but {target!r} is {frame[target].dtype}")
    if task == "classification" and labels.nunique() < 2:
        raise DataError(f"{source}: target {target!r} has a single class; classification needs at least two")


def check_stratifiable(labels: pd.Series) -> None:
    """Raise DataError when a class has too few rows for a stratified split."""
    counts = labels.value_counts()
    if counts.min() < 2:
        raise DataError(
            f"class {counts.idxmin()!r} has a single row, too few to stratify; "
            "add rows or set data.split.stratify false"
        )


def labelled_rows(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, int]:
    """The rows that have a target, and how many were left out for lacking one."""
    labelled = frame[frame[target].notna()]
    return labelled, len(frame) - len(labelled)


def parse_dates(values: pd.Series) -> pd.Series:
    """values as dates (naive, in UTC when they carry a time zone); NaT where a value is not a date."""
    with warnings.catch_warnings():  # pandas warns when it cannot guess one format for every value
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(values, errors="coerce", utc=True).dt.tz_localize(None)


def _text(values: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values))


def date_share(values: pd.Series) -> float:
    """The share of text values that are dates: a four-digit year and another part (2024-05-01,
    01 May 2024, 2024-05-01 10:30), and parsing as a date. Ordinal labels such as `1st` or `3rd`,
    which the parser alone reads as days of this month, and bare years are not dates."""
    text = values.astype(str)
    looks_dated = text.str.contains(r"(?<!\d)\d{4}(?!\d)") & text.str.contains(r"[-/.:\s]")
    return float((looks_dated & parse_dates(values).notna()).mean())


def date_columns(frame: pd.DataFrame, skip: Sequence[str] = ()) -> list[str]:
    """The columns (but those in skip) that hold dates: a date type, or text nearly all of it dates."""
    found = []
    for column in frame.columns:
        values = frame[column].dropna()
        if column in skip or values.empty:
            continue
        if pd.api.types.is_datetime64_any_dtype(values) or (
            _text(values) and date_share(values.head(DATE_SAMPLE)) >= DATE_SHARE and date_share(values) >= DATE_SHARE
        ):
            found.append(column)
    return found


def near_unique_columns(frame: pd.DataFrame, skip: Sequence[str] = ()) -> dict[str, int]:
    """The text columns (but those in skip) with a distinct value in nearly every row, and how many values."""
    found = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if column in skip or len(values) < UNIQUE_MIN_VALUES or not _text(values):
            continue
        if values.nunique() >= UNIQUE_SHARE * len(values):
            found[column] = values.nunique()
    return found
