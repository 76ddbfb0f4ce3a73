"""The quality gate: scores are minimums, errors maximums, unknown metrics refused."""

import pytest
import yaml

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.ops.compose import compose
from {{ cookiecutter.package_name }}.ops.gate import GateError, check_gate, gate_failures
from {{ cookiecutter.package_name }}.params import validate_params


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
