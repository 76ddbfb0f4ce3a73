"""Every configuration in conf/ composes, validates and builds its estimator.

The parameters are discovered from conf/, so a new model or experiment file is
tested as soon as it is added.
"""

import pytest
import yaml
from sklearn.base import is_classifier, is_regressor

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.features import build_estimator
from {{ cookiecutter.package_name }}.ops.config.compose import compose
from {{ cookiecutter.package_name }}.params import Params, model_choices, validate_params
from {{ cookiecutter.package_name }}.paths import CONF_DIR

MODELS = model_choices()
EXPERIMENTS = sorted(path.stem for path in (CONF_DIR / "experiment").glob("*.yaml"))


def composed(*overrides: str) -> Params:
    return validate_params(yaml.safe_load(compose(overrides)), f"conf/ with {list(overrides)}")


def assert_builds_estimator_for_task(params: Params) -> None:
    estimator = build_estimator(params.model)
    fits_task = is_classifier if params.task == "classification" else is_regressor
    assert fits_task(estimator), f"{params.model.target} is not a {params.task} estimator"


def test_default_config() -> None:
    assert_builds_estimator_for_task(composed())


@pytest.mark.parametrize("model", MODELS)
def test_model_config(model: str) -> None:
    params = composed(f"model={model}")
    assert params.model.name == model, f"conf/model/{model}.yaml must set name: {model}"
    assert_builds_estimator_for_task(params)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_experiment_config(experiment: str) -> None:
    assert_builds_estimator_for_task(composed(f"experiment={experiment}"))


def test_unknown_model_lists_the_available_ones() -> None:
    with pytest.raises(ConfigError, match="not_a_model") as error:
        compose(["model=not_a_model"])
    for model in MODELS:
        assert model in str(error.value)


def test_unknown_key_is_rejected() -> None:
    with pytest.raises(ConfigError, match="not_a_key"):
        compose(["model.not_a_key=1"])


def test_added_unknown_hyperparameter_is_rejected_when_building() -> None:
    params = composed("+model.not_a_key=1")
    with pytest.raises(ConfigError, match="unknown hyperparameter not_a_key"):
        build_estimator(params.model)


# An override that composes, and the schema's objection to it.
INVALID_VALUES = {
    "data.split.test_size=abc": "data.split.test_size: Input should be a valid number",
    "data.split.test_size=1.5": "data.split.test_size: Input should be less than 1",
    "task=clustering": "task: Input should be 'classification' or 'regression'",
}


@pytest.mark.parametrize("override", INVALID_VALUES)
def test_invalid_value_is_rejected(override: str) -> None:
    with pytest.raises(ConfigError, match=INVALID_VALUES[override]):
        compose([override])
