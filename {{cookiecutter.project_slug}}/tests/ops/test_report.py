"""The pull-request report: parsing the `dvc repro` log, the PNG plots and the Markdown around them."""

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.ops.review.classes import (
    classification_sections,
    confusion_counts,
    per_class,
)
from {{ cookiecutter.package_name }}.ops.review.inputs import (
    Comparison,
    Production,
    ReportError,
    StageRuns,
    parse_repro_log,
    production_model,
    read_base_table,
    resolve_revision,
)
from {{ cookiecutter.package_name }}.ops.review.plots import (
    PLOT_TITLES,
    RENDERERS,
    average_precision,
    draw_feature_importance,
    render_plots,
    roc_auc,
)
from {{ cookiecutter.package_name }}.ops.review.report import (
    MAX_BYTES,
    PR_REPORT_MARKER,
    fit,
    render_markdown,
    verdict,
)
from {{ cookiecutter.package_name }}.ops.review.sections import (
    bar,
    data_section,
    importance_section,
    metrics_section,
)

REPRO_LOG = """\
python -m pkg.ops.compose
dvc repro
Stage 'prepare' didn't change, skipping
\x1b[33mStage 'train' is cached - skipping run, checking out outputs\x1b[0m
Running stage 'evaluate':
> python -m pkg.evaluate
Running stage 'evaluate':
Stage 'sub/dvc.yaml:score@1' didn't change, skipping
Use `dvc push` to send your updates to remote storage.
"""

PARAMS_DIFF = """\
| Path        | Param   | main   | workspace   |
|-------------|---------|--------|-------------|
| params.yaml | model.C | 1.0    | 0.01        |"""
EMPTY_PARAMS_DIFF = """\
| Path   | Param   | main   | workspace   |
|--------|---------|--------|-------------|"""
CLASSIFICATION_GATE = {"accuracy": 0.85, "roc_auc": 0.9}
REGRESSION_GATE = {"r2": 0.3, "rmse": 70.0}


def comparison(task: str = "classification", **fields) -> Comparison:
    """A Comparison of main against the workspace, with the task's gate; fields override."""
    gate = CLASSIFICATION_GATE if task == "classification" else REGRESSION_GATE
    defaults = {"base": "main", "base_commit": "0123456789abcdef", "head_metrics": {}, "task": task, "gate": gate}
    return Comparison(**(defaults | fields))


def test_parse_repro_log_sorts_stages_by_outcome() -> None:
    runs = parse_repro_log(REPRO_LOG)
    assert runs == StageRuns(ran=["evaluate"], cached=["train"], unchanged=["prepare", "sub/dvc.yaml:score@1"])


STAMPED_LOG = """\
[    0.4s] Stage 'prepare' is cached - skipping run, checking out outputs
[    0.9s] Running stage 'train':
[    1.0s] > python -m pkg.train
[    4.2s] Running stage 'evaluate':
[    6.0s] Updating lock file 'dvc.lock'
[    6.1s] Use `dvc push` to send your updates to remote storage.
"""


def test_parse_repro_log_times_the_stages_that_ran_from_the_stamps() -> None:
    runs = parse_repro_log(STAMPED_LOG)
    assert (runs.ran, runs.cached) == (["train", "evaluate"], ["prepare"])
    # Up to the next stage's line, the last up to the log's end; a restored stage has no time.
    assert runs.seconds == pytest.approx({"train": 3.3, "evaluate": 1.9})


def test_stages_show_durations_where_the_log_has_them() -> None:
    report = render_markdown(comparison(stages=parse_repro_log(STAMPED_LOG)))
    assert "- Ran: `train` (3.3 s), `evaluate` (1.9 s)" in report
    assert "- Restored from the run-cache: `prepare`\n" in report


def test_parse_repro_log_of_nothing() -> None:
    assert parse_repro_log("Data and pipelines are up to date.\n") == StageRuns()


def classification_tables(noise: float) -> dict[str, pd.DataFrame]:
    """Tiny tables with the columns evaluate writes for classification."""
    grid = np.linspace(0.0, 1.0, 5)
    return {
        "confusion": pd.DataFrame({"actual": ["a", "a", "b", "b", "c"], "predicted": ["a", "b", "b", "b", "c"]}),
        "roc": pd.DataFrame({"fpr": grid, "tpr": np.sqrt(grid) - noise * grid * (1 - grid)}),
        "precision_recall": pd.DataFrame({"recall": grid[::-1], "precision": 0.5 + grid / 2 - noise}),
        "feature_importance": pd.DataFrame(
            {"feature": [f"f{i}" for i in range(20)], "importance": np.linspace(1.0, 0.0, 20) + noise}
        ).assign(measure="|coefficient|"),
    }


def regression_tables(noise: float) -> dict[str, pd.DataFrame]:
    """Tiny tables with the columns evaluate writes for regression."""
    actual = np.linspace(0.0, 10.0, 8)
    predicted = actual + noise * np.sin(actual)
    return {
        "predictions": pd.DataFrame({"actual": actual, "predicted": predicted, "residual": actual - predicted}),
        "feature_importance": pd.DataFrame(
            {"feature": ["age", "bmi", "bp"], "importance": [0.5, 0.3 + noise, 0.1], "measure": "impurity decrease"}
        ),
    }


@pytest.mark.parametrize("tables", [classification_tables, regression_tables])
@pytest.mark.parametrize("with_base", [True, False], ids=["with-base", "no-base"])
def test_plots_are_written_and_named(tmp_path: Path, tables, with_base: bool) -> None:
    head = tables(0.1)
    base = tables(0.3) if with_base else {}
    written = render_plots(base, head, tmp_path / "plots", base_label="base (main)")
    assert written == [name for name in PLOT_TITLES if name in head]

    report = render_markdown(comparison(params_diff=PARAMS_DIFF, plots=written))
    (tmp_path / "report.md").write_text(report, encoding="utf-8")
    for name in written:
        png = tmp_path / "plots" / f"{name}.png"
        assert png.read_bytes().startswith(b"\x89PNG"), f"{png} is not a PNG"
        assert png.stat().st_size > 1000
        assert f"`plots/{name}.png`" in report  # named, relative to report.md, not embedded
    assert_no_images(report)


def test_the_importance_axis_names_the_measure() -> None:
    coefficients = classification_tables(0.1)["feature_importance"]
    impurity = coefficients.assign(measure="impurity decrease")
    same = draw_feature_importance(coefficients, coefficients, "base (main)")
    assert same.axes[0].get_xlabel() == "|coefficient|"
    changed = draw_feature_importance(coefficients, impurity, "base (main)")
    assert changed.axes[0].get_xlabel() == "base (main): |coefficient|; workspace: impurity decrease"
    untold = draw_feature_importance(None, coefficients.drop(columns="measure"), "base (main)")
    assert untold.axes[0].get_xlabel() == "importance", "a table written before the measure column"


def test_markdown_shows_diffs_stages_and_note() -> None:
    report = render_markdown(
        comparison(
            base="origin/main",
            head_metrics={"accuracy": 0.9, "roc_auc": 0.95},
            params_diff=PARAMS_DIFF,
            stages=StageRuns(ran=["train", "evaluate"], unchanged=["prepare"]),
            plots=["roc"],
            plot_notes={"roc": "Only the workspace has `reports/plots/roc.csv`."},
            note="reproduced from scratch on the embedded data: the DVC remote was not reachable",
        )
    )
    assert report.startswith(f"{PR_REPORT_MARKER}\n### ✅ Passes the quality gate")
    assert "`0123456789ab`" in report
    assert "> **Note:** reproduced from scratch on the embedded data" in report
    assert PARAMS_DIFF in report and "No parameter changes." not in report
    assert "- Ran: `train`, `evaluate`" in report
    assert "- Restored from the run-cache: none" in report
    assert "- Unchanged: `prepare`" in report
    assert "- ROC curve: `plots/roc.png`. Only the workspace has `reports/plots/roc.csv`." in report
    assert "`pr-report` artifact" in report
    assert_no_images(report)


@pytest.mark.parametrize(
    ("task", "base", "head", "expected"),
    [
        pytest.param(
            "classification",
            {"accuracy": 0.90, "roc_auc": 0.95},
            {"accuracy": 0.95, "roc_auc": 0.96},
            "### ✅ Passes the quality gate; better than `main` on accuracy (0.9000 → 0.9500)",
            id="passes-better",
        ),
        pytest.param(
            "classification",
            {"accuracy": 0.96, "roc_auc": 0.99},
            {"accuracy": 0.64, "roc_auc": 0.95},
            "### ❌ Fails the quality gate (accuracy = 0.6400, below the minimum 0.85); "
            "worse than `main` on accuracy (0.9600 → 0.6400)",
            id="fails-worse",
        ),
        pytest.param(
            "classification",
            {"accuracy": 0.96, "roc_auc": 0.99},
            {"accuracy": 0.93, "roc_auc": 0.99},
            "### ⚠️ Passes the quality gate; worse than `main` on accuracy (0.9600 → 0.9300)",
            id="passes-worse",
        ),
        pytest.param(
            "classification",
            {"accuracy": 0.93, "roc_auc": 0.99},
            {"accuracy": 0.93000001, "roc_auc": 0.98},
            "### ✅ Passes the quality gate; the same as `main` on accuracy (0.9300 → 0.9300)",
            id="same",
        ),
        pytest.param(
            "regression",
            {"rmse": 60.0, "mae": 50.0, "r2": 0.4},
            {"rmse": 55.0, "mae": 45.0, "r2": 0.5},
            "### ✅ Passes the quality gate; better than `main` on rmse (60.0000 → 55.0000)",
            id="regression-lower-rmse-is-better",
        ),
        pytest.param(
            "regression",
            None,
            {"rmse": 75.0, "mae": 45.0, "r2": 0.5},
            "### ❌ Fails the quality gate (rmse = 75.0000, above the maximum 70.0); `main` has no rmse to compare",
            id="no-base",
        ),
    ],
)
def test_verdict_says_gate_then_main_metric_against_the_base(task: str, base, head, expected: str) -> None:
    assert verdict(comparison(task, base_metrics=base, head_metrics=head)) == expected


@pytest.mark.parametrize("production_accuracy", [0.97, 0.90])
def test_verdict_compares_with_production_too_and_warns_when_worse(production_accuracy: float) -> None:
    production = Production("v1.2.0", "fedcba9876543210", {"accuracy": production_accuracy})
    base, head = {"accuracy": 0.9}, {"accuracy": 0.95}
    said = verdict(comparison(base_metrics=base, head_metrics=head, production=production, gate={"accuracy": 0.85}))
    words = "worse" if production_accuracy > 0.95 else "better"
    icon = "⚠️" if words == "worse" else "✅"
    assert said == (
        f"### {icon} Passes the quality gate; better than `main` on accuracy (0.9000 → 0.9500); "
        f"{words} than production `v1.2.0` on accuracy ({production_accuracy:.4f} → 0.9500)"
    )


def test_metrics_table_shows_production_beside_the_base() -> None:
    production = Production("v1.2.0", "fedcba9876543210", {"accuracy": 0.97})
    section = metrics_section(
        comparison(base_metrics={"accuracy": 0.9}, head_metrics={"accuracy": 0.95}, production=production)
    )
    assert section[0] == "| metric | base `main` | production `v1.2.0` | workspace | change | gate |"
    assert section[2] == "| accuracy ↑ | 0.9000 | 0.9700 | 0.9500 | better +0.0500 | ≥ 0.85 |"
    assert "The change is the workspace's against the base." in section[-1]


def test_production_without_metrics_is_said_not_compared() -> None:
    production = Production("v0.1.0", "fedcba9876543210", None)
    said = verdict(comparison(base_metrics={"accuracy": 0.9}, head_metrics={"accuracy": 0.95}, production=production))
    assert said.endswith("; production `v0.1.0` has no accuracy to compare")


def test_verdict_without_workspace_metrics_says_what_to_run() -> None:
    assert "run `make repro`" in verdict(comparison(head_metrics=None))


def test_verdict_is_the_first_line_after_the_marker() -> None:
    report = render_markdown(comparison(base_metrics={"accuracy": 0.9}, head_metrics={"accuracy": 0.95}))
    marker, first = report.splitlines()[:2]
    assert marker == PR_REPORT_MARKER and first.startswith("### ") and "better than `main`" in first


def test_metrics_table_says_better_or_worse_by_each_metrics_direction() -> None:
    section = metrics_section(
        comparison(
            "regression",
            base_metrics={"rmse": 60.0, "mae": 40.0, "r2": 0.40, "custom": 1.0},
            head_metrics={"rmse": 72.5, "mae": 35.0, "r2": 0.40, "custom": 1.5},
        )
    )
    assert section[:2] == ["| metric | base `main` | workspace | change | gate |", "| --- | ---: | ---: | --- | --- |"]
    assert section[2:6] == [
        "| rmse ↓ | 60.0000 | 72.5000 | worse +12.5000 | **fails** ≤ 70 |",
        "| mae ↓ | 40.0000 | 35.0000 | better -5.0000 |  |",
        "| r2 ↑ | 0.4000 | 0.4000 | same | ≥ 0.3 |",
        "| custom | 1.0000 | 1.5000 | +0.5000 |  |",  # of unknown direction: the bare difference
    ]


def test_metrics_table_with_a_metric_on_one_side_only() -> None:
    section = metrics_section(comparison(base_metrics={"accuracy": 0.9}, head_metrics={"accuracy": 0.9, "f1": 0.8}))
    assert "| f1 ↑ | — | 0.8000 |  |  |" in section
    assert "| roc_auc" not in "\n".join(section), "a gate metric neither side has is not a row"


def test_the_gate_column_shows_what_beats_the_baseline() -> None:
    head = {"accuracy": 0.7, "baseline_accuracy": 0.75}
    section = metrics_section(comparison(gate={"baseline_margin": 0.1}, head_metrics=head))
    assert "| accuracy ↑ | — | 0.7000 |  | **fails** ≥ 0.775 |" in section
    assert "| baseline_accuracy | — | 0.7500 |  |  |" in section
    big = metrics_section(comparison("regression", gate={"rmse": 25000.0}, head_metrics={"rmse": 24000.0}))
    assert "| rmse ↓ | — | 24000.0000 |  | ≤ 25000 |" in big, "a bound in the data's units, as written"


def test_data_section_lists_changed_files_and_diffs_the_splits() -> None:
    test = {"rows": 25}
    base = {"train": {"rows": 100, "class_share": {"a": 0.6, "b": 0.4}, "source": "x"}, "test": test}
    head = {"train": {"rows": 112, "class_share": {"a": 0.5, "b": 0.5}, "source": "x"}, "test": test}
    changes = {"added": ["data/labelled/b1.csv"], "modified": ["data/prepared/train.parquet"], "deleted": []}
    section = data_section(comparison(base_data=base, head_data=head, data_changes=changes))
    assert section[:3] == [
        "DVC-tracked files against the base (`dvc diff`):",
        "- Added: `data/labelled/b1.csv`",
        "- Modified: `data/prepared/train.parquet`",
    ]
    assert "| train.rows | 100 | 112 | +12 |" in section
    assert "| train.class_share.a | 0.6000 | 0.5000 | -0.1000 |" in section
    assert "| test.rows | 25 | 25 | same |" in section
    report = render_markdown(comparison(base_data=base, head_data=head))
    assert "## Parameters" in report.split("## Data\n\n| split |")[0], "after the parameters, a table"


def test_data_section_without_changes_or_summaries() -> None:
    assert data_section(comparison(data_changes={"added": [], "modified": []})) == ["No DVC-tracked file changed.", ""]
    assert data_section(comparison(data_changes="`dvc diff main` failed: no cache")) == [
        "`dvc diff main` failed: no cache",
        "",
    ]
    assert data_section(comparison()) == [], "no section when nothing is known"


def test_metrics_footnote_says_how_roc_auc_averages() -> None:
    said = "\n".join(metrics_section(comparison(head_metrics={"accuracy": 0.9, "roc_auc": 0.95})))
    assert "Averaging: roc_auc and average_precision" in said and "(macro)" in said
    regression = "\n".join(metrics_section(comparison("regression", head_metrics={"rmse": 1.0})))
    assert "Averaging" not in regression


def test_curve_scores_match_sklearn() -> None:
    from sklearn import metrics

    truth, scores = [0, 0, 1, 1, 0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.55, 0.6]
    fpr, tpr, _ = metrics.roc_curve(truth, scores)
    precision, recall, _ = metrics.precision_recall_curve(truth, scores)
    assert roc_auc(pd.DataFrame({"fpr": fpr, "tpr": tpr})) == pytest.approx(metrics.roc_auc_score(truth, scores))
    pr = pd.DataFrame({"recall": recall, "precision": precision})
    assert average_precision(pr) == pytest.approx(metrics.average_precision_score(truth, scores))


@pytest.mark.parametrize("multiclass", [False, True])
def test_curve_legends_carry_their_score_and_multiclass_says_micro(multiclass: bool) -> None:
    roc = pd.DataFrame({"fpr": [0.0, 0.0, 1.0], "tpr": [0.0, 1.0, 1.0]})  # AUC 1
    pr = pd.DataFrame({"recall": [1.0, 0.5, 0.0], "precision": [0.5, 1.0, 1.0]})  # AP 0.75
    if multiclass:
        roc, pr = roc.assign(average="micro"), pr.assign(average="micro")
    for name, table, said in (("roc", roc, "AUC 1.000"), ("precision_recall", pr, "AP 0.750")):
        ax = RENDERERS[name](table, table, "base (main)").axes[0]
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert labels[:2] == [f"base (main): {said}", f"workspace: {said}"]
        assert ax.get_title() == ("micro-averaged over classes" if multiclass else "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "██████████"), (0.5, "█████"), (0.0125, "▏"), (0.55, "█████▌"), (0.0, ""), (-0.2, "")],
)
def test_bar_is_ten_cells_at_the_largest_value_in_eighths(value: float, expected: str) -> None:
    assert bar(value, largest=1.0) == expected


def importances(values: dict[str, float], measure: str = "|coefficient|") -> pd.DataFrame:
    return pd.DataFrame({"feature": list(values), "importance": list(values.values()), "measure": measure})


def test_top_features_compare_base_and_workspace_on_one_scale() -> None:
    base = importances({"age": 0.2, "bmi": 0.8})
    head = importances({"bmi": 0.4, "age": 0.2, "sex|male": 0.1})
    section = importance_section(base, head, "main")
    assert section == [
        "All 3 features, most important first.",
        "",
        "| # | feature | base `main`: \\|coefficient\\| | workspace: \\|coefficient\\| |",
        "| ---: | --- | --- | --- |",
        "| 1 | bmi | 0.8000 ██████████ | 0.4000 █████ |",
        "| 2 | age | 0.2000 ██▌ | 0.2000 ██▌ |",
        "| 3 | sex\\|male | — | 0.1000 █▎ |",
    ]


def test_top_features_are_cut_with_a_line_saying_how_many() -> None:
    head = importances({f"f{i}": 1.0 / (i + 1) for i in range(40)}, measure="impurity decrease")
    section = importance_section(None, head, "main")
    assert section[0] == (
        "The 15 most important of 40 features; 25 left out (all are in `reports/plots/feature_importance.csv`)."
    )
    assert section[2] == "| # | feature | workspace: impurity decrease |"
    assert len(section) == 2 + 2 + 15
    assert importance_section(None, None, "main") == []


def test_top_features_in_different_measures_have_a_scale_each() -> None:
    base = importances({"age": 0.02, "bmi": 0.01}, measure="impurity decrease")
    head = importances({"age": 3.0, "bmi": 1.5})
    rows = importance_section(base, head, "main")[2:]
    assert rows[0] == "| # | feature | base `main`: impurity decrease | workspace: \\|coefficient\\| |"
    assert rows[2] == "| 1 | age | 0.0200 ██████████ | 3.0000 ██████████ |"


def pairs(*counts: tuple[str, str, int]) -> pd.DataFrame:
    """Confusion pairs as evaluate writes them, from (actual, predicted, how many) triples."""
    rows = [(actual, predicted) for actual, predicted, many in counts for _ in range(many)]
    return pd.DataFrame(rows, columns=["actual", "predicted"])


def test_confusion_and_per_class_tables_show_the_base_where_it_differs() -> None:
    base = pairs(("cat", "cat", 50), ("cat", "dog", 2), ("dog", "dog", 40), ("dog", "cat", 8))
    head = pairs(("cat", "cat", 52), ("dog", "dog", 40), ("dog", "cat", 8))  # the 2 cats taken for dogs now right
    sections = classification_sections(base, head)
    assert sections[:2] == ["## Confusion matrix", ""]
    assert sections[4:8] == [
        "| actual ↓ predicted → | cat | dog |",
        "| --- | ---: | ---: |",
        "| cat | **52 (was 50)** | 0 (was 2) |",
        "| dog | 8 | **40** |",
    ]
    per_class_table = sections[sections.index("## Per class") + 2 :]
    assert per_class_table[:4] == [
        "| class | precision | recall | F1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| cat | 0.8667 (was 0.8621) | 1.0000 (was 0.9615) | 0.9286 (was 0.9091) | 52 |",
        "| dog | 1.0000 (was 0.9524) | 0.8333 | 0.9091 (was 0.8889) | 48 |",
    ]


def test_classification_sections_need_the_workspaces_pairs() -> None:
    assert classification_sections(pairs(("a", "a", 1)), None) == []
    only_head = classification_sections(None, pairs(("a", "a", 3), ("a", "b", 1)))
    assert "| a | **3** | 1 |" in only_head and "was" not in "".join(only_head[4:])


def test_per_class_scores_match_scikit_learn() -> None:
    from sklearn.metrics import precision_recall_fscore_support

    rng = np.random.default_rng(0)
    labels = ["a", "b", "c", "d"]
    frame = pd.DataFrame({"actual": rng.choice(labels[:3], 200), "predicted": rng.choice(labels, 200)})
    scores = per_class(confusion_counts(frame, labels))
    expected = precision_recall_fscore_support(frame.actual, frame.predicted, labels=labels, zero_division=np.nan)
    for column, values in zip(["precision", "recall", "F1", "support"], expected, strict=True):
        np.testing.assert_allclose(scores[column].to_numpy(dtype=float), values, equal_nan=True)


def test_many_classes_are_cut_to_the_most_frequent_with_a_line_saying_so() -> None:
    head = pd.DataFrame({"actual": [f"c{i:03}" for i in range(150) for _ in range(i % 7 + 1)]})
    sections = classification_sections(None, head.assign(predicted=head.actual))
    cut = "The 20 most frequent of 150 classes; 130 left out."
    assert sections.count(cut) == 2, "under both tables"
    matrix = sections[sections.index("| --- |" + " ---: |" * 20) + 1 : sections.index("## Per class") - 1]
    assert len(matrix) == 20 and all(row.count("| 7 |") or row.count("**7**") for row in matrix), "7 rows each"


def big_comparison(feature_name_length: int) -> Comparison:
    """A report with 300 classes, 5,000 features and 3,000 changed parameters."""
    labels = pd.Series([f"class {i}" for i in range(300)]).repeat(3).reset_index(drop=True)
    confusion = pd.DataFrame({"actual": labels, "predicted": labels.sample(frac=1, random_state=0).to_numpy()})
    names = [f"{i:05}".ljust(feature_name_length, "x") for i in range(5000)]
    features = importances(dict(zip(names, np.linspace(1.0, 0.0, 5000), strict=True)))
    params = [f"| params.yaml | model.w{i} | {i} | {i + 1} |" for i in range(3000)]
    return comparison(
        base_metrics={"accuracy": 0.9, "roc_auc": 0.95},
        head_metrics={"accuracy": 0.8, "roc_auc": 0.95},
        params_diff="\n".join([*PARAMS_DIFF.splitlines()[:2], *params]),
        stages=StageRuns(ran=["train", "evaluate"]),
        base_tables={"confusion": confusion, "feature_importance": features},
        head_tables={"confusion": confusion.assign(predicted=confusion.actual), "feature_importance": features},
        plots=["confusion", "feature_importance"],
    )


def test_a_big_report_cuts_its_tables_with_a_line_saying_what() -> None:
    report = render_markdown(big_comparison(feature_name_length=20))
    assert len(report.encode()) <= MAX_BYTES < 65_536, "GitHub's limit for a comment, in characters"
    assert "2950 more changed parameters left out: `dvc params diff main`." in report
    assert report.count("The 20 most frequent of 300 classes; 280 left out.") == 2
    assert "The 15 most important of 5000 features; 4985 left out" in report
    assert "Cut to fit" not in report, "the tables' own limits suffice"
    assert report.rstrip().endswith("`plots/feature_importance.png`.")


def test_a_report_too_big_even_so_is_cut_at_a_line_with_what_was_left_out() -> None:
    report = render_markdown(big_comparison(feature_name_length=5000))
    assert len(report.encode()) <= MAX_BYTES
    assert report.splitlines()[1].startswith("### ❌ Fails the quality gate"), "the verdict survives"
    assert report.endswith("**Cut to fit a pull-request comment:** the rest of this section, Stages, Plots.")
    assert report.splitlines()[-3].startswith("| "), "cut after a whole table row"


def test_fit_leaves_a_report_that_fits_alone() -> None:
    assert fit("## A\n\nsmall", limit=1000) == "## A\n\nsmall"
    cut = fit("## A\n" + "é\n" * 400 + "## B\n" + "x\n" * 400, limit=900)
    assert len(cut.encode()) <= 900 and cut.endswith("the rest of this section, B.")


# Markdown and HTML images: in a PR comment or job summary a relative path resolves against the
# pull request's page and breaks, and a data: URI is stripped. The report must embed none.
IMAGE = re.compile(r"!\[[^\]]*\]\s*[(\[]|<img\b", re.IGNORECASE)  # ![alt](src), ![alt][ref], <img src=...>


def assert_no_images(report: str) -> None:
    found = IMAGE.search(report)
    assert found is None, f"the report embeds an image, which would show broken on GitHub: {found.group(0)!r}"


def test_marker_is_a_hidden_html_comment() -> None:
    assert re.fullmatch(r"<!-- [\w-]+-pr-report -->", PR_REPORT_MARKER)


def test_markdown_without_a_repro_log_or_plots() -> None:
    report = render_markdown(comparison(params_diff=EMPTY_PARAMS_DIFF))
    assert "No parameter changes." in report and "No `reports/metrics.json` in the base or the workspace." in report
    assert "No `dvc repro` log at `reports/repro.log`" in report
    assert "Note:" not in report


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch git repository with one commit holding reports/plots/roc.csv."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports/plots").mkdir(parents=True)
    (tmp_path / "reports/plots/roc.csv").write_text("fpr,tpr\n0.0,0.0\n1.0,1.0\n", encoding="utf-8")
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    for command in (["init", "--quiet"], ["add", "-A"], [*identity, "commit", "--quiet", "--no-verify", "-m", "base"]):
        subprocess.run(["git", *command], check=True, capture_output=True)
    return tmp_path


def test_base_tables_are_read_from_git(git_repo: Path) -> None:
    table = read_base_table("HEAD", Path("reports/plots/roc.csv"))
    assert table is not None and list(table.columns) == ["fpr", "tpr"]
    assert read_base_table("HEAD", Path("reports/plots/predictions.csv")) is None


def test_no_production_model_without_a_prod_assignment(git_repo: Path) -> None:
    assert production_model() is None, "no registry tags: nothing in production to compare with"


def test_an_invalid_base_revision_is_a_one_line_error(git_repo: Path) -> None:
    assert len(resolve_revision("HEAD")) == 40
    with pytest.raises(ReportError, match="BASE 'no-such-branch' is not a valid git revision"):
        resolve_revision("no-such-branch")
