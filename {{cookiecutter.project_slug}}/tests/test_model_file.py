"""The model file: skops, reproducible byte for byte, loaded from trusted types only."""

import copy
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.features import build_preprocessor
from {{ cookiecutter.package_name }}.model_file import UntrustedModelError, load_model, model_bytes, save_model


@pytest.fixture
def fitted(classification_frame: pd.DataFrame) -> tuple[Pipeline, pd.DataFrame]:
    frame = classification_frame
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", LogisticRegression())])
    return pipeline.fit(frame.drop(columns="target"), frame["target"]), frame


def test_a_saved_model_loads_and_predicts_the_same(fitted: tuple[Pipeline, pd.DataFrame], tmp_path: Path) -> None:
    pipeline, frame = fitted
    save_model(pipeline, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops")
    features = frame.drop(columns="target")
    assert (loaded.predict(features) == pipeline.predict(features)).all()


def test_the_same_model_writes_the_same_bytes(fitted: tuple[Pipeline, pd.DataFrame]) -> None:
    """skops names arrays by memory address and stamps the time: model_file.py renumbers and redates them."""
    pipeline, _ = fitted
    data = model_bytes(pipeline)
    assert data == model_bytes(copy.deepcopy(pipeline))
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_file_that_is_not_skops_is_refused_without_loading(tmp_path: Path) -> None:
    (tmp_path / "model.skops").write_bytes(b"\x80\x04not a zip")
    with pytest.raises(UntrustedModelError, match="is not a skops model file .* refused without loading it$"):
        load_model(tmp_path / "model.skops")
