"""The pull-request report: parsing the `dvc repro` log, the PNG figures and the Markdown around the verdict."""

import copy
import functools
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reviews import missing, review, truth

from {{ cookiecutter.package_name }}.ops.review.classes import (
    classification_sections,
    confusion_counts,
    per_class,
)
from {{ cookiecutter.package_name }}.ops.review.inputs import (
    Comparison,
    ReportError,
    StageRuns,
    parse_repro_log,
    production_model,
    read_base_table,
    resolve_revision,
)
from {{ cookiecutter.package_name }}.ops.review.plots import PLOT_TITLES, render_plots
from {{ cookiecutter.package_name }}.ops.review.report import (
    MAX_BYTES,
    PR_REPORT_MARKER,
    fit,
    render_markdown,
    stages,
)
from {{ cookiecutter.package_name }}.ops.review.sections import bar, data_section, importance_section
from {{ cookiecutter.package_name }}.ops.review.verdict import Review

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


@functools.cache
def one_more_missed() -> Review:
    labels = truth()
    return review(missing(labels, 4), missing(labels, 3), labels)


def comparison(task: str = "classification", **fields) -> Comparison:
    """A Comparison of main against the workspace, with a review of one more malignant row missed; fields override."""
    defaults = {
        "base": "main",
        "base_commit": "0123456789abcdef",
        "head_commit": "1a2b3c4",
        "head_metrics": {},
        "task": task,
        "gate": {"baseline_margin": 0.1},
        "review": copy.deepcopy(one_more_missed()),  # scored once: the bootstrap takes a second
    }
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


def test_parse_repro_log_of_nothing() -> None:
    assert parse_repro_log("Data and pipelines are up to date.\n") == StageRuns()


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
    assert "<details><summary>Data</summary>\n\n" in report, "collapsed, with the blank line GitHub needs"


def test_data_section_without_changes_or_summaries() -> None:
    assert data_section(comparison(data_changes={"added": [], "modified": []})) == ["No DVC-tracked file changed.", ""]
    assert data_section(comparison(data_changes="`dvc diff main` failed: no cache")) == [
        "`dvc diff main` failed: no cache",
        "",
    ]
    assert data_section(comparison()) == [], "no section when nothing is known"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "██████████"), (0.5, "█████"), (0.0125, "▏"), (0.55, "█████▌"), (0.0, ""), (-0.2, "")],
)
def test_bar_is_ten_cells_at_the_largest_value_in_eighths(value: float, expected: str) -> None:
    assert bar(value, largest=1.0) == expected


def test_stages_show_durations_where_the_log_has_them() -> None:
    shown = stages(comparison(stages=parse_repro_log(STAMPED_LOG)))
    assert "- Ran: `train` (3.3 s), `evaluate` (1.9 s)" in shown
    assert "- Restored from the run-cache: `prepare`" in shown


def test_the_report_reads_verdict_head_table_chart_then_collapsed_sections(tmp_path: Path) -> None:
    c = comparison(
        base="origin/main",
        head_metrics=None,
        stages=StageRuns(ran=["train", "evaluate"], unchanged=["prepare"]),
        plots=["roc"],
        plot_notes={"roc": "Only this PR has `reports/plots/roc.csv`."},
        note="reproduced from scratch on the embedded data: the DVC remote was not reachable",
        params_changes={"model._target_": ("sklearn.A", "sklearn.B")},
        links={
            "commit": "https://github.example/o/r/commit/1a2b3c4",
            "run": "https://github.example/o/r/actions/runs/7",
        },
    )
    c.review.head_metrics |= {"accuracy": c.review.head.scored.metrics["accuracy"]}
    report = render_markdown(c)
    lines = report.splitlines()
    assert lines[0] == PR_REPORT_MARKER and lines[1].startswith("### ⚠️ Review needed: passes the gate, but worse")
    assert lines[3] == (
        "**This PR** @ [`1a2b3c4`](https://github.example/o/r/commit/1a2b3c4) against `main` @ `0123456` "
        "· [run](https://github.example/o/r/actions/runs/7)"
    )
    assert "> **Note:** reproduced from scratch on the embedded data" in report
    assert "| `model._target_` | `sklearn.A` | `sklearn.B` |" in report
    assert "<details><summary>Parameters (1 changed)</summary>" in report
    assert "- Ran: `train`, `evaluate`" in report and "- Unchanged: `prepare`" in report
    assert "- ROC curve: `plots/roc.png`. Only this PR has `reports/plots/roc.csv`." in report
    assert "`pr-report` artifact" in report
    assert report.count("<details>") == report.count("</details>")
    assert_no_images(report)


def test_without_a_model_the_report_says_what_to_run() -> None:
    report = render_markdown(comparison(review=None))
    assert report.splitlines()[1] == (
        "### ⛔ No model or metrics in this PR's workspace: run `make repro` to write `reports/metrics.json`"
    )


def classification_tables(noise: float) -> dict[str, pd.DataFrame]:
    """Tiny tables with the columns evaluate writes for classification."""
    grid = np.linspace(0.0, 1.0, 5)
    return {
        "confusion": pd.DataFrame({"actual": ["a", "a", "b", "b", "c"], "predicted": ["a", "b", "b", "b", "c"]}),
        "roc": pd.DataFrame({"fpr": grid, "tpr": np.sqrt(grid) - noise * grid * (1 - grid)}),
        "precision_recall": pd.DataFrame({"recall": grid[::-1], "precision": 0.5 + grid / 2 - noise}),
        "feature_importance": importances({f"f{i}": 1.0 - i / 20 + noise for i in range(20)}),
    }


def regression_tables(noise: float) -> dict[str, pd.DataFrame]:
    """Tiny tables with the columns evaluate writes for regression."""
    actual = np.linspace(0.0, 10.0, 8)
    predicted = actual + noise * np.sin(actual)
    return {
        "predictions": pd.DataFrame({"actual": actual, "predicted": predicted, "residual": actual - predicted}),
        "feature_importance": importances({"age": 0.5, "bmi": 0.3 + noise, "bp": 0.1}, "rmse added when shuffled"),
    }


@pytest.mark.parametrize("tables", [classification_tables, regression_tables])
@pytest.mark.parametrize("with_base", [True, False], ids=["with-base", "no-base"])
def test_figures_are_written_and_named(tmp_path: Path, tables, with_base: bool) -> None:
    head = tables(0.1)
    base = tables(0.3) if with_base else {}
    written = render_plots(base, head, tmp_path / "plots", base_label="main")
    assert written == [name for name in PLOT_TITLES if name in head]
    for name in written:
        png = tmp_path / "plots" / f"{name}.png"
        assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 1000, png


def test_top_features_compare_base_and_head_in_one_measure() -> None:
    base = importances({"age": 0.2, "bmi": 0.8})
    head = importances({"bmi": 0.4, "age": 0.2, "sex|male": 0.1})
    section = importance_section(base, head, "main")
    assert section[2:] == [
        "| # | feature | `main` | this PR |",
        "| ---: | --- | --- | --- |",
        "| 1 | bmi | 0.8000 ██████████ | 0.4000 █████ |",
        "| 2 | age | 0.2000 ██▌ | 0.2000 ██▌ |",
        "| 3 | sex\\|male | — | 0.1000 █▎ |",
    ]
    other = importance_section(importances({"age": 3.0}, "impurity decrease"), head, "main")
    assert other[2] == "| # | feature | this PR |", "another measure is never drawn on the same scale"
    assert "`main` measured importance another way" in other[0]
    assert importance_section(None, None, "main") == []


def big_comparison(feature_name_length: int) -> Comparison:
    """A report with 5,000 features and 3,000 changed parameters."""
    names = [f"{i:05}".ljust(feature_name_length, "x") for i in range(5000)]
    features = importances(dict(zip(names, np.linspace(1.0, 0.0, 5000), strict=True)))
    return comparison(
        params_changes={f"model.w{i}": (i, i + 1) for i in range(3000)},
        stages=StageRuns(ran=["train", "evaluate"]),
        base_tables={"feature_importance": features},
        head_tables={"feature_importance": features},
        plots=["feature_importance"],
    )


def test_a_big_report_cuts_its_tables_with_a_line_saying_what() -> None:
    report = render_markdown(big_comparison(feature_name_length=20))
    assert len(report.encode()) <= MAX_BYTES < 65_536, "GitHub's limit for a comment, in characters"
    assert "2950 more changed parameters left out: `dvc params diff main`." in report
    assert "Cut to fit" not in report, "the tables' own limits suffice"


def test_a_report_too_big_even_so_is_cut_at_a_line_with_what_was_left_out() -> None:
    report = render_markdown(big_comparison(feature_name_length=5000))
    assert len(report.encode()) <= MAX_BYTES
    assert report.splitlines()[1].startswith("### ⚠️ Review needed"), "the verdict survives"
    assert report.endswith(
        "**Cut to fit a pull-request comment:** the rest of this section, Every metric, Parameters (3000 changed), "
        "Stages, PNG figures."
    )
    assert report.count("<details>") == report.count("</details>"), "a section cut open is closed"


def importances(values: dict[str, float], measure: str = "balanced accuracy lost when shuffled") -> pd.DataFrame:
    return pd.DataFrame({"feature": list(values), "importance": list(values.values()), "measure": measure})


def pairs(*counts: tuple[str, str, int]) -> pd.DataFrame:
    """Confusion pairs as evaluate writes them, from (actual, predicted, how many) triples."""
    rows = [(actual, predicted) for actual, predicted, many in counts for _ in range(many)]
    return pd.DataFrame(rows, columns=["actual", "predicted"])


def test_confusion_and_per_class_tables_show_the_base_where_it_differs() -> None:
    base = pairs(("cat", "cat", 50), ("cat", "dog", 2), ("dog", "dog", 40), ("dog", "cat", 8))
    head = pairs(("cat", "cat", 52), ("dog", "dog", 40), ("dog", "cat", 8))  # the 2 cats taken for dogs now right
    sections = classification_sections(base, head)
    assert sections[2:6] == [
        "| actual ↓ predicted → | cat | dog |",
        "| --- | ---: | ---: |",
        "| cat | **52 (was 50)** | 0 (was 2) |",
        "| dog | 8 | **40** |",
    ]
    per_class_table = sections[sections.index("| class | precision | recall | F1 | support |") :]
    assert per_class_table[:4] == [
        "| class | precision | recall | F1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| cat | 0.8667 (was 0.8621) | 1.0000 (was 0.9615) | 0.9286 (was 0.9091) | 52 |",
        "| dog | 1.0000 (was 0.9524) | 0.8333 | 0.9091 (was 0.8889) | 48 |",
    ]


def test_classification_sections_need_the_workspaces_pairs() -> None:
    assert classification_sections(pairs(("a", "a", 1)), None) == []
    only_head = classification_sections(None, pairs(("a", "a", 3), ("a", "b", 1)))
    assert "| a | **3** | 1 |" in only_head and "was" not in "".join(only_head[2:])


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
    assert sections.count(cut) == 1, "above the tables"
    matrix = sections[
        sections.index("| --- |" + " ---: |" * 20) + 1 : sections.index("| class | precision | recall | F1 | support |")
        - 1
    ]
    assert len(matrix) == 20 and all(row.count("| 7 |") or row.count("**7**") for row in matrix), "7 rows each"


def test_fit_leaves_a_report_that_fits_alone() -> None:
    assert fit("## A\n\nsmall", limit=1000) == "## A\n\nsmall"
    cut = fit("## A\n" + "é\n" * 400 + "<details><summary>B</summary>\n" + "x\n" * 400, limit=900)
    assert len(cut.encode()) <= 900 and cut.endswith("the rest of this section, B.")


# Markdown and HTML images: in a PR comment or job summary a relative path resolves against the
# pull request's page and breaks, and a data: URI is stripped. The report must embed none.
IMAGE = re.compile(r"!\[[^\]]*\]\s*[(\[]|<img\b", re.IGNORECASE)  # ![alt](src), ![alt][ref], <img src=...>


def assert_no_images(report: str) -> None:
    found = IMAGE.search(report)
    assert found is None, f"the report embeds an image, which would show broken on GitHub: {found.group(0)!r}"


def test_marker_is_a_hidden_html_comment() -> None:
    assert re.fullmatch(r"<!-- [\w-]+-pr-report -->", PR_REPORT_MARKER)


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
