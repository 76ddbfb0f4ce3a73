"""The pull-request report of real changes, rendered as GitHub renders a comment.

Steps that tests/test_pipeline.py runs last on its trained default and
regression bakes: branches from main that improve the model, break the quality
gate, or change only the data (classification), and tune a regressor. Each
report is rendered with cmark-gfm (tests/rendered.py): the verdict is the first
line shown, the sections are tables, no image is embedded, and the whole fits
in a comment. tests/test_workflows.py posts the same report under act.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable

import pytest
from baked import Project
from rendered import GITHUB_COMMENT_LIMIT, image_sources, sections, table_rows, to_html

from conftest import TEMPLATE, run

REPORT_PY = TEMPLATE / "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}/ops/review/report.py"


def report_marker() -> str:
    """PR_REPORT_MARKER of the template's ops/review/report.py: the first line of report.md and of the comment."""
    for node in ast.parse(REPORT_PY.read_text()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["PR_REPORT_MARKER"]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{REPORT_PY} defines no PR_REPORT_MARKER")


MARKER = report_marker()


def pull_request(project: Project, branch: str, config: str, old: str, new: str) -> str:
    """A branch from main that edits a model's config, reproduced and committed; its report against main."""
    path = project.path / config
    return changed(project, branch, lambda: path.write_text(path.read_text().replace(old, new)))


def changed(project: Project, branch: str, change: Callable[[], object]) -> str:
    """A branch from main with `change` made, reproduced and committed; its report against main."""
    run("git", "switch", "--quiet", "-c", branch, "main", cwd=project.path)
    change()
    reproduced = project.make("repro")
    (project.path / "reports/repro.log").write_text(reproduced.stdout + reproduced.stderr)
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "--no-verify", "-m", branch, cwd=project.path)
    project.make("pr-report", "BASE=main")
    return (project.path / "pr-report/report.md").read_text()


def metrics_at(project: Project, revision: str) -> dict[str, float]:
    return json.loads(run("git", "show", f"{revision}:reports/metrics.json", cwd=project.path).stdout)


def assert_renders_on_github(report: str, tables: list[str]) -> dict[str, str]:
    """The report as GitHub shows it: verdict first, these sections as tables, no image; its sections' HTML."""
    html = to_html(report)
    assert report.startswith(MARKER + "\n### "), "the verdict is the first line after the hidden marker"
    assert html.startswith(MARKER + "\n<h3>"), "GitHub shows the marker as nothing, then the verdict"
    assert image_sources(html) == [], "a relative or data: image shows broken on GitHub"
    shown = sections(html)
    for heading in tables:
        assert "<table>" in shown[heading], f"{heading} renders as a table"
    assert "|---" not in html and "| ---" not in html, "no table left as text"
    assert len(report) < GITHUB_COMMENT_LIMIT
    return shown


class ClassificationReview:
    """Three pull requests against the trained main: better, failing the gate, new data only."""

    @pytest.fixture(scope="class")
    @classmethod
    def improved(cls, project: Project) -> str:
        return pull_request(project, "tune", "conf/model/logistic_regression.yaml", "C: 1.0", "C: 0.05")

    @pytest.fixture(scope="class")
    @classmethod
    def broken(cls, project: Project, improved: str) -> str:
        """Regularised so hard that the model nearly always predicts one class: it does not beat the baseline."""
        return pull_request(project, "break", "conf/model/logistic_regression.yaml", "C: 1.0", "C: 0.0001")

    def test_an_improvement_passes_and_reads_whole_on_github(self, project: Project, improved: str) -> None:
        base, head = metrics_at(project, "main"), metrics_at(project, "tune")
        assert head["accuracy"] > base["accuracy"], "the scenario: C=0.05 is better on the test split"
        verdict = improved.splitlines()[1]
        assert verdict == (
            f"### ✅ Passes the quality gate; better than `main` on accuracy "
            f"({base['accuracy']:.4f} → {head['accuracy']:.4f})"
        )
        shown = assert_renders_on_github(
            improved, ["Metrics", "Parameters", "Data", "Confusion matrix", "Per class", "Top features"]
        )
        assert table_rows(shown["Metrics"])["accuracy ↑"][3].startswith("better +")
        assert "average_precision ↑" in table_rows(shown["Metrics"]), "ROC AUC and average precision"
        assert "Averaging: roc_auc and average_precision" in shown["Metrics"], "how roc_auc averages"
        assert "<code>models/model.skops</code>" in shown["Data"], "DVC-tracked files changed"
        assert "data/prepared" not in shown["Data"], "the data did not change: only the model"
        assert table_rows(shown["Data"])["train.rows"][1:] == ["455", "455", "same"]
        assert "(was " in shown["Confusion matrix"], "the base's counts where they differ"
        header = table_rows(shown["Top features"])["#"]
        assert header[2:] == ["base <code>main</code>: |coefficient|", "workspace: |coefficient|"], "names the measure"
        assert re.fullmatch(r"[\d.]+ [▏▎▍▌▋▊▉█]+", table_rows(shown["Top features"])["1"][3]), "a bar in plain text"

    def test_feature_names_have_no_column_transformer_prefix(self, project: Project, improved: str) -> None:
        table = (project.path / "reports/plots/feature_importance.csv").read_text()
        for text in (table, improved):
            assert "numeric__" not in text and "categorical__" not in text
        assert "worst radius" in table and "worst radius" in improved

    def test_a_change_that_breaks_the_gate_says_which_bound_first(self, broken: str) -> None:
        verdict = broken.splitlines()[1]
        assert re.fullmatch(
            r"### ❌ Fails the quality gate \(accuracy = 0\.\d{4} does not beat the trivial baseline's 0\.6316 "
            r"by the margin 0\.1: it needs ≥ 0\.6684\); "
            r"worse than `main` on accuracy \(0\.\d{4} → 0\.\d{4}\)",
            verdict,
        ), verdict
        shown = assert_renders_on_github(broken, ["Metrics", "Confusion matrix", "Per class", "Top features"])
        assert table_rows(shown["Metrics"])["accuracy ↑"][4] == "<strong>fails</strong> ≥ 0.6684"
        assert table_rows(shown["Metrics"])["baseline_accuracy"][1:3] == ["0.6316", "0.6316"], "the same split"

    @pytest.fixture(scope="class")
    @classmethod
    def production(cls, project: Project, broken: str) -> str:
        """The tuned model, released and assigned `prod` in the registry; its commit."""
        run("git", "switch", "--quiet", "tune", cwd=project.path)
        project.dvc("checkout", "--quiet")
        project.make("release", "VERSION=0.1.0")
        project.make("promote", "VERSION=0.1.0", "STAGE=prod")
        return run("git", "rev-parse", "HEAD", cwd=project.path).stdout.strip()

    @pytest.fixture(scope="class")
    @classmethod
    def more_data(cls, project: Project, production: str) -> str:
        """Only the data changes: a labelled batch of 40 rows joins the training data (`make absorb`)."""

        def absorb_a_batch() -> None:
            rows = (project.path / "data/raw/breast_cancer.csv").read_text().splitlines()[:41]
            batch = project.path / "data/incoming/batch.csv"
            batch.write_text("\n".join(rows) + "\n")
            project.make("absorb")
            batch.unlink()

        return changed(project, "more-data", absorb_a_batch)

    def test_a_report_compares_with_the_model_in_production(
        self, project: Project, production: str, more_data: str
    ) -> None:
        shipped, head = metrics_at(project, production), metrics_at(project, "more-data")
        said = "the same as" if f"{shipped['accuracy']:.4f}" == f"{head['accuracy']:.4f}" else None
        said = said or ("better than" if head["accuracy"] > shipped["accuracy"] else "worse than")
        verdict = more_data.splitlines()[1]
        assert verdict.endswith(
            f"; {said} production `v0.1.0` on accuracy ({shipped['accuracy']:.4f} → {head['accuracy']:.4f})"
        ), verdict
        assert f"and production `v0.1.0`, commit `{production[:12]}`" in more_data, "its metrics from the tag's commit"
        shown = assert_renders_on_github(more_data, ["Metrics"])
        metrics = table_rows(shown["Metrics"])
        assert metrics["metric"][2] == "production <code>v0.1.0</code>"
        assert metrics["accuracy ↑"][2] == f"{shipped['accuracy']:.4f}"

    def test_a_data_change_shows_in_the_data_section(self, more_data: str) -> None:
        shown = assert_renders_on_github(more_data, ["Metrics", "Data"])
        assert "Added: <code>data/labelled/batch.csv</code>" in shown["Data"]
        modified = re.search(r"<li>Modified: (.*)</li>", shown["Data"])
        assert modified and "<code>data/prepared/train.parquet</code>" in modified.group(1), shown["Data"]
        rows = table_rows(shown["Data"])
        assert rows["train.rows"][1:] == ["455", "487", "+32"] and rows["test.rows"][1:] == ["114", "122", "+8"]
        assert "No parameter changes." in more_data


class RegressionReview:
    """A pull request that tunes the regressor: errors, where lower is better."""

    @pytest.fixture(scope="class")
    @classmethod
    def tuned(cls, project: Project) -> str:
        return pull_request(project, "tune", "conf/model/ridge.yaml", "alpha: 1.0", "alpha: 30.0")

    def test_a_regression_report_compares_errors_lower_is_better(self, project: Project, tuned: str) -> None:
        report = tuned
        base, head = metrics_at(project, "main"), metrics_at(project, "tune")
        said = "better" if head["rmse"] < base["rmse"] else "worse"
        assert f"{said} than `main` on rmse ({base['rmse']:.4f} → {head['rmse']:.4f})" in report.splitlines()[1]
        shown = assert_renders_on_github(report, ["Metrics", "Parameters", "Data", "Top features"])
        assert {"train.target_min", "test.target_max"} <= set(table_rows(shown["Data"])), "the target's range"
        metrics = table_rows(shown["Metrics"])
        assert list(metrics) == ["metric", "rmse ↓", "mae ↓", "r2 ↑", "baseline_rmse"]
        assert metrics["rmse ↓"][4].startswith("≤ "), "the gate: beat the trivial baseline's rmse"
        assert metrics["rmse ↓"][3].startswith(f"{said} ")
        assert "Confusion matrix" not in shown and "Per class" not in shown, "classification only"
