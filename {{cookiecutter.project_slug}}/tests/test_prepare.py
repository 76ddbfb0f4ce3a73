"""The prepare stage: reading the raw CSV and the seeded, stratified split."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.params import Params, validate_params
from {{ cookiecutter.package_name }}.paths import DATA_SUMMARY, TEST, TRAIN
from {{ cookiecutter.package_name }}.prepare import load_raw, main, split, with_dates


def make_params(
    task: str,
    *,
    test_size: float = 0.25,
    seed: int = 0,
    stratify: bool = True,
    path: str = "data.csv",
    drop: tuple[str, ...] = (),
) -> Params:
    estimator = "RandomForestClassifier" if task == "classification" else "RandomForestRegressor"
    return validate_params(
        {
            "task": task,
            "seed": seed,
            "data": {
                "name": "tiny",
                "source": "csv",
                "path": path,
                "target": "target",
                "drop": list(drop),
                "split": {"test_size": test_size, "seed": seed, "stratify": stratify},
            },
            "model": {"name": "random_forest", "_target_": f"sklearn.ensemble.{estimator}"},
            "monitor": {
                "p_value": 0.01,
                "distance_above_rows": 1000,
                "max_distance": 0.1,
                "max_drifted_share": 0.25,
                "max_metric_drop": 0.05,
                "max_unseen_share": 0.05,
            },
        }
    )


def test_split_sizes(classification_frame: pd.DataFrame) -> None:
    train, test = split(classification_frame, make_params("classification", test_size=0.25))
    assert (len(train), len(test)) == (30, 10)
    assert sorted([*train.index, *test.index]) == list(classification_frame.index)


def test_split_is_stratified() -> None:
    frame = pd.DataFrame({"x": range(40), "target": ["common"] * 32 + ["rare"] * 8})
    train, test = split(frame, make_params("classification", test_size=0.25))
    assert test["target"].value_counts().to_dict() == {"common": 8, "rare": 2}
    assert train["target"].value_counts().to_dict() == {"common": 24, "rare": 6}


def test_split_is_seeded(classification_frame: pd.DataFrame) -> None:
    _, first = split(classification_frame, make_params("classification", seed=1))
    _, again = split(classification_frame, make_params("classification", seed=1))
    _, other = split(classification_frame, make_params("classification", seed=2))
    assert list(first.index) == list(again.index)
    assert list(first.index) != list(other.index)


def test_stratify_needs_two_rows_per_class(classification_frame: pd.DataFrame) -> None:
    classification_frame.loc[0, "target"] = "lonely"
    with pytest.raises(DataError, match="'lonely' has a single row"):
        split(classification_frame, make_params("classification"))


def test_regression_ignores_stratify(regression_frame: pd.DataFrame) -> None:
    train, test = split(regression_frame, make_params("regression", stratify=True))
    assert (len(train), len(test)) == (30, 10)


def test_load_raw_reads_the_configured_csv(tmp_path: Path, regression_frame: pd.DataFrame) -> None:
    path = tmp_path / "data.csv"
    regression_frame.to_csv(path, index=False)
    frame, source = load_raw(make_params("regression", path=str(path)))
    assert source == path
    assert frame.shape == regression_frame.shape


def test_drop_may_not_name_the_target() -> None:
    with pytest.raises(ConfigError, match="data.drop lists the target 'target'"):
        make_params("regression", drop=("target",))


def test_main_leaves_out_dropped_columns_and_unlabelled_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, regression_frame: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    regression_frame.assign(id=range(len(regression_frame))).assign(
        target=lambda frame: frame["target"].mask(frame.index < 3)
    ).to_csv("data.csv", index=False)
    Path("params.yaml").write_text(
        yaml.safe_dump(make_params("regression", drop=("id",)).model_dump(by_alias=True, mode="json")),
        encoding="utf-8",
    )
    main()
    assert "prepare: left out 3 rows with no target" in capsys.readouterr().out
    train, test = pd.read_parquet(TRAIN), pd.read_parquet(TEST)
    assert len(train) + len(test) == len(regression_frame) - 3
    assert "id" not in train.columns and train["target"].notna().all()
    assert json.loads(DATA_SUMMARY.read_text())["unlabelled_rows_left_out"] == 3


def test_dates_are_stored_as_dates_and_near_unique_text_is_named(
    classification_frame: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = len(classification_frame)
    frame = classification_frame.assign(
        opened=pd.date_range("2024-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
        name=[f"Customer {row}" for row in range(rows)],
    )
    prepared = with_dates(frame, "target", drop=("id",))
    assert pd.api.types.is_datetime64_any_dtype(prepared["opened"])
    assert prepared["name"].equals(frame["name"])  # only named: dropping is the user's call
    out = capsys.readouterr().out
    assert "prepare: opened holds dates: the model sees its year, month, day of year and weekday" in out
    assert f"prepare: name is text with a distinct value in nearly every row ({rows} of {rows})" in out
    assert 'DROP="id name"' in out
