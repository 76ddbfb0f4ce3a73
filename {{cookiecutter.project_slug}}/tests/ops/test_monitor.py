"""The monitor: drift of a batch against the training data, on embedded datasets split in two.

The held-out part of a split comes from the same distribution as the training part,
so it must not drift; shifted copies of it must. Every test runs for both tasks,
whatever this project's own task is.
"""

import json
import re
import shutil
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn import datasets
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }} import metrics
from {{ cookiecutter.package_name }}.errors import DataError, ProjectError
from {{ cookiecutter.package_name }}.features import build_preprocessor
from {{ cookiecutter.package_name }}.ops.monitoring import drift
from {{ cookiecutter.package_name }}.ops.monitoring import report as reports
from {{ cookiecutter.package_name }}.params import MonitorParams
from {{ cookiecutter.package_name }}.paths import CONF_DIR, PARAMS

# The shipped thresholds, so that the tests also check that they are sensible.
THRESHOLDS = MonitorParams.model_validate(
    yaml.safe_load((CONF_DIR / "monitor" / "default.yaml").read_text(encoding="utf-8"))
)
# A skewed categorical column, like `clinic` in the sample CSV: swapping two categories changes its distribution.
CLINICS = {"north": 0.6, "south": 0.25, "east": 0.1, "west": 0.05}
SWAPPED = {"north": "west", "west": "north", "south": "east", "east": "south"}


@dataclass(frozen=True)
class FakeBundle:
    """Stands in for bundle.Bundle: a fitted pipeline and the manifest a release publishes."""

    path: Path
    manifest: dict[str, Any]
    model: Pipeline


@dataclass(frozen=True)
class Case:
    bundle: FakeBundle
    train: pd.DataFrame
    test: pd.DataFrame

    @property
    def numeric(self) -> list[str]:
        return [feature["name"] for feature in self.bundle.manifest["features"] if feature["kind"] == "numeric"]


@pytest.fixture(scope="module", params=["classification", "regression"])
def case(request: pytest.FixtureRequest) -> Case:
    """Breast cancer or diabetes plus a clinic column, split 80/20; the model is fitted on the 80."""
    task: str = request.param
    classification = task == "classification"
    bunch = (datasets.load_breast_cancer if classification else datasets.load_diabetes)(as_frame=True)
    frame = bunch.frame
    if classification:
        frame["target"] = bunch.target_names[bunch.target]
    frame.insert(0, "clinic", np.random.default_rng(0).choice(list(CLINICS), len(frame), p=list(CLINICS.values())))
    stratify = frame["target"] if classification else None
    train, test = train_test_split(frame, test_size=0.2, random_state=0, stratify=stratify)
    features = train.drop(columns="target")
    estimator = LogisticRegression(max_iter=1000) if classification else Ridge()
    model = Pipeline([("preprocess", build_preprocessor()), ("model", estimator)]).fit(features, train["target"])
    score = metrics.classification_metrics if classification else metrics.regression_metrics
    manifest = {
        "task": task,
        "target": "target",
        "version": "v0.1.0",
        "features": [
            {"name": name, "kind": "numeric" if pd.api.types.is_numeric_dtype(dtype) else "categorical"}
            for name, dtype in features.dtypes.items()
        ],
        "metrics": score(model, test.drop(columns="target"), test["target"]),
    }
    bundle = FakeBundle(Path("model.tar.gz"), manifest, model)
    return Case(bundle, train.reset_index(drop=True), test.reset_index(drop=True))


def detect(case: Case, current: pd.DataFrame, labels: bool = False) -> dict[str, Any]:
    return drift.detect_drift(case.train, current, case.bundle, THRESHOLDS, labels, current_name="--current new.csv")


def test_held_out_data_does_not_drift(case: Case) -> None:
    report = detect(case, case.test, labels=True)
    assert not report["drift"], report["reasons"]
    assert report["drifted_share"] <= THRESHOLDS.max_drifted_share
    assert report["features"]["clinic"]["test"] == "chi2"
    assert report["features"]["clinic"]["unseen_share"] == 0
    assert report["features"][case.numeric[0]]["test"] == "ks"
    assert not report["prediction"]["drifted"]
    # Published on this very batch, so no metric is worse.
    assert report["performance"] and all(row["worse_by"] == 0 for row in report["performance"].values())
    json.dumps(report, allow_nan=False)  # plain JSON, no numpy types
    assert reports.render_markdown(report).startswith("# Drift report: no drift")


def test_mean_shift_drifts_the_numeric_features(case: Case) -> None:
    current = case.test.copy()
    current[case.numeric] += case.train[case.numeric].std()
    report = detect(case, current)
    assert report["drift"]
    assert set(case.numeric) <= set(report["drifted_features"])
    assert "features drifted" in report["reasons"][0]


def test_swapped_categories_drift_the_categorical_feature(case: Case) -> None:
    report = detect(case, case.test.assign(clinic=case.test["clinic"].map(SWAPPED)))
    assert report["drifted_features"] == ["clinic"]
    # One drifted feature is fewer than max_drifted_share of them.
    assert not report["drift"], report["reasons"]


def test_a_feature_that_lost_all_its_values_drifts(case: Case) -> None:
    report = detect(case, case.test.assign(clinic=None))
    untested = {"test": None, "statistic": None, "p_value": None, "drifted": True}
    assert report["features"]["clinic"] == {"kind": "categorical", **untested, "unseen_share": 0.0, "unseen": []}
    assert "| clinic | categorical | n/a | n/a | n/a | **yes** | 0% |" in reports.render_markdown(report)


def test_unseen_categories_drift_the_feature_and_the_batch(case: Case) -> None:
    # A fifth of the batch from a clinic the model never saw: its one-hot encoding ignores it.
    current = case.test.copy()
    current.loc[: round(len(current) * 0.2) - 1, "clinic"] = "harbour"
    report = detect(case, current)
    clinic = report["features"]["clinic"]
    assert clinic["unseen"] == ["harbour"] and clinic["unseen_share"] == pytest.approx(0.2, abs=0.01)
    assert clinic["drifted"] and report["drift"]
    assert "clinic: 20% of its values are categories never seen in training (harbour)" in report["reasons"][0]
    assert "| **yes** | 20% (harbour) |" in reports.render_markdown(report)


def test_a_few_unseen_values_stay_within_the_threshold(case: Case) -> None:
    current = case.test.copy()
    current.loc[0, "clinic"] = "harbour"  # one row: about 1% of the batch
    report = detect(case, current)
    assert report["features"]["clinic"]["unseen"] == ["harbour"]
    assert report["features"]["clinic"]["unseen_share"] <= THRESHOLDS.max_unseen_share
    assert not any("never seen" in reason for reason in report["reasons"])
    assert "unseen_share" not in report["features"][case.numeric[0]]


def test_a_date_feature_is_compared_through_the_parts_the_model_sees() -> None:
    """Dates (stored as dates by prepare; text in a CSV batch): same period no drift, later days shift its parts."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=400, freq="D")
    frame = pd.DataFrame({"size": rng.normal(size=400), "visited": days})
    frame["target"] = np.where(frame["size"] > 0, "big", "small")
    train = frame.iloc[:300]
    model = Pipeline([("preprocess", build_preprocessor()), ("model", LogisticRegression())])
    model.fit(train[["size", "visited"]], train["target"])
    features = [{"name": "size", "kind": "numeric"}, {"name": "visited", "kind": "date"}]
    manifest = {"task": "classification", "target": "target", "version": "v0.1.0", "features": features}
    bundle = FakeBundle(Path("m.tar.gz"), manifest, model)
    parts = ["visited_year", "visited_month", "visited_day_of_year", "visited_weekday"]

    same_period = train.sample(100, random_state=0).assign(visited=lambda rows: rows["visited"].astype(str))
    report = drift.detect_drift(train, same_period, bundle, THRESHOLDS)
    assert list(report["features"]) == ["size", *parts] and not report["drift"], report["reasons"]
    assert {report["features"][part]["kind"] for part in parts} == {"numeric"}

    later = frame.iloc[300:].assign(visited=lambda rows: rows["visited"].astype(str))
    report = drift.detect_drift(train, later, bundle, THRESHOLDS)
    assert {"visited_year", "visited_day_of_year"} <= set(report["drifted_features"])
    assert "visited_weekday" not in report["drifted_features"], "every weekday, before and after"
    with pytest.raises(DataError, match="column visited must hold dates, but row 302 holds 'soon'"):
        bad = later.assign(visited=["2025-01-01", "soon", *later["visited"][2:]])
        drift.detect_drift(train, bad, bundle, THRESHOLDS)


# A population to draw batches of any size from: the training data holds POPULATION rows.
POPULATION = 30_000
SPREAD = 2.0  # of `size`


def draw(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.normal(10, SPREAD, rows)
    return pd.DataFrame(
        {
            "size": size,
            "weight": rng.lognormal(3, 0.5, rows),
            "visits": rng.poisson(3, rows),
            "clinic": rng.choice(list(CLINICS), rows, p=list(CLINICS.values())),
            "target": np.where(size + rng.normal(0, 1, rows) > 10, "big", "small"),
        }
    )


@pytest.fixture(scope="module")
def population() -> Case:
    train = draw(POPULATION, seed=0)
    features = train.drop(columns="target")
    model = Pipeline([("preprocess", build_preprocessor()), ("model", LogisticRegression())])
    model.fit(features, train["target"])
    kinds = [{"name": name, "kind": "categorical" if name == "clinic" else "numeric"} for name in features]
    manifest = {"task": "classification", "target": "target", "version": "v0.1.0", "features": kinds}
    return Case(FakeBundle(Path("m.tar.gz"), manifest, model), train, draw(100, seed=1))


@pytest.mark.parametrize("rows", [1_000, 20_000, 100_000])
def test_drift_decisions_hold_at_any_batch_size(population: Case, rows: int) -> None:
    """A p-value test up to distance_above_rows, a distance above: the same population never drifts, a real
    shift always does, and a shift too small to matter does not, however many rows show it."""
    same = draw(rows, seed=rows)
    report = detect(population, same)
    assert not report["drift"] and report["drifted_features"] == [], report["reasons"]
    small = rows <= THRESHOLDS.distance_above_rows
    assert report["features"]["size"]["test"] == ("ks" if small else "wasserstein")
    assert report["features"]["clinic"]["test"] == ("chi2" if small else "jensen_shannon")
    assert report["prediction"]["test"] == ("chi2" if small else "jensen_shannon")

    nudged = detect(population, same.assign(size=same["size"] + 0.03 * SPREAD))
    assert "size" not in nudged["drifted_features"], "0.03 standard deviations is no drift"

    shifted = detect(population, same.assign(size=same["size"] + 0.5 * SPREAD))
    assert "size" in shifted["drifted_features"], "half a standard deviation is"

    newcomers = same.copy()
    newcomers.loc[: rows // 5 - 1, "clinic"] = "harbour"  # a new category in a fifth of the rows
    opened = detect(population, newcomers)
    assert "clinic" in opened["drifted_features"] and opened["drift"]
    assert opened["features"]["clinic"]["unseen_share"] == pytest.approx(0.2)
    # The header counts the rows of the features table.
    markdown = reports.render_markdown(opened)
    table = markdown.split("## Features")[1].split("## Predictions")[0]
    listed = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]  # no header
    assert f"{len(opened['drifted_features'])} of {len(listed)} features drifted" in markdown.splitlines()[0]


# A column of thousands of levels, like the tail numbers of a fleet: a few planes fly often, most rarely.
PLANES = np.array([f"N{number:04d}" for number in range(4_000)])
FLIGHTS = 1 / np.arange(1, len(PLANES) + 1) ** 0.8


def flights(rows: int, seed: int, shares: np.ndarray = FLIGHTS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.normal(10, SPREAD, rows)
    plane = rng.choice(PLANES, rows, p=shares / shares.sum())
    return pd.DataFrame({"size": size, "plane": plane, "target": np.where(size > 10, "big", "small")})


def test_a_column_of_thousands_of_levels_is_compared_as_the_model_encodes_it() -> None:
    """Level by level, any 20,000 rows of 4,000 levels differ by chance; the model keeps 49 levels and one for the
    rest, and those are compared: the same fleet does not drift, one where other planes fly most does."""
    train = flights(POPULATION, seed=0)
    model = Pipeline([("preprocess", build_preprocessor()), ("model", LogisticRegression())])
    model.fit(train[["size", "plane"]], train["target"])
    manifest = {
        "task": "classification",
        "target": "target",
        "version": "v0.1.0",
        "features": [{"name": "size", "kind": "numeric"}, {"name": "plane", "kind": "categorical"}],
    }
    fleet = Case(FakeBundle(Path("m.tar.gz"), manifest, model), train, flights(100, seed=1))
    same = flights(20_000, seed=2)
    assert drift._jensen_shannon(train["plane"], same["plane"]) > THRESHOLDS.max_distance, "raw levels differ"
    report = detect(fleet, same)
    assert report["features"]["plane"]["test"] == "jensen_shannon"
    assert report["features"]["plane"]["statistic"] < THRESHOLDS.max_distance / 2, report["features"]["plane"]
    assert not report["drift"] and report["drifted_features"] == [], report["reasons"]

    renewed = detect(fleet, flights(20_000, seed=3, shares=np.roll(FLIGHTS, 1_000)))
    assert "plane" in renewed["drifted_features"]


def test_prediction_drift(case: Case) -> None:
    predictions = case.bundle.model.predict(case.test.drop(columns="target"))
    # The third of the batch with the highest predictions (for classes, the last by name).
    current = case.test.iloc[np.argsort(predictions, kind="stable")[-len(case.test) // 3 :]]
    report = detect(case, current)
    assert report["prediction"]["drifted"]
    assert report["drift"]
    assert any("predictions drifted" in reason for reason in report["reasons"])


def test_worse_performance_with_labels_is_drift(case: Case) -> None:
    # Shuffled labels leave the features as they are: only the metrics can tell.
    current = case.test.assign(target=case.test["target"].sample(frac=1, random_state=0).to_numpy())
    assert not detect(case, current)["drift"]

    report = detect(case, current, labels=True)
    failed = [metric for metric, row in report["performance"].items() if row["failed"]]
    assert report["drift"]
    assert failed
    assert all(any(reason.startswith(f"{metric} = ") for reason in report["reasons"]) for metric in failed)
    assert "## Performance" in reports.render_markdown(report)


def test_rows_without_a_label_are_left_out_of_the_scores_and_counted(case: Case) -> None:
    current = case.test.copy()
    current.loc[current.index[:3], "target"] = None
    report = detect(case, current, labels=True)
    assert report["labelled"] == {"scored": len(current) - 3, "left_out": 3}
    alone = detect(case, current.iloc[3:], labels=True)
    assert report["performance"] == alone["performance"], "the scores are those of the labelled rows"
    markdown = reports.render_markdown(report)
    assert f"Scored on the {len(current) - 3} labelled rows; 3 without a label left out." in markdown
    with pytest.raises(DataError, match="no row has a value in target 'target'; label some rows or drop --labels"):
        detect(case, current.assign(target=None), labels=True)


def test_labels_need_the_target_column(case: Case) -> None:
    with pytest.raises(DataError, match="--current new.csv has no target column 'target', which --labels needs"):
        detect(case, case.test.drop(columns="target"), labels=True)


def test_missing_feature_column(case: Case) -> None:
    with pytest.raises(DataError, match=r"^--current new\.csv: .*missing.*clinic"):
        detect(case, case.test.drop(columns="clinic"))


def test_text_in_a_numeric_feature(case: Case) -> None:
    name = case.numeric[0]
    current = case.test.astype({name: object})
    current.loc[[3, 5], name] = "n/a"
    with pytest.raises(DataError, match=f"^--current new\\.csv: .*{re.escape(name)}.*numeric.*'n/a'"):
        detect(case, current)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_read_frame(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"size": [1.5, None], "colour": ["red", "blue"]})
    path = tmp_path / f"batch{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    read = drift.read_frame(path, "--current batch")
    assert list(read.columns) == ["size", "colour"]
    assert read["size"].isna().sum() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("absent.csv", None, "not found; pass an existing .csv or .parquet file", id="missing"),
        pytest.param("batch.csv", b"", "is empty", id="empty"),
        pytest.param("batch.csv", b"\n\n", "is empty", id="blank-lines"),
        pytest.param("batch.csv", b"size,colour\n", "has no data rows", id="header-only"),
        pytest.param("batch.csv", b"size,colour\n1,red\n2,blue,3\n", "not a readable csv file", id="ragged-rows"),
        pytest.param("batch.csv", b"size\n\xff\xfe\n", "not a readable csv file", id="not-utf8"),
        pytest.param("batch.parquet", b"not parquet", "not a readable parquet file", id="bad-parquet"),
        pytest.param("batch.xlsx", b"x", "unsupported file type '.xlsx'", id="wrong-type"),
    ],
)
def test_read_frame_bad_files(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=f"^--current {re.escape(name)}.*{re.escape(message)}"):
        drift.read_frame(path, f"--current {name}")


def test_the_newest_batch_is_the_last_by_name(tmp_path: Path) -> None:
    for name in ("2026-01-02.csv", "2026-01-10.csv", "notes.md"):
        (tmp_path / name).write_text("a\n1\n")
    assert reports.newest_batch(tmp_path) == tmp_path / "2026-01-10.csv"


def test_a_batch_whose_name_carries_shell_syntax_is_refused_by_name(tmp_path: Path) -> None:
    """The name travels on (the drift issue, the retrain it starts): refused, not monitored."""
    evil = "z$(id>X)x`id>Y`.csv"
    (tmp_path / "2026-01-01.csv").write_text("a\n1\n")
    (tmp_path / evil).write_text("a\n1\n")
    with pytest.raises(ProjectError, match=r"^refused the batch .*z\$\(id>X\)x`id>Y`\.csv.*: rename it"):
        reports.newest_batch(tmp_path)


def test_no_batch_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no batch in"):
        reports.newest_batch(tmp_path)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> Path:
    """A scratch directory with params.yaml and the reference data; load_model returns the case's bundle."""
    shutil.copy(PARAMS, tmp_path / PARAMS)
    case.train.to_parquet(tmp_path / "train.parquet", index=False)
    # run() imports load_model when it runs, so a stand-in module replaces bundle.py.
    fake = types.ModuleType("bundle")
    fake.load_model = lambda spec: case.bundle  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "{{ cookiecutter.package_name }}.ops.registry.bundle", fake)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(labels: bool = False) -> int:
    return reports.run("model#prod", Path("new.csv"), Path("train.parquet"), labels, Path("out"))


def test_run_writes_the_reports(workdir: Path, case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    case.test.to_csv("new.csv", index=False)
    assert run(labels=True) == 0
    report = json.loads(Path("out/drift.json").read_text(encoding="utf-8"))
    assert report["model"] == {"spec": "model#prod", "path": "model.tar.gz", "version": "v0.1.0"}
    assert (report["reference"], report["current"], report["drift"]) == ("train.parquet", "new.csv", False)
    assert report["rows"] == {"reference": len(case.train), "current": len(case.test)}
    assert "- model: `model#prod` (v0.1.0)" in Path("out/drift.md").read_text(encoding="utf-8")
    assert capsys.readouterr().out.startswith("monitor: no drift: ")


def test_run_exits_1_on_drift(workdir: Path, case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    current = case.test.copy()
    current[case.numeric] += case.train[case.numeric].std()
    current.to_csv("new.csv", index=False)
    assert run() == 1
    assert json.loads(Path("out/drift.json").read_text(encoding="utf-8"))["drift"] is True
    assert "features drifted" in capsys.readouterr().out


def test_run_on_bad_input_leaves_no_report(workdir: Path, case: Case) -> None:
    Path("out").mkdir()
    Path("out/drift.json").write_text("{}", encoding="utf-8")  # from an earlier batch
    case.test.drop(columns="clinic").to_csv("new.csv", index=False)
    with pytest.raises(DataError, match=r"^--current new\.csv: .*missing.*clinic"):
        run()
    assert not any(Path("out").iterdir())
