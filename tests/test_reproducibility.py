"""Any commit reproduces from git + the DVC remote alone, bit for bit.

One baked project, with a batch in data/incoming/ and a labelled one absorbed
into data/labelled/, trained, committed and pushed to its local DVC remote;
then each guarantee is checked with the real tools.
"""

from __future__ import annotations

import re
import shutil

import pytest
from baked import Project, assert_bundles_its_tagged_model, cached_outputs, md5, trained_bake

from conftest import run

pytestmark = pytest.mark.e2e


# Two batches as they land (data/incoming/README.md): the labelled one joins the training data.
BATCHES = """
from my_ml_project.data import load_embedded
rows = load_embedded("breast_cancer", "diagnosis").sample(40, random_state=0)
rows.iloc[:20].to_csv("data/incoming/2026-11-01.csv", index=False)
rows.iloc[20:].drop(columns="diagnosis").to_csv("data/incoming/2026-11-02.csv", index=False)
"""


def add_batches(project: Project) -> None:
    """Two tracked batches in data/incoming/, and the labelled one absorbed into data/labelled/."""
    project.make("params")  # absorb reads the target from params.yaml
    run(str(project.venv / "bin/python"), "-c", BATCHES, cwd=project.path)
    project.dvc("add", "--quiet", "data/incoming/2026-11-01.csv", "data/incoming/2026-11-02.csv")
    project.make("absorb")


@pytest.fixture(scope="module")
def trained(cookies_session, shared_venv) -> Project:
    """A default bake with tracked batches, one absorbed: set up, reproduced, committed, pushed, released."""
    project = trained_bake(cookies_session, shared_venv, before_repro=add_batches)
    project.cli("ci", "push")
    project.make("release", "VERSION=0.1.0")
    return project


def test_verify_passes_in_a_fresh_clone_with_no_stage_run(trained: Project) -> None:
    verdict = trained.make("verify").stdout
    # The batches' own .dvc files are pulled too: verify fails if the remote lacks one.
    checks = "0 stages ran; every tracked file pulled; dvc status clean;"
    assert f"reproduces from git and the DVC remote: {checks}" in verdict
    assert "reports/metrics.json byte-identical; models/model.skops md5 matches dvc.lock" in verdict


def test_a_retrain_fails_verify_until_pushed_and_leaves_the_released_bundle_alone(trained: Project) -> None:
    """A later commit retrains without `dvc push`: verify says so; v0.1.0 still bundles its own model."""
    config = trained.path / "conf/model/logistic_regression.yaml"
    config.write_text(config.read_text().replace("C: 1.0", "C: 0.3"))
    trained.make("repro")
    run("git", "commit", "--quiet", "--no-verify", "--all", "-m", "Retrain, forget dvc push", cwd=trained.path)
    try:
        failed = trained.make("verify", check=False)
        assert failed.returncode != 0
        # train reruns, and evaluate: its figures (a DVC output) were not pushed either.
        assert "error: stages ran instead of being restored: train, evaluate." in failed.stderr
        assert "dvc push --run-cache" in failed.stderr

        assert_bundles_its_tagged_model(trained, "0.1.0")
    finally:
        run("git", "reset", "--quiet", "--hard", "HEAD~1", cwd=trained.path)
        trained.dvc("checkout", "--force")


def test_deleted_cache_and_outputs_come_back_without_training(trained: Project) -> None:
    shutil.rmtree(trained.path / ".dvc/cache")
    for output in cached_outputs(trained.path):
        path = trained.path / output
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    restored = trained.dvc("repro", "--pull")
    assert "Running stage" not in restored.stdout + restored.stderr
    for output, expected in cached_outputs(trained.path).items():
        assert md5(trained.path / output) == expected, output
    # The pipeline's stages only: `repro --pull` fetches what they read and write, not the
    # batches waiting in data/incoming/ (`make verify` pulls those too).
    assert trained.dvc("status", "--json", "dvc.yaml").stdout.strip() == "{}"


def test_forced_reruns_are_bit_for_bit_identical(trained: Project) -> None:
    """Seeds flow from conf/ into the split and the estimator: two forced runs agree exactly.

    The default model here, through DVC; every model of conf/model/ in the project's own
    tests (tests/test_determinism.py, run by ci.yml's test job under act).
    """
    model_file, metrics = trained.path / "models/model.skops", trained.path / "reports/metrics.json"
    prepared = sorted(path for path in cached_outputs(trained.path) if path.startswith("data/"))
    stages = ["prepare", "train", "evaluate"]
    fingerprints = []
    try:
        for _ in range(2):
            forced = trained.dvc("repro", "--force", "--single-item", *stages)
            assert re.findall(r"Running stage '(\w+)'", forced.stdout) == stages
            data = [md5(trained.path / path) for path in prepared]
            fingerprints.append((md5(model_file), metrics.read_bytes(), data))
        assert fingerprints[0] == fingerprints[1], f"{trained.default_model()} is not deterministic"
    finally:
        trained.restore()
