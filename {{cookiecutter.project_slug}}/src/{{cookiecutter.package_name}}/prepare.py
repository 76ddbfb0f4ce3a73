"""Stage `prepare`: load the raw data, validate it, split it into train and test.

Reads: params `task` and `data`; the user's CSV when data.source is csv; the
labelled batches in data/labelled/ (`make absorb` puts them there), appended
to the raw data.
Leaves out the columns in data.drop (IDs, free text, leakage) and the rows
with no target, and says how many rows. Looks at the other columns once, and says what
it found: text that is nearly all dates is stored as dates, which the model sees as
numbers (features.date_parts); text with a distinct value in nearly every row (an ID,
a name) is named, with the advice to list it in data.drop.
Writes: data/raw/<name>.csv for embedded datasets, data/prepared/*.parquet, and
reports/data.json: the rows of each split and its class shares (or target range), and the
rows left out for lacking a target, which dvc.yaml declares a metric, so that `dvc metrics
diff` and the PR report show data changes.
"""

import json
from pathlib import Path

import pandas as pd

from .data import (
    check_stratifiable,
    date_columns,
    labelled_rows,
    load_embedded,
    near_unique_columns,
    parse_dates,
    read_csv,
    read_data,
    validate_frame,
)
from .errors import DataError, run_stage
from .params import Params, load_params
from .paths import DATA_SUMMARY, LABELLED, RAW_DIR, TEST, TRAIN


def load_raw(params: Params) -> tuple[pd.DataFrame, Path]:
    """The raw frame and its path; embedded datasets are materialised for DVC to track."""
    data = params.data
    if data.source == "csv":
        path = Path(data.path or "")
        return read_data(path), path
    path = RAW_DIR / f"{data.name}.csv"
    frame = load_embedded(data.name, data.target)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return frame, path


def with_labelled_batches(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The raw frame plus every batch in data/labelled/, and how many batches joined."""
    batches = [(path, read_csv(path)) for path in sorted(LABELLED.glob("*.csv"))]
    for path, batch in batches:
        if set(batch.columns) != set(frame.columns):
            differ = sorted(set(batch.columns) ^ set(frame.columns), key=str)
            raise DataError(f"{path}: columns differ from the training data's ({', '.join(map(str, differ))})")
    if not batches:
        return frame, 0
    return pd.concat([frame, *(batch[frame.columns] for _, batch in batches)], ignore_index=True), len(batches)


def split(frame: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded train/test split, stratified by class for classification."""
    from sklearn.model_selection import train_test_split

    settings, target = params.data.split, params.data.target
    stratify = frame[target] if settings.stratify and params.task == "classification" else None
    if stratify is not None:
        check_stratifiable(stratify)
    return train_test_split(frame, test_size=settings.test_size, random_state=settings.seed, stratify=stratify)


def with_dates(frame: pd.DataFrame, target: str, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """The frame with its date columns stored as dates; says what it did, and which columns look like IDs.

    drop: the data.drop already applied, for the advice to extend it.

    The Parquet outputs keep the date type, so train (features.build_preprocessor) and the
    bundle's schema see which columns are dates without detecting them again.
    """
    frame = frame.copy()
    for column in date_columns(frame, [target]):
        frame[column] = parse_dates(frame[column])
        print(f"prepare: {column} holds dates: the model sees its year, month, day of year and weekday")
    for column, distinct in near_unique_columns(frame, [target]).items():
        print(
            f"prepare: {column} is text with a distinct value in nearly every row ({distinct} of "
            f"{frame[column].count()}), like an ID or a name: it teaches the model nothing about new rows. "
            f'Keep it out: add it to data.drop in conf/data/, or make data ... DROP="{" ".join([*drop, column])}"'
        )
    return frame


def data_summary(splits: dict[str, pd.DataFrame], target: str, task: str) -> dict[str, dict[str, object]]:
    """Per split: its rows, and the share of each class (classification) or the target's range."""
    summary: dict[str, dict[str, object]] = {}
    for name, frame in splits.items():
        values = frame[target]
        if task == "classification":
            shares = values.value_counts(normalize=True).sort_index().round(4)
            described: dict[str, object] = {"class_share": shares.rename(index=str).to_dict()}
        else:
            described = {
                "target_min": float(values.min()),
                "target_mean": float(values.mean()),
                "target_max": float(values.max()),
            }
        summary[name] = {"rows": len(frame), **described}
    return summary


def main() -> None:
    params = load_params()
    frame, path = load_raw(params)
    frame, joined = with_labelled_batches(frame)
    source = f"{path}" + (f" and {joined} labelled batches in {LABELLED}/" if joined else "")
    data = params.data
    validate_frame(frame, data.target, params.task, source, data.drop)
    frame, left_out = labelled_rows(frame.drop(columns=list(data.drop)), data.target)
    if left_out:
        print(f"prepare: left out {left_out} rows with no {data.target}")
    frame = with_dates(frame, data.target, data.drop)
    train, test = split(frame, params)
    TRAIN.parent.mkdir(parents=True, exist_ok=True)
    train.to_parquet(TRAIN, index=False)
    test.to_parquet(TEST, index=False)
    splits = data_summary({"train": train, "test": test}, data.target, params.task)
    summary = {**splits, "unlabelled_rows_left_out": left_out}
    DATA_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    DATA_SUMMARY.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"prepare: {len(train)} train and {len(test)} test rows from {source}")


if __name__ == "__main__":
    run_stage(main)
