"""The quality gate: beat the trivial baseline by the margin; scores are minimums, errors maximums."""

import pandas as pd
import pytest
import yaml
from sklearn.dummy import DummyClassifier

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.metrics import baseline_scores, classification_metrics
from {{ cookiecutter.package_name }}.ops.config.compose import compose
from {{ cookiecutter.package_name }}.ops.gate import GateError, check_gate, gate_failures, required
from {{ cookiecutter.package_name }}.params import ModelParams, validate_params
from {{ cookiecutter.package_name }}.train import train


def default_gate() -> dict[str, float]:
    return dict(yaml.safe_load(compose())["gate"])


def test_the_default_gate_is_the_baseline_margins_alone() -> None:
    expected = {"baseline_margin": 0.1}
{%- if cookiecutter.task == 'classification' %}
    expected["balanced_margin"] = 0.5
{%- endif %}
    assert default_gate() == expected


def test_a_model_that_predicts_the_majority_class_fails_the_default_gate(
    classification_frame: pd.DataFrame, classifier: ModelParams
) -> None:
    # 3 in 4 rows "yes": a model ignoring the features scores 0.75, as the baseline does.
    frame = classification_frame.assign(target=["yes", "yes", "yes", "no"] * (len(classification_frame) // 4))
    features, labels = frame.drop(columns="target"), frame["target"]
    majority = DummyClassifier(strategy="most_frequent").fit(features, labels)
    metrics = classification_metrics(majority, features, labels) | baseline_scores("classification", labels, labels)
    assert metrics["accuracy"] == metrics["baseline_accuracy"] == 0.75
    gate = {"baseline_margin": 0.1, "balanced_margin": 0.5}  # a classification bake's default
    assert gate_failures(metrics, gate) == [
        "accuracy = 0.7500 does not beat the trivial baseline's 0.7500 by the margin 0.1: it needs ≥ 0.7750",
        "balanced_accuracy = 0.5000 does not beat the trivial baseline's 0.5000 by the margin 0.5: it needs ≥ 0.7500",
    ]
    # A model that learns from the features passes (scored on its training rows: this tests the gate only).
    fitted = train(frame.assign(size=frame["target"].eq("yes") * 10.0), "target", classifier)
    learned = classification_metrics(fitted, features.assign(size=labels.eq("yes") * 10.0), labels)
    assert gate_failures(learned | baseline_scores("classification", labels, labels), gate) == []


def test_a_model_that_rarely_finds_the_rare_class_fails_on_balanced_accuracy() -> None:
    """3 % positives: finding 9 of 30 (f1 0.46) beats the baseline's accuracy, not balanced accuracy's margin."""
    labels = pd.Series(["yes"] * 30 + ["no"] * 970)
    predicted = pd.Series(["yes"] * 9 + ["no"] * 991)
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    metrics = {
        "accuracy": accuracy_score(labels, predicted),
        "balanced_accuracy": balanced_accuracy_score(labels, predicted),
    }
    metrics |= baseline_scores("classification", labels, labels)
    failures = gate_failures(metrics, {"baseline_margin": 0.1, "balanced_margin": 0.5})
    assert metrics["accuracy"] == 0.979, "above the 0.973 that beats the baseline's 0.97"
    assert [failure.split(" = ")[0] for failure in failures] == ["balanced_accuracy"], "0.65, below 0.75"


def test_the_margin_cuts_the_baselines_error() -> None:
    # Scores: the error is 1 - score. Errors: the metric itself.
    assert required({"accuracy": 0.7, "baseline_accuracy": 0.6}, {"baseline_margin": 0.5}) == {"accuracy": 0.8}
    assert required({"rmse": 40.0, "baseline_rmse": 50.0}, {"baseline_margin": 0.1}) == {"rmse": 45.0}
    assert gate_failures({"rmse": 44.0, "baseline_rmse": 50.0}, {"baseline_margin": 0.1}) == []
    assert gate_failures({"rmse": 46.0, "baseline_rmse": 50.0}, {"baseline_margin": 0.1}) == [
        "rmse = 46.0000 does not beat the trivial baseline's 50.0000 by the margin 0.1: it needs ≤ 45.0000"
    ]


def test_absolute_bounds_add_to_the_margin_and_the_stricter_shows() -> None:
    metrics = {"accuracy": 0.8, "baseline_accuracy": 0.5}
    gate = {"baseline_margin": 0.1, "accuracy": 0.85}
    assert required(metrics, gate) == {"accuracy": 0.85}
    assert gate_failures(metrics, gate) == ["accuracy = 0.8000, below the minimum 0.85"]


def test_metrics_without_a_baseline_fail_the_margin() -> None:
    assert gate_failures({"accuracy": 0.9}, {"baseline_margin": 0.1}) == [
        "no baseline_* score among the metrics to beat; run `make repro`"
    ]


def test_scores_are_minimums() -> None:
    assert gate_failures({"accuracy": 0.91}, {"accuracy": 0.9}) == []
    assert gate_failures({"accuracy": 0.89}, {"accuracy": 0.9}) == ["accuracy = 0.8900, below the minimum 0.9"]


def test_errors_are_maximums() -> None:
    assert gate_failures({"rmse": 49.0}, {"rmse": 50.0}) == []
    assert gate_failures({"rmse": 51.0}, {"rmse": 50.0}) == ["rmse = 51.0000, above the maximum 50.0"]


def test_a_failed_gate_names_every_miss() -> None:
    with pytest.raises(GateError, match="r2 = 0.1000, below.*mae = 9.0000, above"):
        check_gate({"r2": 0.1, "mae": 9.0}, {"r2": 0.5, "mae": 5.0})


def test_gate_may_only_name_the_task_metrics() -> None:
    params = yaml.safe_load(compose())
    params["gate"] = {"precision": 0.9}
    with pytest.raises(ConfigError, match="gate: unknown metric precision"):
        validate_params(params)


@pytest.mark.parametrize("margin", [0, 1, 1.5])
def test_the_margin_is_a_share_between_0_and_1(margin: float) -> None:
    params = yaml.safe_load(compose())
    params["gate"] = {"baseline_margin": margin}
    with pytest.raises(ConfigError, match="gate.baseline_margin: the share of the baseline's error"):
        validate_params(params)
