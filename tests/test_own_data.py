"""Your own data, end to end: `make data` takes a user's CSV into a default bake, `make repro` trains on it.

One baked project (the default answers: an embedded dataset, so `make data` also switches
prepare from writing that dataset to depending on the file). The bad inputs run first, on the
clean bake: each must fail with one `error:` line and leave git and params.yaml as they were.
Then the good file: prepare names what it did with its date and ID-like columns, the model
passes the default gate (beat the trivial baseline), `predict --keep id` joins back to the input,
and a model that learns nothing fails the gate.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from baked import Project, bake_project

from conftest import run

pytestmark = pytest.mark.e2e

ROWS = 150
UNLABELLED = [2, 30, 77, 140]  # rows whose target the user's file leaves empty


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv) -> Project:
    project = bake_project(cookies_session, shared_venv)
    project.make("setup")
    return project


@pytest.fixture(scope="module")
def own_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's file: an ID, a name-like text column, dates, a categorical one, numbers, a few unlabelled rows."""
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
        }
    )
    frame.loc[UNLABELLED, "churned"] = None
    path = tmp_path_factory.mktemp("own") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def one_class(path: Path) -> Path:
    single = path.with_name("one_class.csv")
    pd.read_csv(path).assign(churned="yes").to_csv(single, index=False)
    return single


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "nowhere.csv not found"),
        ("unknown-target", "target column 'churn' not found; the columns are id, name"),
        ("unknown-drop", "data.drop names no such column: email"),
        ("one-class", "target 'churned' has a single class; classification needs at least two"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(project: Project, own_csv: Path, case: str, message: str) -> None:
    file, target, drop = {
        "missing": (own_csv.with_name("nowhere.csv"), "churned", "id"),
        "unknown-target": (own_csv, "churn", "id"),
        "unknown-drop": (own_csv, "churned", "id email"),
        "one-class": (one_class(own_csv), "churned", "id"),
    }[case]
    params = (project.path / "params.yaml").read_bytes()
    result = project.make("data", f"FILE={file}", f"TARGET={target}", f"DROP={drop}", check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if not line.startswith("make:")]
    assert len(errors) == 1 and errors[0].startswith("error: ") and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert run("git", "status", "--porcelain", cwd=project.path).stdout == ""
    assert (project.path / "params.yaml").read_bytes() == params


def test_make_data_then_repro_trains_on_it(project: Project, own_csv: Path) -> None:
    result = project.make("data", f"FILE={own_csv}", "TARGET=churned", "DROP=id")
    assert "make repro" in result.stdout
    conf = (project.path / "conf/data/customers.yaml").read_text()
    assert "target: churned" in conf and "stratify: true" in conf
    assert "- data: customers" in (project.path / "conf/config.yaml").read_text()
    assert (project.path / "data/raw/customers.csv.dvc").exists()
    assert (project.path / "data/raw/customers.csv").read_bytes() == own_csv.read_bytes()

    ran, output = project.repro()
    assert ran == ["prepare", "train", "evaluate"]
    assert f"prepare: left out {len(UNLABELLED)} rows with no churned" in output
    summary = json.loads((project.path / "reports/data.json").read_text())
    assert summary["unlabelled_rows_left_out"] == len(UNLABELLED)
    assert "prepare: signed_up holds dates: the model sees its year, month, day of year and weekday" in output
    assert "prepare: name is text with a distinct value in nearly every row" in output
    assert 'DROP="id name"' in output, "the advice extends the DROP already given"
    assert project.metrics()["accuracy"] > 0.7
    train = pd.read_parquet(project.path / "data/prepared/train.parquet")
    assert "id" not in train.columns and train["churned"].notna().all()
    assert pd.api.types.is_datetime64_any_dtype(train["signed_up"])
    assert "gate: passed (accuracy " in project.make("gate").stdout, "the default gate: beat the trivial baseline"
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Train on customers.csv", cwd=project.path)


def test_predict_keeps_the_id_to_join_back(project: Project, own_csv: Path, tmp_path: Path) -> None:
    project.make("bundle", "VERSION=0.1.0")
    output = tmp_path / "predictions.csv"
    slug = project.answers["project_slug"]
    command = [str(project.venv / "bin" / slug), "predict", "--model", f"dist/{slug}-v0.1.0.tar.gz"]
    run(*command, "--input", str(own_csv), "--output", str(output), "--keep", "id", cwd=project.path)
    predicted, given = pd.read_csv(output), pd.read_csv(own_csv)
    assert list(predicted.columns[:2]) == ["id", "prediction"]
    assert predicted["id"].tolist() == given["id"].tolist(), "one row per input row, in input order"


def test_a_changed_file_reruns_prepare_and_a_model_that_learns_nothing_fails_the_gate(project: Project) -> None:
    """One repro for both, to save a run: a new row in the file, and C so small that the model learns nothing."""
    raw = project.path / "data/raw/customers.csv"
    raw.write_text(raw.read_text() + "9999,Customer new,2024-06-01,pro,0.5,3,yes\n")
    status = project.dvc("status", "prepare").stdout
    assert "modified:" in status and "data/raw/customers.csv" in status, status
    result = project.make("repro", "ARGS=model.C=1e-9")
    output = result.stdout + result.stderr
    assert "Running stage 'prepare'" in output and "Running stage 'train'" in output, output
    metrics = project.metrics()
    assert metrics["accuracy"] == metrics["baseline_accuracy"], "the majority class, every time"
    gate = project.make("gate", check=False)
    assert gate.returncode != 0
    assert "does not beat the trivial baseline's" in gate.stderr, gate.stderr
