"""Every model in conf/ trains bit for bit identically twice: its seed comes from conf/.

The template's own harness checks the default one through `dvc repro --force`; this
runs in seconds on tiny data, for whichever task the project was made for.
"""

import pickle

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.ops.config.compose import compose
from {{ cookiecutter.package_name }}.params import model_choices, validate_params
from {{ cookiecutter.package_name }}.train import train


@pytest.mark.parametrize("model", model_choices())
def test_model_is_deterministic(model: str, classification_frame: pd.DataFrame, regression_frame: pd.DataFrame) -> None:
    params = validate_params(yaml.safe_load(compose([f"model={model}"])))
    frame = classification_frame if params.task == "classification" else regression_frame
    first, second = (train(frame, "target", params.model) for _ in range(2))
    assert pickle.dumps(first) == pickle.dumps(second), f"{model} trains differently on the same data"
