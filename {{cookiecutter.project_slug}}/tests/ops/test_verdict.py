"""The pull-request verdict: like-for-like scores, noise, the three states, and the charts in the comment."""

import numpy as np
import pandas as pd
from reviews import Fixed, missing, review, truth

from {{ cookiecutter.package_name }}.ops.markdown import code
from {{ cookiecutter.package_name }}.ops.review.charts import (
    MAX_BYTES,
    POINTS,
    importance_chart,
    residual_chart,
    roc_chart,
    scores_chart,
    text,
)
from {{ cookiecutter.package_name }}.ops.review.sections import params_changes, params_section
from {{ cookiecutter.package_name }}.ops.review.sides import Side
from {{ cookiecutter.package_name }}.ops.review.verdict import key_rows, verdict


def test_one_more_cancer_missed_is_not_green_and_names_the_worst_regression() -> None:
    labels = truth()
    said = verdict(review(missing(labels, 4), missing(labels, 3), labels))
    assert said == (
        "### ⚠️ Review needed: passes the gate, but worse than `main` on 3 of 3 metrics; "
        "worst: accuracy 0.9737 → 0.9649 (within noise)"
    ), "accuracy, balanced accuracy and f1 (a model without probabilities has no roc_auc)"
    rows = key_rows(review(missing(labels, 4), missing(labels, 3), labels))
    recall = next(row for row in rows if row.startswith("| **recall, malignant**"))
    assert "🔻 1 more missed (4 of 42)" in recall
    accuracy = next(row for row in rows if row.startswith("| **accuracy** (gate)"))
    assert "(0 fixed, 1 broken)" in accuracy and "✅ ≥ 0.6684" in accuracy


def test_the_same_rows_right_and_wrong_is_green() -> None:
    labels = truth()
    assert verdict(review(missing(labels, 3), missing(labels, 3), labels)) == (
        "### ✅ Passes the gate; no metric worse than `main`"
    )


def test_better_and_nothing_worse_is_green_with_its_interval() -> None:
    labels = truth()
    said = verdict(review(missing(labels, 0), missing(labels, 6), labels))
    assert said.startswith("### ✅ Passes the gate; better than `main` on accuracy 0.9474 → 1.0000 (beyond noise)")


def test_failing_the_gate_is_red_first() -> None:
    labels = truth()
    always_benign = ["benign"] * len(labels)
    said = verdict(review(always_benign, missing(labels, 3), labels))
    assert said.startswith("### ⛔ Fails the quality gate: accuracy = 0.6316 does not beat the trivial baseline's")


def test_new_test_rows_the_base_model_cannot_score_are_not_like_for_like() -> None:
    labels = truth()
    said = verdict(review(missing(labels, 3), None, labels, same_test=False, problem="no model at main"))
    assert said == (
        "### ⛔ Not like for like: the test rows changed and `main`'s model could not be scored on them: "
        "no model at main"
    )


def test_a_test_set_whose_class_balance_moved_needs_review() -> None:
    labels = truth(72, 18)
    said = verdict(
        review(
            labels.tolist(), labels.tolist(), labels, same_test=False, test_shares={"benign": 0.63, "malignant": 0.37}
        )
    )
    assert said == (
        "### ⚠️ Review needed: passes the gate, but the test set's class balance moved "
        "(benign 63 % → 80 %, malignant 37 % → 20 %)"
    )


def test_worse_than_production_on_the_main_metric_needs_review() -> None:
    labels = truth()
    case = review(missing(labels, 3), missing(labels, 3), labels)
    scorer = case.head.scorer
    case.production = Side("production `v0.1.0`", "v0.1.0", "fedcba98", scored=scorer.score(Fixed(missing(labels, 0))))
    said = verdict(case)
    assert said.endswith("worse than production `v0.1.0`: accuracy 1.0000 → 0.9737")
    assert key_rows(case)[0].split(" | ")[2] == "production `v0.1.0`"


def test_the_bootstrap_interval_is_seeded_and_brackets_the_change() -> None:
    labels = truth()
    first = review(missing(labels, 4), missing(labels, 1), labels).base.intervals
    again = review(missing(labels, 4), missing(labels, 1), labels).base.intervals
    assert first == again, "the same seed, the same interval"
    low, high = first["accuracy"]
    assert low <= -3 / len(labels) <= high and high - low < 0.1


def test_without_the_base_model_the_same_rows_compare_by_committed_metrics() -> None:
    labels = truth()
    case = review(missing(labels, 4), None, labels, problem="not in the cache")
    case.base_metrics = {"accuracy": 0.9737}
    assert verdict(case).startswith("### ⚠️ Review needed: passes the gate, but worse than `main` on 1 of 1 metrics")


def roc(fpr: list[float], tpr: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"fpr": fpr, "tpr": tpr})


def test_the_roc_chart_zooms_names_both_series_and_stays_small() -> None:
    base, head = roc([0, 0, 0.02, 0.14, 1], [0, 0.93, 0.98, 1, 1]), roc([0, 0, 0.12, 1], [0, 0.93, 1, 1])
    chart = roc_chart(base, head, "main")
    assert chart[0] == "```mermaid" and chart[2] == "xychart-beta" and chart[-1] == "```"
    assert 'title "ROC, zoomed to FPR up to 0.2 (grey: main, blue: this PR)"' in chart[3]
    assert chart[5] == '    y-axis "true positive rate" 0.9 --> 1'
    labels = chart[4].split("[", 1)[1].rstrip("]").split(", ")
    assert len(labels) == POINTS and labels[-1] == "0.2"
    assert [line.split()[0] for line in chart[6:8]] == ["line", "line"]
    assert len("\n".join(chart).encode()) <= MAX_BYTES


def test_the_residual_chart_and_importance_bars() -> None:
    head = pd.DataFrame({"residual": np.linspace(-3, 3, 50)})
    residuals = residual_chart(head.assign(residual=head.residual * 2), head, "main")
    assert "bar [" in residuals[-3] and "line [" in residuals[-2]
    importance = pd.DataFrame({"feature": ['size "cm"', "<b>", "zero"], "importance": [0.3, 0.1, 0.0]})
    bars = importance_chart(importance, "r2 lost when shuffled")
    assert bars[2] == "xychart-beta horizontal"
    assert '["size \'cm\'", "‹b›"]' in bars[4], "two columns that help, labels escaped"


def test_the_scores_chart_zooms_to_the_scores_and_names_both_series() -> None:
    chart = scores_chart({"accuracy": (0.96, 0.95), "recall, malignant": (0.93, 0.9)}, "main", True)
    assert chart[2] == "xychart-beta horizontal", "names on the side: there is room for them"
    assert 'title "Scores on the same test rows, higher is better (bars: this PR, line: main)"' in chart[3]
    assert chart[4] == '    x-axis ["accuracy", "recall, malignant"]'
    assert chart[5] == '    y-axis "score, zoomed" 0.891 --> 0.969'
    assert chart[6:8] == ["    bar [0.95, 0.9]", "    line [0.96, 0.93]"]
    assert scores_chart({"rmse": (50.0, 49.0)}, "main", False) == [], "one bar: the key table says it"


def test_labels_cannot_break_out_of_mermaid() -> None:
    assert text('a "quoted" <tag> & more') == "a 'quoted' ‹tag› + more"
    assert len(text("x" * 100, 24)) == 24


def test_parameter_changes_treat_empty_as_missing_and_show_names_literally() -> None:
    data, linear, forest = {"drop": None, "name": "x"}, {"_target_": "sklearn.A", "C": 1.0}, {"_target_": "sklearn.B"}
    base = {"data": data, "model": linear}
    grown = forest | {"n_estimators": 200}
    head = {"data": data | {"drop": []}, "model": grown}
    changes = params_changes(base, head)
    assert changes == {
        "model.C": (1.0, None),
        "model._target_": ("sklearn.A", "sklearn.B"),
        "model.n_estimators": (None, 200),
    }
    lines = params_section(changes, "main")
    assert lines[0] == "| parameter | `main` | this PR |"
    assert "| `model._target_` | `sklearn.A` | `sklearn.B` |" in lines
    assert "| `model.C` | `1.0` | — |" in lines
    assert code("a|b`c") == "`` a\\|b`c ``"
