"""The three stages run end to end on the committed params.yaml, in a scratch directory."""

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }} import evaluate, prepare, train
from {{ cookiecutter.package_name }}.params import load_params
from {{ cookiecutter.package_name }}.paths import METRICS, MODEL, PARAMS, TEST, TRAIN


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch directory holding what the stages read: params.yaml, dvc.yaml and a CSV dataset."""
    for path in (PARAMS, Path("dvc.yaml")):
        shutil.copy(path, tmp_path / path)
    data = load_params().data
    if data.source == "csv" and data.path and not Path(data.path).is_absolute():
        if not Path(data.path).exists():
            pytest.skip(f"{data.path} is not in the workspace; run `dvc pull`")
        (tmp_path / data.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data.path, tmp_path / data.path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def declared_plot_columns(dvc_yaml: dict[str, Any]) -> list[tuple[str, str]]:
    """(file, column) of every axis of the plots in dvc.yaml."""
    columns: list[tuple[str, str]] = []
    for plot in dvc_yaml["plots"]:
        ((name, spec),) = plot.items()
        for axis in ("x", "y"):
            value = spec[axis]
            columns += list(value.items()) if isinstance(value, dict) else [(name, value)]
    return columns


def test_stages_write_the_declared_outputs(workdir: Path) -> None:
    prepare.main()
    train.main()
    evaluate.main()

    for output in (TRAIN, TEST, MODEL, METRICS):
        assert (workdir / output).exists(), f"{output} was not written"
    scores = json.loads(METRICS.read_text(encoding="utf-8"))
    expected = {"accuracy", "f1"} if load_params().task == "classification" else {"rmse", "mae", "r2"}
    assert expected <= set(scores)

    dvc_yaml = yaml.safe_load(Path("dvc.yaml").read_text(encoding="utf-8"))
    for path, column in declared_plot_columns(dvc_yaml):
        assert Path(path).exists(), f"dvc.yaml plots {path}, which evaluate did not write"
        assert column in pd.read_csv(path).columns, f"dvc.yaml plots {path}:{column}, which has no such column"
