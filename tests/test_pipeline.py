"""End to end: bake, `make setup`, `make test`, `make repro`, and DVC experiments.

Each scenario is one baked project, and its tests run in order as a user
would work: set up, train, change things, run experiments, make mistakes, and
last, open pull requests whose reports tests/review.py reads as GitHub shows them.
All projects share one virtual environment (`make setup VENV=...` syncs it
from each project's own uv.lock), so no bake pays for a fresh install.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest
import yaml
from baked import Project, bake_project, cached_outputs, md5
from review import ClassificationReview, RegressionReview

from conftest import run

pytestmark = pytest.mark.e2e

SCENARIOS = {
    "default": ({}, "accuracy", 0.9),
    "regression": ({"task": "regression"}, "r2", 0.3),
    "csv": ({"dataset": "csv"}, "accuracy", 0.85),
}
PLOTS = {
    "classification": {"confusion.csv", "roc.csv", "precision_recall.csv", "feature_importance.csv"},
    "regression": {"predictions.csv", "feature_importance.csv"},
}


@pytest.fixture(scope="class")
def project(request, cookies_session, shared_venv) -> Project:
    """The class's scenario, baked once for all its tests."""
    scenario = request.cls.scenario
    answers, _, _ = SCENARIOS[scenario]
    project = bake_project(cookies_session, shared_venv, **answers)
    project.scenario = scenario
    return project


class Baseline:
    """Set up, check, train: the first steps, in order, on every scenario."""

    scenario: str

    def test_setup_lint_and_own_tests_pass_on_a_fresh_bake(self, project: Project) -> None:
        project.make("setup")
        project.cli("ci", "check-params")
        if project.scenario == "default":
            return  # ci.yml's lint and test jobs run on this bake: tests/test_fresh_bake_on_github.py
        project.make("lint")  # every pre-commit hook, on every file
        assert run("git", "status", "--porcelain", cwd=project.path).stdout == "", "pre-commit changed a fresh bake"
        if project.answers["dataset"] != "csv":  # the csv bake's code is the default bake's: same task
            assert "passed" in project.make("test").stdout

    def test_repro_trains_evaluates_and_reports(self, project: Project) -> None:
        ran, _ = project.repro()
        assert ran == ["prepare", "train", "evaluate"]
        _, metric, floor = SCENARIOS[project.scenario]
        metrics = project.metrics()
        assert metrics[metric] >= floor, metrics
        classification = project.answers["task"] == "classification"
        scores = {"accuracy", "balanced_accuracy", "f1", "roc_auc", "average_precision"}
        expected = scores | {"baseline_accuracy", "baseline_balanced_accuracy"} if classification else set()
        assert set(metrics) == (expected or {"rmse", "mae", "r2", "baseline_rmse"})
        assert "gate: passed" in project.make("gate").stdout, "real data: the model beats the trivial baseline"
        plots = {path.name for path in (project.path / "reports/plots").iterdir()}
        assert plots == PLOTS[project.answers["task"]]
        # A picture of the model after every run, one per plot table.
        figures = {path.name for path in (project.path / "reports/figures").iterdir()}
        assert figures == {name.replace(".csv", ".png") for name in plots}
        assert all(path.read_bytes().startswith(b"\x89PNG") for path in (project.path / "reports/figures").iterdir())
        run("git", "add", "--all", cwd=project.path)
        run("git", "commit", "--quiet", "-m", "Train the baseline", cwd=project.path)

    def test_make_hands_values_to_the_command_as_they_are(self, project: Project) -> None:
        """Values with shell syntax, given to make, reach the command verbatim: each refused in one
        line naming it, none run. (Workflows call the command itself: tests/test_act.py.)"""
        if project.scenario != "default":
            return
        payloads = {
            "release": {"VERSION": "$(touch m-version)"},
            "promote": {"VERSION": "1.0.0", "STAGE": "`touch m-stage`"},
            "inspect": {"MODEL": "x'; touch m-model; '"},
            "monitor": {"CURRENT": '"; touch m-current; "'},
            "pr-report": {"BASE": "main;touch m-base"},
            "data": {"FILE": "`touch m-file`.csv", "TARGET": "target"},
        }
        for target, values in payloads.items():
            result = run("make", target, f"VENV={project.venv}", cwd=project.path, env=values, check=False)
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            assert result.returncode != 0 and len(errors) == 1, f"{target}: {result.stdout}{result.stderr}"
            assert any(value in errors[0] for value in values.values()), f"{target} names the value: {errors[0]}"
        args = {"ARGS": "seed=$(touch m-args)"}
        hydra = run("make", "params", f"VENV={project.venv}", cwd=project.path, env=args, check=False)
        assert hydra.returncode != 0 and "cannot compose conf/" in hydra.stderr, "Hydra's parser refuses it"
        assert not list(project.path.glob("m-*")), "a value ran as code"
        project.restore()

    def test_second_repro_runs_no_stage(self, project: Project) -> None:
        ran, output = project.repro()
        assert ran == []
        assert "didn't change, skipping" in output or "up to date" in output


class ConfigChanges:
    """Changes and mistakes in conf/: the same code whatever the data, so one scenario suffices."""

    def test_model_parameter_change_reruns_train_and_evaluate_only(self, project: Project) -> None:
        name = project.default_model()
        config = project.path / f"conf/model/{name}.yaml"
        key = "C" if name == "logistic_regression" else "alpha"
        config.write_text(config.read_text().replace(f"{key}: 1.0", f"{key}: 0.25"))
        stale = project.cli("ci", "check-params", check=False)
        assert stale.returncode == 1
        assert "params.yaml is stale: run `make params` and commit it." in stale.stderr
        ran, _ = project.repro()
        assert ran == ["train", "evaluate"]
        assert yaml.safe_load((project.path / "params.yaml").read_text())["model"][key] == 0.25
        project.restore()

    def test_unknown_model_lists_the_choices_and_changes_nothing(self, project: Project) -> None:
        result = project.dvc("exp", "run", "-S", "model=does_not_exist", check=False)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "Could not find 'model/does_not_exist'" in output
        assert "random_forest" in output and "gradient_boosting" in output
        made = project.make("params", "ARGS=model=does_not_exist", check=False)
        assert made.returncode != 0
        assert "Available options in 'model'" in made.stderr
        assert run("git", "status", "--porcelain", cwd=project.path).stdout == ""

    def test_negative_n_estimators_fails_clearly_and_leaves_no_model(self, project: Project) -> None:
        project.make("params", "ARGS=model=random_forest model.n_estimators=-3")
        result = project.dvc("repro", check=False)
        assert result.returncode != 0
        assert "The 'n_estimators' parameter of RandomForest" in result.stderr
        assert "Got -3 instead" in result.stderr
        assert "Traceback" not in result.stderr
        assert not (project.path / "models/model.skops").exists(), "a failed train must not leave a model"
        assert run("git", "diff", "--quiet", "dvc.lock", cwd=project.path, check=False).returncode == 0
        project.restore()


class BadCsv:
    """A user's CSV that cannot be trained on: a one-line error and nothing half-made."""

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("a,b\n1,2\n3,4\n", "data/raw/data.csv: target column 'target' not found; the columns are a, b"),
            ("", "data/raw/data.csv is empty"),
            ('a,b,target\n1,2,x\n3,"4,y\n', "data/raw/data.csv is not a readable CSV"),
        ],
        ids=["no-target-column", "empty", "malformed"],
    )
    def test_bad_csv_fails_clearly_and_loses_nothing(self, project: Project, content: str, message: str):
        summary = (project.path / "reports/data.json").read_bytes()
        (project.path / "data/raw/data.csv").write_text(content)
        ran, output = project.repro(check=False)
        assert ran == ["prepare"]
        assert f"error: {message}" in output
        # What DVC removed before running prepare is back as dvc.lock records it: the last good split.
        assert "repro: put back what the stopped stage had removed" in output
        assert_outputs_as_locked(project)
        assert (project.path / "reports/data.json").read_bytes() == summary, "kept in git: put back from a copy"
        project.restore()

    def test_a_failed_or_stopped_repro_puts_back_the_model(self, project: Project) -> None:
        failed = project.make("repro", "ARGS=model=random_forest model.n_estimators=-3", check=False)
        assert failed.returncode != 0 and "Got -3 instead" in failed.stderr
        assert (
            "put back what the stopped stage had removed, as dvc.lock records it: models/model.skops" in failed.stderr
        )
        assert_outputs_as_locked(project)

        # Ctrl-C in the middle of a long training: the terminal interrupts make, the CLI and DVC alike.
        slow = "ARGS=model=random_forest model.n_estimators=20000 model.n_jobs=1"
        model = project.path / "models/model.skops"
        stopped = subprocess.Popen(
            ["make", "repro", slow], cwd=project.path, env=project.env, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while model.exists() and time.monotonic() < deadline and stopped.poll() is None:
                time.sleep(0.2)  # DVC removes the model as the train stage starts
            assert not model.exists(), "train started"
            time.sleep(5)  # past its imports, into the fit
            os.killpg(stopped.pid, signal.SIGINT)
            output, _ = stopped.communicate(timeout=120)
        finally:
            if stopped.poll() is None:
                os.killpg(stopped.pid, signal.SIGKILL)
        assert stopped.returncode != 0
        assert "error: interrupted" in output and "Traceback" not in output, output
        assert "put back what the stopped stage had removed, as dvc.lock records it: models/model.skops" in output
        assert_outputs_as_locked(project)
        project.make("params")
        project.restore()


def assert_outputs_as_locked(project: Project) -> None:
    """Every output dvc.lock records (and DVC caches) is in the workspace with its recorded hash."""
    for output, expected in cached_outputs(project.path).items():
        assert md5(project.path / output) == expected, output


def other_models(project: Project) -> list[str]:
    """The task's models in conf/model/ besides the default one."""
    models = sorted(path.stem for path in (project.path / "conf/model").glob("*.yaml"))
    others = [model for model in models if model != project.default_model()]
    assert len(others) >= 2
    return others


class Sweep:
    """The README's sweep on one box, over every other model: `make sweep`, checked, queued, run by two workers."""

    def test_make_sweep_runs_every_other_model_and_ranks_them(self, project: Project) -> None:
        others = other_models(project)
        before = len(project.experiments())
        swept = project.make("sweep", f"PARAMS=model={','.join(others)}", "JOBS=2")
        output = swept.stdout + swept.stderr
        names = re.findall(r"Queued experiment '([\w-]+)'", output)
        assert len(names) == len(others), output
        experiments = project.experiments()
        by_name = {experiment["name"]: experiment for experiment in experiments if experiment["name"] in names}
        assert sorted(experiment["params"]["model"]["name"] for experiment in by_name.values()) == others
        assert all(experiment["metrics"] for experiment in by_name.values()), by_name
        assert len(experiments) == before + len(others)
        # Ranked best first by the gate's first metric, as the sweep workflow's summary is.
        rows = re.findall(r"^\| (\d) \| `([\w-]+)` \| `model=(\w+)` \| ([\d.]+) \|", swept.stdout, re.MULTILINE)
        assert sorted(name for _, name, _, _ in rows) == sorted(names), swept.stdout
        accuracies = [float(value) for *_, value in rows]
        assert accuracies == sorted(accuracies, reverse=True)
        assert f"{len(others)} of {len(others)} experiments, best accuracy first" in swept.stdout


# One class per scenario, so that `pytest -n 2 --dist loadscope` gives each to one worker.
class TestDefaultBake(ClassificationReview, Sweep, ConfigChanges, Baseline):  # pytest runs base classes first
    scenario = "default"


# Its other models and config changes: the default bake's experiments prove the mechanism, and
# the regression bake's own tests (Baseline's `make test`) train every regression model.
class TestRegressionBake(RegressionReview, Baseline):
    scenario = "regression"


class TestCsvBake(BadCsv, Baseline):
    scenario = "csv"
