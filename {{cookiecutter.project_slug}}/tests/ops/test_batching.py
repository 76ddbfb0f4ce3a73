"""serve --batch-ms: concurrent requests' rows are scored in one call, and each gets its own answers."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from serving_bundles import write_bundle

from {{ cookiecutter.package_name }}.ops.serving import batching
from {{ cookiecutter.package_name }}.ops.serving.app import create_app
from {{ cookiecutter.package_name }}.ops.serving.batching import Batcher
from {{ cookiecutter.package_name }}.ops.serving.models import Models

ROWS = [
    {"size": 2.5, "plan": "pro", "signed_up": "2024-01-03"},
    {"size": 7.0, "plan": "free", "signed_up": "2024-02-01"},
    {"size": None, "plan": "pro", "signed_up": None},
]


def test_concurrent_requests_share_one_call_and_get_their_own_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = write_bundle(tmp_path / "model-v1.0.0.tar.gz", "v1.0.0")
    alone = TestClient(create_app(Models(str(bundle))))
    expected = [alone.post("/predict", json={"rows": [row]}).json() for row in ROWS * 2]
    calls: list[int] = []

    def counted(bundle: object, rows: pd.DataFrame) -> pd.DataFrame:
        calls.append(len(rows))
        return batching_predictions(bundle, rows)

    batching_predictions = batching.predictions
    monkeypatch.setattr(batching, "predictions", counted)
    batched = TestClient(create_app(Models(str(bundle), batch_ms=300)))
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda row: batched.post("/predict", json={"rows": [row]}).json(), ROWS * 2))
    assert [a["predictions"] for a in answers] == [e["predictions"] for e in expected]
    assert sum(calls) == 6 and len(calls) < 6, f"rows per call: {calls}"


class Doubling:
    """A model that doubles x, and fails on a negative one."""

    def predict(self, rows: pd.DataFrame) -> pd.Series:
        if (rows["x"] < 0).any():
            raise ValueError("negative x")
        return rows["x"] * 2


def test_a_request_that_fails_costs_only_its_own_answer() -> None:
    batcher, bundle = Batcher(300), SimpleNamespace(model=Doubling())

    def score(x: float) -> object:
        try:
            return batcher.score(bundle, pd.DataFrame({"x": [x]}))["prediction"].tolist()
        except ValueError as err:
            return str(err)

    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(score, [1.0, -1.0, 3.0])) == [[2.0], "negative x", [6.0]]
