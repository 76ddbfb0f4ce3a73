"""The s3 remote end to end, against moto's S3-compatible server on 127.0.0.1.

One bake with `dvc_remote=s3`, trained once and pushed through the server;
then fresh clones pull and reproduce from it, as a teammate and CI would.
The endpoint and credentials live where the generated README says: in
`.dvc/config.local` (via `dvc remote modify --local`) or in the environment,
never in a committed file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from baked import Project, bake_project, cached_outputs, md5

from conftest import github_outputs, run

pytestmark = pytest.mark.e2e

BUCKET = "harness-dvc"
# moto takes any credentials; distinctive ones, to look for in committed files.
ACCESS_KEY, SECRET_KEY = "harness-access-key-id", "harness-secret-access-key"
# No credentials but the ones a test gives: no ~/.aws files, no profile, no instance metadata.
NO_AWS: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_ENDPOINT_URL": None,
    "AWS_ENDPOINT_URL_S3": None,
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's server mode on a free port of 127.0.0.1, with an empty bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request in failure reports
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    s3 = boto3.client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
    )
    s3.create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def bucket_keys(endpoint: str) -> list[str]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    return [
        item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET) for item in page["Contents"]
    ]


def dvc(project: Path, venv: Path, *args: str, env: dict[str, str | None] | None = None, check: bool = True):
    """`dvc` in a checkout, with the shared environment's DVC and no AWS settings but `env`."""
    path = Project(project, {}, venv).env
    return run("dvc", *args, cwd=project, env=path | NO_AWS | (env or {}), check=check)


def clone(trained: Project, name: str) -> Path:
    """A fresh clone of the trained project: git only, no DVC cache, no .dvc/config.local."""
    target = trained.path.parent / name
    run("git", "clone", "--quiet", str(trained.path), str(target), cwd=trained.path.parent)
    assert not (target / ".dvc/config.local").exists()
    return target


@pytest.fixture(scope="module")
def trained(cookies_session, shared_venv: Path, endpoint: str) -> Project:
    """An s3 bake, its endpoint and credentials set locally, trained, committed and pushed with the run-cache."""
    answers = {"dvc_remote": "s3", "dvc_remote_url": f"s3://{BUCKET}/my-ml-project"}
    project = bake_project(cookies_session, shared_venv, **answers)
    project.make("setup")
    for option, value in (("endpointurl", endpoint), ("access_key_id", ACCESS_KEY), ("secret_access_key", SECRET_KEY)):
        dvc(project.path, shared_venv, "remote", "modify", "--local", "s3", option, value)
    ran, _ = project.repro()
    assert ran == ["prepare", "train", "evaluate"]
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Train the baseline", cwd=project.path)
    dvc(project.path, shared_venv, "push", "--run-cache")
    return project


def test_credentials_and_endpoint_stay_out_of_git(trained: Project) -> None:
    committed = run("git", "show", "HEAD:.dvc/config", cwd=trained.path).stdout
    assert f"url = s3://{BUCKET}/my-ml-project" in committed
    assert "endpointurl" not in committed and "access_key" not in committed and "secret" not in committed
    local = (trained.path / ".dvc/config.local").read_text()
    assert ACCESS_KEY in local and SECRET_KEY in local and "endpointurl = http://127.0.0.1:" in local
    run("git", "check-ignore", "--quiet", ".dvc/config.local", cwd=trained.path)
    assert run("git", "status", "--porcelain", cwd=trained.path).stdout == ""
    for secret in (ACCESS_KEY, SECRET_KEY):
        found = run("git", "grep", "--quiet", secret, "HEAD", cwd=trained.path, check=False)
        assert found.returncode == 1, f"{secret} is committed"


def test_push_uploads_every_output_and_the_run_cache(trained: Project, endpoint: str) -> None:
    keys = bucket_keys(endpoint)
    for output, expected in cached_outputs(trained.path).items():
        assert f"my-ml-project/files/md5/{expected[:2]}/{expected[2:]}" in keys, output
    # One run record per stage the run-cache can restore (evaluate keeps its outputs in git).
    assert len([key for key in keys if key.startswith("my-ml-project/runs/")]) == 2, keys


def test_pull_in_a_fresh_clone_with_local_credentials(trained: Project, endpoint: str) -> None:
    checkout = clone(trained, "clone-pull")
    for option, value in (("endpointurl", endpoint), ("access_key_id", ACCESS_KEY), ("secret_access_key", SECRET_KEY)):
        dvc(checkout, trained.venv, "remote", "modify", "--local", "s3", option, value)
    dvc(checkout, trained.venv, "pull")
    for output, expected in cached_outputs(checkout).items():
        assert md5(checkout / output) == expected, output
    assert run("git", "status", "--porcelain", cwd=checkout).stdout == ""


def test_ci_repro_in_a_fresh_clone_restores_every_stage(trained: Project, endpoint: str) -> None:
    """reproduce.yml's path: credentials only from the environment (its AWS_* secrets), `<name> ci repro`."""
    checkout = clone(trained, "clone-ci")
    dvc(checkout, trained.venv, "remote", "modify", "--local", "s3", "endpointurl", endpoint)
    # Nothing committed holds a credential: without the secrets the bucket refuses.
    refused = dvc(checkout, trained.venv, "status", "--cloud", check=False)
    assert refused.returncode != 0
    assert "Unable to locate credentials" in refused.stdout + refused.stderr
    outputs = checkout.parent / "clone-ci-github-output"  # $GITHUB_OUTPUT lives outside the checkout
    secrets = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    env = Project(checkout, {}, trained.venv).env | NO_AWS | secrets | {"GITHUB_OUTPUT": str(outputs)}
    result = run(str(trained.venv / "bin" / trained.answers["project_slug"]), "ci", "repro", cwd=checkout, env=env)
    assert github_outputs(outputs.read_text())["remote"] == "reachable", result.stdout
    log = (checkout / "reports/repro.log").read_text()
    assert re.findall(r"Running stage '(\w+)'", log) == [], log
    for output, expected in cached_outputs(checkout).items():
        assert md5(checkout / output) == expected, output
    assert dvc(checkout, trained.venv, "status", "--json").stdout.strip() == "{}"
    assert run("git", "status", "--porcelain", cwd=checkout).stdout == ""
