"""The inference server: answers equal `predict`'s, bad input costs one 4xx, versions swap safely."""

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from serving_bundles import TRAIN, write_bundle

from {{ cookiecutter.package_name }}.ops.registry.tags import ARTIFACT
from {{ cookiecutter.package_name }}.ops.serving import app as app_module
from {{ cookiecutter.package_name }}.ops.serving import requests
from {{ cookiecutter.package_name }}.ops.serving.app import create_app
from {{ cookiecutter.package_name }}.ops.serving.models import Models
from {{ cookiecutter.package_name }}.ops.serving.predict import predict_file
from {{ cookiecutter.package_name }}.ops.serving.served_log import ServedLog

ROWS = [
    {"size": 2.5, "plan": "pro", "signed_up": "2024-01-03"},
    {"size": None, "plan": "free", "signed_up": None},  # gaps: the model imputes them
    {"size": 7, "plan": "enterprise", "signed_up": "2024-02-01"},  # a category never seen
]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write_bundle(tmp_path / "model-v1.0.0.tar.gz", "v1.0.0")


@pytest.fixture
def client(bundle: Path) -> TestClient:
    return TestClient(create_app(Models(str(bundle))))


def test_predictions_equal_the_predict_command(client: TestClient, bundle: Path, tmp_path: Path) -> None:
    pd.DataFrame(ROWS).to_csv(tmp_path / "new.csv", index=False)
    predict_file(str(bundle), tmp_path / "new.csv", tmp_path / "out.csv", [])
    expected = pd.read_csv(tmp_path / "out.csv")
    answer = client.post("/predict", json={"rows": ROWS})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model_version"] == "v1.0.0"
    assert body["predictions"] == expected["prediction"].tolist()
    assert [row["yes"] for row in body["probabilities"]] == expected["probability_yes"].tolist()


BAD = [
    ({"rows": [ROWS[0], {**ROWS[0], "size": "big"}]}, "rows[1].size: Input should be a valid number"),
    ({"rows": [{"size": 1.0, "plan": "pro"}]}, "rows[0].signed_up: Field required"),
    ({"rows": [{**ROWS[0], "colour": "red"}]}, "rows[0].colour: Extra inputs are not permitted"),
    ({"rows": [{**ROWS[0], "plan": 3}]}, "rows[0].plan: Input should be a valid string"),
    ({"rows": [{**ROWS[0], "signed_up": "soon"}]}, "rows[0].signed_up: Value error, Input should be a date"),
    ({"rows": [{**ROWS[0], "size": True}]}, "rows[0].size: Input should be a valid number"),
    ({"rows": []}, "rows: List should have at least 1 item after validation, not 0"),
    ({"row": ROWS}, "rows: Field required"),
    ([ROWS[0]], "body: Input should be a valid dictionary or object"),
]


@pytest.mark.parametrize(("body", "message"), BAD, ids=[message.split(":")[0] for _, message in BAD])
def test_bad_input_is_a_422_naming_the_row_and_column(client: TestClient, body: object, message: str) -> None:
    answer = client.post("/predict", json=body)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith(message)
    assert client.post("/predict", json={"rows": ROWS}).status_code == 200, "the server keeps answering"


def test_malformed_json_infinity_and_oversized_bodies_are_4xx(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(requests, "MAX_ROWS", 2)
    monkeypatch.setattr(app_module, "MAX_BODY_BYTES", 4096)
    client = TestClient(create_app(Models(str(bundle))))
    headers = {"content-type": "application/json"}
    answer = client.post("/predict", content=b'{"rows": [', headers=headers)
    assert answer.status_code == 422 and answer.json()["message"].startswith("the body is not valid JSON")
    infinite = json.dumps({"rows": [{**ROWS[0], "size": float("inf")}]})
    answer = client.post("/predict", content=infinite, headers=headers)
    assert answer.status_code == 422 and answer.json()["message"] == "rows[0].size: Input should be a finite number"
    answer = client.post("/predict", json={"rows": ROWS})
    assert answer.status_code == 422 and "at most 2 items" in answer.json()["message"]
    answer = client.post("/predict", content=b" " * 5000, headers=headers)
    assert answer.status_code == 413 and "fewer rows" in answer.json()["detail"]
    # Sent in chunks, with no Content-Length: counted as it arrives, refused past the limit.
    answer = client.post("/predict", content=iter([b" " * 3000, b" " * 3000]), headers=headers)
    assert answer.status_code == 413 and "fewer rows" in answer.json()["detail"]
    whole = json.dumps({"rows": ROWS[:1]}).encode()
    answer = client.post("/predict", content=iter([whole[:10], whole[10:]]), headers=headers)
    assert answer.status_code == 200, "a chunked body within the limit reaches the app whole"
    counted = 'serve_requests_total{endpoint="unmatched",model_version="",status="413"} 2.0'
    assert counted in client.get("/metrics").text, "the metrics count the refused bodies"


def test_the_v2_protocol_round_trip(client: TestClient) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    assert client.get(f"/v2/models/{ARTIFACT}/ready").json() == {"name": ARTIFACT, "ready": True}
    metadata = client.get(f"/v2/models/{ARTIFACT}").json()
    assert metadata["versions"] == ["v1.0.0"]
    assert [(i["name"], i["datatype"]) for i in metadata["inputs"]] == [
        ("size", "FP64"), ("plan", "BYTES"), ("signed_up", "BYTES")
    ]  # fmt: skip
    inputs = [
        {"name": name, "shape": [len(ROWS)], "datatype": "BYTES", "data": [row[name] for row in ROWS]}
        for name in ("size", "plan", "signed_up")
    ]
    answer = client.post(f"/v2/models/{ARTIFACT}/infer", json={"id": "42", "inputs": inputs})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["model_version"], body["id"]) == ("v1.0.0", "42")
    outputs = {output["name"]: output["data"] for output in body["outputs"]}
    expected = client.post("/predict", json={"rows": ROWS}).json()
    assert outputs["prediction"] == expected["predictions"]
    assert outputs["probability_yes"] == [row["yes"] for row in expected["probabilities"]]
    inputs[0]["data"][1] = "big"
    answer = client.post(f"/v2/models/{ARTIFACT}/infer", json={"inputs": inputs})
    assert answer.status_code == 422
    assert answer.json()["message"] == "inputs.size.data[1]: Input should be a valid number"
    answer = client.post(f"/v2/models/{ARTIFACT}/infer", json={"inputs": inputs[:2]})
    assert answer.status_code == 422 and "missing input 'signed_up'" in answer.json()["message"]
    assert client.get("/v2/models/other").status_code == 404


def test_metrics_count_requests_by_endpoint_status_and_version(client: TestClient) -> None:
    client.post("/predict", json={"rows": ROWS})
    client.post("/predict", json={"rows": []})
    text = client.get("/metrics").text
    assert 'serve_requests_total{endpoint="/predict",model_version="v1.0.0",status="200"} 1.0' in text
    assert 'serve_requests_total{endpoint="/predict",model_version="",status="422"} 1.0' in text
    assert "serve_request_duration_seconds_bucket" in text


def test_reload_swaps_to_the_new_version_and_refuses_other_features(bundle: Path) -> None:
    models = Models(str(bundle))
    write_bundle(bundle, "v1.1.0")
    assert models.reload() == "serve: now serving v1.1.0 (was v1.0.0)"
    write_bundle(bundle, "v2.0.0", frame=TRAIN.drop(columns="plan"))
    line = models.reload()
    assert line.startswith("serve: reload refused, still serving v1.1.0: ") and "other features" in line
    bundle.write_bytes(b"not a bundle")
    assert models.reload().startswith("serve: reload refused, still serving v1.1.0: ")
    assert models.pick().version == "v1.1.0"


@pytest.mark.parametrize(("percent", "versions"), [(0, {"v1.0.0"}), (100, {"v1.1.0"})])
def test_a_canary_takes_its_share(bundle: Path, tmp_path: Path, percent: float, versions: set[str]) -> None:
    canary = write_bundle(tmp_path / "canary.tar.gz", "v1.1.0")
    client = TestClient(create_app(Models(str(bundle), str(canary), percent)))
    answered = {client.post("/predict", json={"rows": ROWS}).json()["model_version"] for _ in range(20)}
    assert answered == versions


def test_the_served_log_is_a_batch_monitor_reads(bundle: Path, tmp_path: Path) -> None:
    from {{ cookiecutter.package_name }}.ops.monitoring.drift import read_frame
    from {{ cookiecutter.package_name }}.ops.serving.schema import check_features

    log = ServedLog(tmp_path / "incoming", share=1.0)
    client = TestClient(create_app(Models(str(bundle)), log))
    client.post("/predict", json={"rows": ROWS})
    client.post("/predict", json={"rows": ROWS[:1]})
    (batch,) = (tmp_path / "incoming").glob("served-*.csv")
    frame = read_frame(batch, "the served log")
    assert list(frame.columns) == ["size", "plan", "signed_up", "prediction", "model_version"]
    assert len(frame) == 4 and set(frame["model_version"]) == {"v1.0.0"}
    check_features(frame, json.loads(json.dumps(Models(str(bundle)).features)), str(batch))
