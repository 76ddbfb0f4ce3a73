"""Your own data, end to end: `make data` takes a user's CSV into a bake, and the lifecycle holds for it.

For each task, one bake with the default answers for it (an embedded dataset, so `make data`
also switches prepare from writing that dataset to depending on the file), and a file made
here with what real files have: an ID, a name-like text column, dates, a category, numbers,
and a few rows without the target. The bad inputs run first, on the clean bake: each must
fail with one `error:` line and leave git and params.yaml as they were. Then the good file:
prepare names what it did with its date and ID-like columns, the model passes the default
gate (beat the trivial baseline) and is released; `predict --keep id` joins back to the
input; a batch tracked in data/incoming/ and pushed keeps `make verify` green, and drifts
for its category never seen in training (not for its later dates); a model that learns
nothing fails the gate, and committed, leaves the released version's bundle alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from baked import Project, assert_bundles_its_tagged_model, bake_project

from conftest import run

pytestmark = pytest.mark.e2e

ROWS = 150
UNLABELLED = [2, 30, 77, 140]  # rows whose target the user's file leaves empty
# What each task predicts from the file, and its main metric.
TARGETS = {"classification": ("churned", "accuracy"), "regression": ("spend", "rmse")}


@pytest.fixture(scope="module", params=list(TARGETS))
def project(request: pytest.FixtureRequest, cookies_session, shared_venv) -> Project:
    project = bake_project(cookies_session, shared_venv, task=request.param)
    project.make("setup")
    return project


@pytest.fixture(scope="module")
def own_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's file: an ID, a name-like text column, dates, a category, numbers, and two targets with gaps."""
    rng = np.random.default_rng(0)
    score = rng.normal(size=ROWS)
    frame = pd.DataFrame(
        {
            "id": np.arange(1000, 1000 + ROWS),
            "name": [f"Customer {index}" for index in range(ROWS)],
            "signed_up": pd.date_range("2023-01-01", periods=ROWS, freq="5D").strftime("%Y-%m-%d"),
            "plan": rng.choice(["basic", "plus", "pro"], ROWS),
            "score": score,
            "visits": rng.integers(0, 20, ROWS),
            "churned": np.where(score + rng.normal(scale=0.5, size=ROWS) > 0, "yes", "no").astype(object),
            "spend": (100 + 30 * score + rng.normal(scale=5, size=ROWS)).round(2),
        }
    )
    frame.loc[UNLABELLED, ["churned", "spend"]] = None
    path = tmp_path_factory.mktemp("own") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def one_class(path: Path) -> Path:
    single = path.with_name("one_class.csv")
    pd.read_csv(path).assign(churned="yes").to_csv(single, index=False)
    return single


def bad_inputs(task: str, own_csv: Path) -> dict[str, tuple[Path, str, str, str]]:
    """Per case: FILE, TARGET, DROP, and what the one error line says."""
    if task == "regression":
        return {
            "not-numeric": (own_csv, "plan", "id", "regression needs a numeric target, but 'plan' is"),
            "missing": (own_csv.with_name("nowhere.csv"), "spend", "id", "nowhere.csv not found"),
        }
    return {
        "missing": (own_csv.with_name("nowhere.csv"), "churned", "id", "nowhere.csv not found"),
        "unknown-target": (own_csv, "churn", "id", "target column 'churn' not found; the columns are id, name"),
        "unknown-drop": (own_csv, "churned", "id email", "data.drop names no such column: email"),
        "one-class": (
            one_class(own_csv),
            "churned",
            "id",
            "target 'churned' has a single class; classification needs at least two",
        ),
    }


def test_bad_input_is_one_line_and_changes_nothing(project: Project, own_csv: Path) -> None:
    params = (project.path / "params.yaml").read_bytes()
    for case, (file, label, drop, message) in bad_inputs(project.answers["task"], own_csv).items():
        result = project.make("data", f"FILE={file}", f"TARGET={label}", f"DROP={drop}", check=False)
        assert result.returncode != 0, case
        errors = [line for line in result.stderr.splitlines() if not line.startswith("make:")]
        assert len(errors) == 1 and errors[0].startswith("error: ") and message in errors[0], (case, result.stderr)
        assert "Traceback" not in result.stderr, case
        assert run("git", "status", "--porcelain", cwd=project.path).stdout == "", case
        assert (project.path / "params.yaml").read_bytes() == params, case


def test_make_data_then_repro_trains_on_it(project: Project, own_csv: Path) -> None:
    label, main = TARGETS[project.answers["task"]]
    other = "spend" if label == "churned" else "churned"  # the other task's target: a leak, kept out
    result = project.make("data", f"FILE={own_csv}", f"TARGET={label}", f"DROP=id {other}")
    assert "make repro" in result.stdout
    conf = (project.path / "conf/data/customers.yaml").read_text()
    assert f"target: {label}" in conf
    assert ("stratify: true" in conf) == (label == "churned"), "stratified for classification"
    assert "- data: customers" in (project.path / "conf/config.yaml").read_text()
    assert (project.path / "data/raw/customers.csv.dvc").exists()
    assert (project.path / "data/raw/customers.csv").read_bytes() == own_csv.read_bytes()

    ran, output = project.repro()
    assert ran == ["prepare", "train", "evaluate"]
    assert f"prepare: left out {len(UNLABELLED)} rows with no {label}" in output
    summary = json.loads((project.path / "reports/data.json").read_text())
    assert summary["unlabelled_rows_left_out"] == len(UNLABELLED)
    assert "prepare: signed_up holds dates: the model sees its year, month, day of year and weekday" in output
    assert "prepare: name is text with a distinct value in nearly every row" in output
    assert f'DROP="id {other} name"' in output, "the advice extends the DROP already given"
    train = pd.read_parquet(project.path / "data/prepared/train.parquet")
    assert "id" not in train.columns and train[label].notna().all()
    assert pd.api.types.is_datetime64_any_dtype(train["signed_up"])
    metrics = project.metrics()
    assert f"gate: passed ({main} " in project.make("gate").stdout, "the default gate: beat the trivial baseline"
    if main == "accuracy":
        assert metrics["accuracy"] > 0.7
    else:
        assert metrics["rmse"] < 0.5 * metrics["baseline_rmse"], "spend follows score: far better than the mean"
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Train on customers.csv", cwd=project.path)
    project.make("release", "VERSION=0.1.0")


def bundle_of(project: Project) -> str:
    """The release bundle of v0.1.0, as `make bundle VERSION=0.1.0` writes it."""
    return f"dist/{project.answers['project_slug']}-v0.1.0.tar.gz"


def test_predict_keeps_the_id_to_join_back(project: Project, own_csv: Path, tmp_path: Path) -> None:
    project.make("bundle", "VERSION=0.1.0")
    output = tmp_path / "predictions.csv"
    project.cli(
        "predict", "--model", bundle_of(project), "--input", str(own_csv), "--output", str(output), "--keep", "id"
    )
    predicted, given = pd.read_csv(output), pd.read_csv(own_csv)
    assert list(predicted.columns[:2]) == ["id", "prediction"]
    assert predicted["id"].tolist() == given["id"].tolist(), "one row per input row, in input order"


def test_a_tracked_batch_from_a_new_category_drifts_and_verify_still_passes(project: Project, own_csv: Path) -> None:
    """A batch lands as the README says (dvc add, commit, push): a third of it on a plan the
    training data never had, and all of it from one later day: the parts of its date the model sees move too."""
    batch = pd.read_csv(own_csv).head(60).assign(signed_up="2026-11-30")
    batch.loc[:19, "plan"] = "enterprise"
    batch.drop(columns=["churned", "spend"]).to_csv(project.path / "data/incoming/2026-11-30.csv", index=False)
    project.dvc("add", "--quiet", "data/incoming/2026-11-30.csv")
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "--no-verify", "-m", "A new batch", cwd=project.path)
    project.cli("ci", "push")
    assert "every tracked file pulled" in project.make("verify").stdout

    result = project.cli(
        "monitor", "--model", bundle_of(project), "--current", "data/incoming/2026-11-30.csv", check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "plan: 33% of its values are categories never seen in training (enterprise)" in result.stdout
    drift = json.loads((project.path / "reports/drift.json").read_text())
    assert "signed_up" not in drift["features"], "a date is compared through its parts"
    assert {"signed_up_year", "signed_up_weekday"} <= set(drift["drifted_features"]), drift["drifted_features"]


def test_a_changed_file_reruns_prepare_and_a_model_that_learns_nothing_fails_the_gate(project: Project) -> None:
    """One repro for both, to save a run: a new row in the file, and a model that learns nothing."""
    raw = project.path / "data/raw/customers.csv"
    raw.write_text(raw.read_text() + "9999,Customer new,2024-06-01,pro,0.5,3,yes,115.0\n")
    status = project.dvc("status", "prepare").stdout
    assert "modified:" in status and "data/raw/customers.csv" in status, status
    # C so small, or alpha so large, that the linear model predicts the majority class or the mean.
    nothing = "model.C=1e-9" if project.answers["task"] == "classification" else "model.alpha=1e9"
    result = project.make("repro", f"ARGS={nothing}")
    output = result.stdout + result.stderr
    assert "Running stage 'prepare'" in output and "Running stage 'train'" in output, output
    main = TARGETS[project.answers["task"]][1]
    metrics = project.metrics()
    assert metrics[main] == pytest.approx(metrics[f"baseline_{main}"], rel=1e-3), "no better than the baseline"
    gate = project.make("gate", check=False)
    assert gate.returncode != 0
    assert "does not beat the trivial baseline's" in gate.stderr, gate.stderr

    # Committed anyway: the released version still bundles its own commit's model, not this one.
    run("git", "commit", "--quiet", "--no-verify", "--all", "-m", "Learn nothing", cwd=project.path)
    assert_bundles_its_tagged_model(project, "0.1.0")


BIG_ROWS = 300_000


def test_a_table_of_300000_rows_commits_through_the_hooks_after_repro(project: Project, tmp_path: Path) -> None:
    """At real sizes the plot tables kept in git stay small: the commit after `make repro` passes
    the large-file hook (no --no-verify), and so does `make lint`, the required check."""
    rng = np.random.default_rng(1)
    score = rng.normal(size=BIG_ROWS)
    frame = pd.DataFrame(
        {
            "id": np.arange(BIG_ROWS),
            "signed_up": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, BIG_ROWS), unit="D"),
            "plan": rng.choice(["basic", "plus", "pro", None], BIG_ROWS),
            "region": rng.choice([f"region {index}" for index in range(80)], BIG_ROWS),
            "score": np.where(rng.random(BIG_ROWS) < 0.05, np.nan, score),
            # About 3 % positives, as in many real tables.
            "churned": np.where(score + rng.normal(scale=0.5, size=BIG_ROWS) > 2.0, "yes", "no").astype(object),
            "spend": (100 + 30 * score + rng.normal(scale=5, size=BIG_ROWS)).round(2),
        }
    )
    frame.loc[rng.choice(BIG_ROWS, 500, replace=False), ["churned", "spend"]] = None  # unlabelled rows
    big = project.path / "data/raw/big.csv"
    big.parent.mkdir(parents=True, exist_ok=True)  # on its own, before prepare has written data/raw/
    frame.to_csv(big, index=False)
    target = TARGETS[project.answers["task"]][0]
    project.make("data", "FILE=data/raw/big.csv", f"TARGET={target}", "DROP=id churned spend".replace(f" {target}", ""))
    project.make("repro")
    plots = project.path / "reports/plots"
    assert sum(path.stat().st_size for path in plots.iterdir()) < 500_000, sorted(plots.iterdir())
    pictures = {path.stem for path in (project.path / "reports/figures").glob("*.png")}
    assert pictures == {path.stem for path in plots.iterdir()}, "a picture of every plot table after the run"
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "-m", "Train on the big table", cwd=project.path)  # the hooks run
    project.make("lint")
