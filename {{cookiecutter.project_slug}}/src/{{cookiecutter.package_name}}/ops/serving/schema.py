"""Check new rows against the training schema that a bundle's manifest records."""

import pandas as pd

from ..contract import DataError, parse_dates


def check_features(frame: pd.DataFrame, features: list[dict[str, str]], source: str) -> pd.DataFrame:
    """The feature columns of frame, in training order; DataError names the first problem.

    A numeric feature must hold numbers, a date feature dates (gaps are fine: the model
    imputes them); a categorical one may hold anything, and categories unseen in training
    are ignored.
    """
    if frame.empty:
        raise DataError(f"{source}: no data rows")
    missing = [feature["name"] for feature in features if feature["name"] not in frame.columns]
    if missing:
        raise DataError(f"{source}: missing column {', '.join(missing)}; the model needs every training feature")
    rows = frame[[feature["name"] for feature in features]].copy()
    for feature in features:
        column = rows[feature["name"]]
        if feature["kind"] == "numeric" and not pd.api.types.is_numeric_dtype(column):
            numbers = pd.to_numeric(column, errors="coerce")
            bad = column[numbers.isna() & column.notna()]
            if not bad.empty:
                raise DataError(
                    f"{source}: column {feature['name']} must be numeric, but row {bad.index[0] + 1} "
                    f"holds {bad.iloc[0]!r}"
                )
            rows[feature["name"]] = numbers  # e.g. a column with no values at all: gaps to impute
        elif feature["kind"] == "date":
            dates = parse_dates(column)
            bad = column[dates.isna() & column.notna()]
            if not bad.empty:
                raise DataError(
                    f"{source}: column {feature['name']} must hold dates, but row {bad.index[0] + 1} "
                    f"holds {bad.iloc[0]!r}"
                )
            rows[feature["name"]] = dates
    return rows
