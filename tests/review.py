"""The pull-request report of real changes, rendered as GitHub renders a comment.

Steps that tests/test_pipeline.py runs last on its trained default and
regression bakes: branches from main that improve the model, swap logistic
regression for a random forest, break the quality gate, or (with v0.1.0 in
production) drop 120 of the malignant rows (classification), and tune a
regressor. Each report is rendered with cmark-gfm (tests/rendered.py): the
verdict is the first line shown, the sections are tables, no image is embedded,
each Mermaid chart is drawn by mermaid-cli, and the whole fits in a comment.
tests/test_workflows.py posts the same report under act.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from baked import Project
from rendered import (
    GITHUB_COMMENT_LIMIT,
    image_sources,
    mermaid_blocks,
    render_mermaid,
    sections,
    table_rows,
    to_html,
)

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


def assert_renders_on_github(report: str, sections_shown: list[str], tmp: Path | None = None) -> dict[str, str]:
    """The report as GitHub shows it: verdict first, these sections as tables, no image, each Mermaid
    chart drawn by mermaid-cli (into `tmp`); its sections' HTML."""
    html = to_html(report)
    assert report.startswith(MARKER + "\n### "), "the verdict is the first line after the hidden marker"
    assert html.startswith(MARKER + "\n<h3>"), "GitHub shows the marker as nothing, then the verdict"
    assert image_sources(html) == [], "a relative or data: image shows broken on GitHub"
    shown = sections(html)
    for heading in sections_shown:
        assert "<table>" in shown[heading], f"{heading} renders as a table"
    assert "|---" not in html and "| ---" not in html, "no table left as text"
    assert html.count("<details>") == html.count("</details>"), "every collapsed section closes"
    assert len(report) < GITHUB_COMMENT_LIMIT
    charts = mermaid_blocks(report)
    assert charts, "at least one chart GitHub draws inline"
    for number, chart in enumerate(charts):
        assert len(chart.encode()) <= 2_000 and chart.splitlines()[1].startswith("xychart-beta")
        if tmp is not None:
            drawn = render_mermaid(chart, tmp / f"chart{number}.png")
            assert drawn.stat().st_size > 5_000, f"mermaid-cli drew chart {number}"
    return shown


def key_table(html: str) -> dict[str, list[str]]:
    """The verdict's table, the first in the report: rows by their first cell's text."""
    first = html.split("</table>", 1)[0]
    return {re.sub(r"<[^>]+>", "", name): cells for name, cells in table_rows(first).items()}


class ClassificationReview:
    """Pull requests against the trained main: a better model, another kind of model, one that fails
    the gate, and with v0.1.0 in production, one that drops 120 of the malignant rows."""

    @pytest.fixture(scope="class")
    @classmethod
    def improved(cls, project: Project) -> str:
        return pull_request(project, "tune", "conf/model/logistic_regression.yaml", "C: 1.0", "C: 0.05")

    @pytest.fixture(scope="class")
    @classmethod
    def forest(cls, project: Project, improved: str) -> str:
        """Logistic regression → random forest: as accurate, but worse elsewhere."""
        return pull_request(project, "forest", "conf/config.yaml", "model: logistic_regression", "model: random_forest")

    @pytest.fixture(scope="class")
    @classmethod
    def broken(cls, project: Project, forest: str) -> str:
        """Regularised so hard that the model nearly always predicts one class: it does not beat the baseline."""
        return pull_request(project, "break", "conf/model/logistic_regression.yaml", "C: 1.0", "C: 0.0001")

    def test_an_improvement_passes_and_reads_whole_on_github(
        self, project: Project, improved: str, tmp_path: Path
    ) -> None:
        base, head = metrics_at(project, "main"), metrics_at(project, "tune")
        assert head["accuracy"] > base["accuracy"], "the scenario: C=0.05 is better on the test split"
        verdict = improved.splitlines()[1]
        assert verdict.startswith(
            f"### ✅ Passes the gate; better than `main` on accuracy {base['accuracy']:.4f} → {head['accuracy']:.4f}"
        ), verdict
        shown = assert_renders_on_github(
            improved, ["Confusion matrix and per-class scores", "Parameters (1 changed)", "Data"], tmp_path
        )
        key = key_table(to_html(improved))
        assert key["accuracy (gate)"][-2].startswith("🔼 +"), "better, with its interval"
        assert re.search(r"\(−?\d\.\d{4} to [+−]\d\.\d{4}\)", key["accuracy (gate)"][-2]), key["accuracy (gate)"]
        assert "<code>models/model.skops</code>" in shown["Data"], "DVC-tracked files changed"
        assert "data/prepared" not in shown["Data"], "the data did not change: only the model"
        assert table_rows(shown["Data"])["train.rows"][1:] == ["455", "455", "same"]
        assert "Test set unchanged (114 rows" in improved
        assert "(was " in shown["Confusion matrix and per-class scores"], "the base's counts where they differ"
        assert "balanced accuracy lost when shuffled" in shown["Feature importance"], "one measure, named"

    def test_another_kind_of_model_as_accurate_but_worse_elsewhere_is_not_green(
        self, project: Project, forest: str, tmp_path: Path
    ) -> None:
        base, head = metrics_at(project, "main"), metrics_at(project, "forest")
        worse = [name for name in ("f1", "roc_auc", "average_precision") if head[name] < base[name]]
        assert worse, "the scenario: a random forest loses on some metric"
        verdict = forest.splitlines()[1]
        assert verdict.startswith("### ⚠️ Review needed: passes the gate, but worse than `main` on "), verdict
        assert "worst: " in verdict and "noise)" in verdict, "names the worst regression, and whether it is noise"
        shown = assert_renders_on_github(forest, ["Parameters (8 changed)", "Every metric"], tmp_path)
        rows = table_rows(shown["Parameters (8 changed)"])
        assert rows["<code>model._target_</code>"][1:] == [
            "<code>sklearn.linear_model.LogisticRegression</code>",
            "<code>sklearn.ensemble.RandomForestClassifier</code>",
        ], "`_target_` as written, not italics"
        assert "<em>" not in shown["Parameters (8 changed)"]
        assert "params.yaml" not in shown["Parameters (8 changed)"], "no path column"
        assert any(cells[-2].startswith("🔻") for cells in key_table(to_html(forest)).values()), "a worse metric"
        assert "Model: <code>logistic_regression</code> → <code>random_forest</code>" in to_html(forest)
        assert "ROC, zoomed to FPR up to" in forest and "grey: main, blue: this PR" in forest

    def test_a_change_that_breaks_the_gate_says_which_bound_first(self, broken: str) -> None:
        verdict = broken.splitlines()[1]
        assert re.match(
            r"### ⛔ Fails the quality gate: accuracy = 0\.\d{4} does not beat the trivial baseline's 0\.6316 "
            r"by the margin 0\.1: it needs ≥ 0\.6684",
            verdict,
        ), verdict
        assert_renders_on_github(broken, ["Confusion matrix and per-class scores"])
        assert "⛔ ≥ 0.6684" in key_table(to_html(broken))["accuracy (gate)"][-1]

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
    def fewer_malignant(cls, project: Project, production: str) -> str:
        """Only the data changes: 120 of the malignant rows are dropped (`make data` takes the smaller table)."""

        def drop_malignant_rows() -> None:
            lines = (project.path / "data/raw/breast_cancer.csv").read_text().splitlines()
            target = lines[0].split(",").index("diagnosis")
            malignant = [row for row, line in enumerate(lines) if line.split(",")[target] == "malignant"][:120]
            kept = [line for row, line in enumerate(lines) if row not in set(malignant)]
            (project.path / "data/raw/fewer.csv").write_text("\n".join(kept) + "\n")
            project.make("data", "FILE=data/raw/fewer.csv", "TARGET=diagnosis")

        return changed(project, "fewer-malignant", drop_malignant_rows)

    def test_a_data_change_is_judged_on_the_same_rows_and_says_its_test_set_changed(
        self, project: Project, production: str, fewer_malignant: str, tmp_path: Path
    ) -> None:
        verdict = fewer_malignant.splitlines()[1]
        assert not verdict.startswith("### ✅"), verdict
        assert "class balance moved" in verdict and "malignant 37 % → 20 %" in verdict, verdict
        assert "**Test set changed**: 114 → 90 rows" in fewer_malignant
        assert "every model is scored on this PR's 90 rows" in fewer_malignant
        assert f"Production is `v0.1.0` (commit `{production[:7]}`), scored on the same rows." in fewer_malignant
        assert "The gate's bound on accuracy moved with the test set: 0.6684 → " in fewer_malignant
        shown = assert_renders_on_github(fewer_malignant, ["Data"], tmp_path)
        key = key_table(to_html(fewer_malignant))
        assert key[""][2] == "production <code>v0.1.0</code>"
        assert "<code>data/raw/fewer.csv</code>" in shown["Data"]
        rows = table_rows(shown["Data"])
        assert rows["test.rows"][1:] == ["114", "90", "-24"]


class RegressionReview:
    """A pull request that tunes the regressor: errors, where lower is better."""

    @pytest.fixture(scope="class")
    @classmethod
    def tuned(cls, project: Project) -> str:
        return pull_request(project, "tune", "conf/model/ridge.yaml", "alpha: 1.0", "alpha: 30.0")

    def test_a_regression_report_compares_errors_lower_is_better(
        self, project: Project, tuned: str, tmp_path: Path
    ) -> None:
        report = tuned
        base, head = metrics_at(project, "main"), metrics_at(project, "tune")
        assert base["rmse"] != head["rmse"]
        shown = assert_renders_on_github(report, ["Data", "Parameters (1 changed)"], tmp_path)
        assert {"train.target_min", "test.target_max"} <= set(table_rows(shown["Data"])), "the target's range"
        key = key_table(to_html(report))
        assert list(key)[1:] == ["rmse (gate)", "mae", "r2"]
        assert key["rmse (gate)"][-1].startswith("✅ ≤ "), "the gate: beat the trivial baseline's rmse"
        arrow = "🔼" if head["rmse"] < base["rmse"] else "🔻"
        assert key["rmse (gate)"][-2].startswith(f"{arrow} "), "lower rmse is better"
        assert "Residuals, actual minus predicted" in report, "the residual histogram"
        assert "Confusion matrix and per-class scores" not in shown, "classification only"
