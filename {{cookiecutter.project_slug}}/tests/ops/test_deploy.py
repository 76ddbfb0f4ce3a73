"""deploy/: the manifests are valid Kubernetes and KServe objects, checked offline, and they
probe and call the server as it really answers."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from serving_bundles import write_bundle

from {{ cookiecutter.package_name }}.ops.serving.app import create_app
from {{ cookiecutter.package_name }}.ops.serving.models import Models

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
INFERENCE_SERVICE = DEPLOY / "kserve" / "inferenceservice.yaml"
KSERVE_SCHEMA = DEPLOY / "schemas" / "inferenceservice_v1beta1.json"
# The Kubernetes release whose schemas the core kinds are checked against (kubernetes-validate bundles them).
KUBERNETES_VERSION = "1.34.0"
TOOLS = Path(sys.executable).parent  # the project's environment, where `make setup` installed both checkers


def manifest(name: str) -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


def check(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_kinds_are_valid_kubernetes() -> None:
    """--strict: a misspelt field is an error, as `kubectl apply --validate=strict` would make it."""
    assert [path.name for path in KUBERNETES] == ["deployment.yaml", "service.yaml"]
    check(str(TOOLS / "kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSION, *map(str, KUBERNETES))


def test_the_inference_service_is_valid_kserve() -> None:
    check(str(TOOLS / "check-jsonschema"), "--schemafile", str(KSERVE_SCHEMA), str(INFERENCE_SERVICE))


def test_a_misspelt_field_is_caught(tmp_path: Path) -> None:
    """The check can fail: a Deployment with a misspelt field is refused."""
    broken = tmp_path / "deployment.yaml"
    text = (DEPLOY / "kubernetes" / "deployment.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("maxUnavailable:", "maxUnavaliable:"), encoding="utf-8")
    command = [str(TOOLS / "kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(broken)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "maxUnavaliable" in result.stdout + result.stderr


def test_a_wrong_type_in_the_inference_service_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "inferenceservice.yaml"
    broken.write_text(INFERENCE_SERVICE.read_text(encoding="utf-8").replace("minReplicas: 2", "minReplicas: two"))
    command = [str(TOOLS / "check-jsonschema"), "--schemafile", str(KSERVE_SCHEMA), str(broken)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "minReplicas" in result.stdout


def test_rollouts_never_drop_below_two_ready_replicas() -> None:
    deployment = manifest("kubernetes/deployment.yaml")
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    service = manifest("kubernetes/service.yaml")
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]


def containers() -> list[dict[str, Any]]:
    """The server's container in the Deployment, then in the InferenceService."""
    deployment = manifest("kubernetes/deployment.yaml")["spec"]["template"]["spec"]
    return [*deployment["containers"], *manifest("kserve/inferenceservice.yaml")["spec"]["predictor"]["containers"]]


def test_both_run_the_published_image_on_the_servers_port() -> None:
    images = {container["image"] for container in containers()}
    assert len(images) == 1 and next(iter(images)).startswith("ghcr.io/")
    assert {container["ports"][0]["containerPort"] for container in containers()} == {8080}


@pytest.mark.parametrize("probe", ["readinessProbe", "livenessProbe"])
def test_the_probes_ask_what_the_server_answers(probe: str, tmp_path: Path) -> None:
    client = TestClient(create_app(Models(str(write_bundle(tmp_path / "model-v1.0.0.tar.gz", "v1.0.0")))))
    paths = {container[probe]["httpGet"]["path"] for container in containers() if probe in container}
    assert paths and all(path.startswith("/v2/health/") for path in paths)
    for path in paths:
        assert client.get(path).status_code == 200, path
