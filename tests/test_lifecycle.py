"""After training: release, publish, deploy, predict, monitor and retrain, on one baked repository.

The tests run in order, as a team would work: a model is trained and pushed,
`make release` refuses bad versions, dirty trees and failed gates and then
tags a version; pushing the tag starts publish.yml (played under act, see
tests/act.py), which bundles it and creates the Release through the fake `gh`;
the bundle is checked against its manifest and serves predictions from a fresh
directory; `make promote` assigns prod and publish.yml's deploy job verifies
it; a shifted batch makes the monitor (and monitor.yml) report drift, once;
and retrain.yml retrains on a labelled batch and proposes it in one pull
request. Last, `gto deprecate` unassigns and deregisters, and `<name> ci ref`
and publish.yml's own check steps name those tags by GTO's event types and
refuse them. The DVC remote is an absolute path, which the runner reaches, as
it would a cloud remote with its secrets.

The bake uses the csv dataset: its sample has a text column, so category
drift is exercised as well as numeric drift.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import images
import pandas as pd
import pytest
import yaml
from act import GitHub, Play
from baked import Project, bake_project, cached_outputs
from images import PODMAN_ENV, Registry, free_port, podman, ready

from conftest import run

pytestmark = pytest.mark.e2e

ARTIFACT = "my-ml-project"
TAG = f"{ARTIFACT}@v0.1.0"
BUNDLE = f"{ARTIFACT}-v0.1.0.tar.gz"
IMAGE = f"octo-lab/{ARTIFACT}"  # the repository's image: <registry>/<owner>/<name>
RELEASES = [{"tag": TAG, "files": sorted([BUNDLE, "MODEL_CARD.md", "image.txt"])}]  # the image's name@digest


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """The container registry publish.yml pushes the server's image to (its IMAGE_REGISTRY)."""
    registry = Registry(tmp_path_factory.mktemp("registry"))
    yield registry
    registry.stop()


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory, runner_python: Path, registry: Registry) -> GitHub:
    github = GitHub(tmp_path_factory.mktemp("github"), runner_python)
    # The repository's variables: the image goes to the local registry, built on a local base.
    base = images.local_base(tmp_path_factory.mktemp("base"), registry.env)  # in the registry users' store
    github.variables.update(IMAGE_REGISTRY=registry.host, BASE_IMAGE=base)
    github.env.update(PODMAN_ENV | registry.env)  # the runner's podman, with this registry's settings
    return github


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv, github: GitHub, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The csv bake, trained, committed and pushed to the origin and the DVC remote."""
    remote = tmp_path_factory.mktemp("dvc-remote")
    project = bake_project(cookies_session, shared_venv, dataset="csv", dvc_remote_url=str(remote))
    project.make("setup", "repro")
    commit(project, "Train the baseline")
    github.add_remote(project.path)
    run("git", "push", "--quiet", "origin", "main", cwd=project.path)
    project.cli("ci", "push")
    return project


def commit(project: Project, message: str) -> None:
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "-m", message, cwd=project.path)


def tags(project: Project) -> list[str]:
    return run("git", "tag", cwd=project.path).stdout.split()


def push(project: Project, *refs: str) -> None:
    run("git", "push", "--quiet", "origin", *refs, cwd=project.path)


def play(github: GitHub, project: Project, workflow: str, event: str, **options) -> Play:
    """Play a workflow under act; each job sets itself up from uv.lock, as on GitHub."""
    return github.play(workflow, event, **options)


# --- make release ------------------------------------------------------------------


def test_release_refuses_a_bad_version(project: Project) -> None:
    for bad in ("1.2", "v1.2.0-rc1", "latest"):
        result = project.make("release", f"VERSION={bad}", check=False)
        assert result.returncode != 0
        assert f"'{bad}' is not a version: use MAJOR.MINOR.PATCH" in result.stderr
    assert tags(project) == []


def test_release_refuses_a_dirty_tree(project: Project) -> None:
    readme = project.path / "README.md"
    readme.write_text(readme.read_text() + "\nan uncommitted line\n")
    result = project.make("release", "VERSION=0.1.0", check=False)
    project.restore()
    assert result.returncode != 0
    assert "uncommitted changes" in result.stderr
    assert tags(project) == []


def test_release_refuses_a_model_that_fails_the_gate(project: Project) -> None:
    config = project.path / "conf/config.yaml"  # an absolute bound, opt-in beside the baseline margin
    config.write_text(config.read_text().replace("baseline_margin: 0.1", "baseline_margin: 0.1\n  accuracy: 0.99"))
    project.make("params")
    commit(project, "Raise the bar")
    result = project.make("release", "VERSION=0.1.0", check=False)
    run("git", "reset", "--quiet", "--hard", "HEAD~1", cwd=project.path)
    assert result.returncode != 0
    assert "quality gate: accuracy = " in result.stderr and "below the minimum 0.99" in result.stderr
    assert tags(project) == []


def test_release_tags_an_annotated_version(project: Project) -> None:
    result = project.make("release", "VERSION=0.1.0")
    assert f"Registered {TAG}" in result.stdout
    assert tags(project) == [TAG]
    assert run("git", "cat-file", "-t", TAG, cwd=project.path).stdout.strip() == "tag", "GTO needs annotated tags"
    push(project, TAG)


# --- publish.yml: the bundle --------------------------------------------------------


@pytest.fixture(scope="module")
def published(project: Project, github: GitHub) -> Path:
    """The bundle publish.yml attaches to the Release when the version tag is pushed."""
    played = play(github, project, "publish.yml", "push", ref=f"refs/tags/{TAG}")
    assert played.results() == {"publish": "success", "stage": "skipped", "deploy": "skipped"}, played
    publish = played.job("publish")
    assert publish.outputs["tag"]["event"] == "registration", "GTO read the re-fetched, annotated tag"
    assert "gate: passed" in publish.output
    assert github.state()["releases"] == RELEASES
    return github.api_dir / "releases" / TAG / BUNDLE


def test_publish_pushes_the_versions_image_and_attests_its_digest(
    github: GitHub, registry: Registry, published: Path
) -> None:
    assert registry.tags(IMAGE) == ["0.1.0"]
    pinned = (published.parent / "image.txt").read_text().strip()
    assert pinned == f"{registry.host}/{IMAGE}@{registry.digest(IMAGE, '0.1.0')}", "the digest the registry serves"
    attested = (github.api_dir / "attestations.txt").read_text().split()
    assert pinned.partition("@")[2] in attested, "the image's digest was attested, as the bundle's"


@pytest.mark.parametrize(
    ("tag", "starts"),
    [
        ("not-a-version", False),  # matches no tag filter
        (f"{ARTIFACT}@v0.1.0!", False),  # GTO's deregistration: excluded by the filters
        (f"{ARTIFACT}#prod!#9", False),  # GTO's unassignment: excluded too
        ("notes@vacation", True),  # matches `*@v*`, but registers no version
    ],
)
def test_publish_starts_only_for_registry_tags(project: Project, github: GitHub, tag: str, starts: bool) -> None:
    run("git", "tag", "--annotate", "--message", "not a release", tag, cwd=project.path)
    push(project, f"refs/tags/{tag}")
    try:
        played = play(github, project, "publish.yml", "push", ref=f"refs/tags/{tag}")
        # Each guard on its own: were the filters to let GTO's deprecations through, every job skips them.
        forced = play(github, project, "publish.yml", "push", ref=f"refs/tags/{tag}", ignore_filters=True)
    finally:  # leave the registry as it was for the tests after this one
        push(project, "--delete", f"refs/tags/{tag}")
        run("git", "tag", "--delete", tag, cwd=project.path)
    assert played.started is starts
    if "!" in tag:
        assert forced.results() == dict.fromkeys(["publish", "stage", "deploy"], "skipped"), forced
    if starts:
        publish = played.job("publish")
        assert publish.result == "failure" and publish.step("Check that the tag registers a version") == "failure"
        assert publish.step("Build the bundle") == "skipped", "nothing runs after the failure"
        assert played.job("deploy").result == "skipped"


def test_bundle_manifest_matches_its_files(project: Project, published: Path) -> None:
    with tarfile.open(published) as archive:
        contents = {member.name: archive.extractfile(member).read() for member in archive.getmembers()}
    assert set(contents) == {"model.skops", "manifest.json", "MODEL_CARD.md"}
    manifest = json.loads(contents["manifest.json"])
    assert manifest["files"] == {
        name: hashlib.sha256(data).hexdigest() for name, data in contents.items() if name != "manifest.json"
    }
    assert manifest["version"] == "v0.1.0" and manifest["artifact"] == ARTIFACT
    tagged = run("git", "rev-parse", f"{TAG}^0", cwd=project.path).stdout.strip()
    assert manifest["git_commit"] == tagged
    lock = yaml.safe_load(run("git", "show", f"{TAG}:dvc.lock", cwd=project.path).stdout)
    model_md5 = next(out["md5"] for out in lock["stages"]["train"]["outs"] if out["path"] == "models/model.skops")
    assert manifest["dvc_lock"]["models/model.skops"] == model_md5
    assert (
        manifest["dvc_lock"]["data/raw/data.csv"]
        == hashlib.md5((project.path / "data/raw/data.csv").read_bytes()).hexdigest()
    )
    assert hashlib.md5(contents["model.skops"]).hexdigest() == model_md5
    assert manifest["metrics"] == json.loads((project.path / "reports/metrics.json").read_text())
    assert manifest["params"] == yaml.safe_load((project.path / "params.yaml").read_text())
    assert {"python", "packages"} <= set(manifest["environment"])
    assert manifest["environment"]["packages"]["scikit-learn"]
    kinds = {feature["name"]: feature["kind"] for feature in manifest["features"]}
    assert kinds["clinic"] == "categorical" and kinds["mean_radius"] == "numeric" and "target" not in kinds
    card = contents["MODEL_CARD.md"].decode()
    front_matter = yaml.safe_load(card.split("---\n")[1])
    assert front_matter["library_name"] == "sklearn" and front_matter["license"] == "mit"
    scores = front_matter["model-index"][0]["results"][0]["metrics"]
    model_scores = {name for name in manifest["metrics"] if not name.startswith("baseline_")}
    assert {score["type"] for score in scores} == model_scores, "the trivial baseline's score is not the model's"
    for section in ("## Training data", "## Metrics", "## Intended use", "## Limits"):
        assert section in card
    baseline, balanced = manifest["metrics"]["baseline_accuracy"], manifest["metrics"]["baseline_balanced_accuracy"]
    assert (
        f"always predicting the most frequent class, scores accuracy {baseline:.4f}, balanced_accuracy {balanced:.4f}."
        in card
    )


# --- predict -------------------------------------------------------------------------


def new_rows(project: Project, count: int = 25) -> pd.DataFrame:
    return pd.read_parquet(project.path / "data/prepared/test.parquet").drop(columns="target").head(count)


def test_predict_from_the_bundle_in_a_fresh_directory(project: Project, published: Path, tmp_path: Path) -> None:
    shutil.copy(published, tmp_path)
    new_rows(project).to_csv(tmp_path / "new.csv", index=False)
    project.cli("predict", "--model", published.name, "--input", "new.csv", "--output", "out.csv", cwd=tmp_path)
    scored = pd.read_csv(tmp_path / "out.csv")
    assert len(scored) == 25
    assert list(scored.columns) == ["prediction", "probability_benign", "probability_malignant"]
    assert set(scored["prediction"]) <= {"benign", "malignant"}
    assert scored[["probability_benign", "probability_malignant"]].sum(axis=1).round(6).eq(1).all()


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("missing", "missing column mean_radius"),
        ("wrong type", "column mean_area must be numeric, but row 2 holds 'large'"),
    ],
)
def test_predict_refuses_a_csv_that_breaks_the_schema(
    project: Project, published: Path, tmp_path: Path, breakage: str, message: str
) -> None:
    rows = new_rows(project, 5)
    if breakage == "missing":
        rows = rows.drop(columns="mean_radius")
    elif breakage == "wrong type":
        rows["mean_area"] = rows["mean_area"].astype(object)
        rows.iloc[1, rows.columns.get_loc("mean_area")] = "large"
    csv = tmp_path / "new.csv"
    csv.write_text(rows.to_csv(index=False))
    result = project.cli(
        "predict",
        "--model",
        str(published),
        "--input",
        str(csv),
        "--output",
        "out.csv",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("out.csv*")), "no output, not even a partial one"


def test_predict_refuses_a_tampered_bundle(project: Project, published: Path, tmp_path: Path) -> None:
    tampered = tmp_path / published.name
    with tarfile.open(published) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "MODEL_CARD.md":
                data += b"\nedited\n"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    new_rows(project, 3).to_csv(tmp_path / "new.csv", index=False)
    result = project.cli(
        "predict",
        "--model",
        str(tampered),
        "--input",
        "new.csv",
        "--output",
        "out.csv",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2 and "does not match its sha256" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_predict_from_a_registry_version(project: Project, tmp_path: Path) -> None:
    new_rows(project, 10).to_csv(tmp_path / "new.csv", index=False)
    project.cli("predict", "--model", TAG, "--input", str(tmp_path / "new.csv"), "--output", str(tmp_path / "out.csv"))
    assert len(pd.read_csv(tmp_path / "out.csv")) == 10
    missing = project.cli(
        "predict",
        "--model",
        f"{ARTIFACT}@v9.9.9",
        "--input",
        str(tmp_path / "new.csv"),
        "--output",
        str(tmp_path / "x.csv"),
        check=False,
    )
    assert missing.returncode == 2 and "no such version in the registry" in missing.stderr


# --- make promote and the deploy job --------------------------------------------------


def test_promote_to_prod_deploys_the_verified_bundle(project: Project, github: GitHub, published: Path) -> None:
    refused = project.make("promote", "VERSION=0.1.0", "STAGE=qa", check=False)
    assert refused.returncode != 0 and "Allowed stages are" in refused.stderr
    assert "Deploy it: git push origin" in project.make("promote", "VERSION=0.1.0", "STAGE=prod").stdout
    stage_tag = f"{ARTIFACT}#prod#1"
    assert stage_tag in tags(project)
    # DVC finds the model by stage through the `artifacts:` section of dvc.yaml and GTO's tags.
    fetched = project.path.parent / "prod-model.skops"
    project.dvc("artifacts", "get", str(project.path), ARTIFACT, "--stage", "prod", "-o", str(fetched))
    assert hashlib.md5(fetched.read_bytes()).hexdigest() == cached_outputs(project.path)["models/model.skops"]
    push(project, stage_tag)

    played = play(github, project, "publish.yml", "push", ref=f"refs/tags/{stage_tag}")
    assert played.results() == {"publish": "skipped", "stage": "success", "deploy": "success"}, played
    assert played.job("stage").outputs["parse"]["stage"] == "prod"
    deploy = played.job("deploy")
    assert deploy.step("Download the released bundle") == "success", "from the Release, through gh"
    assert deploy.step("Verify the bundle's attestation") == "success", "publish attested it"
    assert deploy.step("Check the bundle was built from the version's tagged commit") == "success"
    assert f"Deployed {ARTIFACT} v0.1.0 to prod" in deploy.summary
    assert "attestation, commit and checksums verified" in deploy.summary
    assert deploy.step("Tag the version's image with the stage") == "success"
    assert f"Image `{github.variables['IMAGE_REGISTRY']}/{IMAGE}:prod`" in deploy.summary


def test_the_prod_image_pulled_by_digest_serves_the_version(
    project: Project, registry: Registry, published: Path, tmp_path: Path
) -> None:
    """What a cluster runs: prod's tag names the attested digest, and that image answers predict's answers."""
    pinned = (published.parent / "image.txt").read_text().strip()
    assert registry.tags(IMAGE) == ["0.1.0", "prod"]
    assert registry.digest(IMAGE, "prod") == pinned.partition("@")[2]
    registry.login()
    podman("pull", "--quiet", pinned, env=registry.env)
    port = free_port()
    container = podman(
        "run", "--detach", "--publish", f"127.0.0.1:{port}:8080", pinned, env=registry.env
    ).stdout.strip()
    try:
        url = f"http://127.0.0.1:{port}"
        assert ready(url), podman("logs", container, env=registry.env, check=False).stderr
        rows = new_rows(project)
        rows.to_csv(tmp_path / "new.csv", index=False)
        project.cli(
            "predict", "--model", TAG, "--input", str(tmp_path / "new.csv"), "--output", str(tmp_path / "out.csv")
        )
        answer = httpx.post(f"{url}/predict", json={"rows": json.loads(rows.to_json(orient="records"))})
        assert answer.status_code == 200, answer.text
        assert answer.json()["model_version"] == "v0.1.0"
        assert answer.json()["predictions"] == pd.read_csv(tmp_path / "out.csv")["prediction"].tolist()
    finally:
        podman("rm", "--force", container, env=registry.env, check=False)
        podman("rmi", "--force", pinned, env=registry.env, check=False)


def test_deploy_tags_no_image_publish_did_not_attest(
    project: Project, github: GitHub, registry: Registry, published: Path
) -> None:
    """image.txt swapped on the Release for another image in the same repository: refused, prod unchanged."""
    prod = registry.digest(IMAGE, "prod")
    other = f"{registry.host}/{IMAGE}:other"
    podman("tag", github.variables["BASE_IMAGE"], other, env=registry.env)
    registry.login()
    podman("push", "--quiet", other, env=registry.env)
    pinned_file = published.parent / "image.txt"
    original = pinned_file.read_text()
    pinned_file.write_text(f"{registry.host}/{IMAGE}@{registry.digest(IMAGE, 'other')}\n")
    try:
        played = play(github, project, "publish.yml", "push", ref=f"refs/tags/{ARTIFACT}#prod#1")
    finally:
        pinned_file.write_text(original)
        podman("rmi", "--force", other, env=registry.env, check=False)
    deploy = played.job("deploy")
    assert deploy.result == "failure" and deploy.step("Tag the version's image with the stage") == "failure", played
    assert "no attestations found" in deploy.output
    assert registry.digest(IMAGE, "prod") == prod, "prod still names the attested image"


def test_deploy_refuses_a_release_asset_publish_did_not_attest(project: Project, github: GitHub) -> None:
    """A bundle swapped on the Release (here one byte of its model card) fails before anything reads it."""
    asset = github.api_dir / "releases" / TAG / BUNDLE
    original = asset.read_bytes()
    with tarfile.open(fileobj=io.BytesIO(original)) as source, tarfile.open(asset, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "MODEL_CARD.md":
                data, member.size = data + b"\n", len(data) + 1
            target.addfile(member, io.BytesIO(data))
    try:
        played = play(github, project, "publish.yml", "push", ref=f"refs/tags/{ARTIFACT}#prod#1")
    finally:
        asset.write_bytes(original)
    deploy = played.job("deploy")
    assert deploy.result == "failure" and deploy.step("Verify the bundle's attestation") == "failure", played
    assert deploy.step("Verify the bundle and record the deployment") == "skipped", "nothing read it"
    assert "no attestations found" in deploy.output


# --- monitoring ----------------------------------------------------------------------


def shifted(frame: pd.DataFrame) -> pd.DataFrame:
    """A batch from elsewhere: every size feature larger, and the clinics' names swapped."""
    batch = frame.copy()
    for column in ("mean_radius", "mean_perimeter", "mean_area", "mean_texture"):
        batch[column] = batch[column] * 1.6
    swap = {"east": "north", "north": "east", "south": "west", "west": "south"}
    batch["clinic"] = batch["clinic"].map(lambda clinic: swap.get(clinic, clinic))
    return batch


def monitor(project: Project, current: Path, *extra: str):
    return project.cli(
        "monitor",
        "--model",
        TAG,
        "--reference",
        "data/prepared/train.parquet",
        "--current",
        str(current),
        *extra,
        check=False,
    )


def test_monitor_finds_no_drift_in_held_out_data(project: Project) -> None:
    result = monitor(project, project.path / "data/prepared/test.parquet", "--labels")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((project.path / "reports/drift.json").read_text())
    assert report["drift"] is False
    assert (project.path / "reports/drift.md").is_file()


def test_monitor_reports_categories_never_seen_in_training(project: Project, tmp_path: Path) -> None:
    # A quarter of the rows from a clinic that sent no training rows (and none with a gap there).
    batch = new_rows(project, 40).assign(clinic=["harbour"] * 10 + ["east"] * 30)
    batch.to_csv(tmp_path / "batch.csv", index=False)
    result = monitor(project, tmp_path / "batch.csv")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "clinic" in json.loads((project.path / "reports/drift.json").read_text())["drifted_features"]
    reason = "clinic: 25% of its values are categories never seen in training (harbour)"
    assert reason in result.stdout and reason in (project.path / "reports/drift.md").read_text()


def add_batch(project: Project, frame: pd.DataFrame, name: str) -> None:
    """A batch lands as the README says: dvc add, commit, push data and git."""
    frame.to_csv(project.path / "data/incoming" / name, index=False)
    project.dvc("add", "--quiet", f"data/incoming/{name}")
    commit(project, f"Add the batch {name}")
    project.dvc("push", "--quiet")
    push(project, "main")


def test_monitor_workflow_reports_drift_once(project: Project, github: GitHub) -> None:
    add_batch(project, shifted(new_rows(project, 60)), "2026-11-01.csv")
    daily = {"variables": {"RETRAIN_ON_DRIFT": "true"}}  # the schedule checks the model in prod
    played = play(github, project, "monitor.yml", "schedule", **daily)
    monitor_job = played.job("monitor")
    assert monitor_job.result == "success", monitor_job
    assert monitor_job.outputs["drift"] == {"batch": "data/incoming/2026-11-01.csv", "drift": "true"}
    assert "clinic" in monitor_job.summary, "the drift report is in the job summary"
    (artifact,) = github.artifacts.glob("*/drift-report")
    report = json.loads((artifact / "drift.json").read_text())
    assert report["drift"] is True
    assert {"mean_radius", "mean_area", "clinic"} <= set(report["drifted_features"]), "numbers scaled, names swapped"
    (issue,) = github.state()["issues"]
    assert issue["labels"] == ["drift"] and issue["body"] == (artifact / "drift.md").read_text()
    assert github.state()["dispatches"] == [
        {"workflow": "retrain.yml", "ref": "main", "inputs": {"reason": "drift in data/incoming/2026-11-01.csv"}}
    ]

    # The next day, the same drift: no new comment, no second retrain.
    again = play(github, project, "monitor.yml", "schedule", **daily).job("monitor")
    assert again.result == "success", again
    assert again.step("Start retraining") == "skipped"
    state = github.state()
    assert len(state["issues"]) == 1 and state["comments"] == [] and len(state["dispatches"]) == 1


# --- values from outside: refused by name, never run --------------------------------------
#
# A batch's file name, a dispatch input and a tag name come from whoever can push or dispatch.
# Each payload below, run by a shell, would create a file named X, Y or M where it ran.

EVIL_BATCH = "z$(id>X)x`id>Y`.csv"


def no_payload_ran(*roots: Path) -> None:
    ran = [path for root in roots for name in ("X", "Y", "M") for path in root.rglob(name)]
    assert ran == [], f"a value ran as code: {ran}"


def test_a_batch_named_with_shell_syntax_is_refused_by_name_and_never_run(project: Project, github: GitHub) -> None:
    """Committed to data/incoming/ (a merged pull request can do that): `make monitor` and the
    scheduled monitor run both refuse it in one line naming it, and start nothing."""
    add_batch(project, new_rows(project, 30), EVIL_BATCH)
    before = github.state()
    try:
        local = project.make("monitor", check=False)
        assert local.returncode == 2, local.stdout + local.stderr
        assert f"error: refused the batch 'data/incoming/{EVIL_BATCH}': rename it" in local.stderr
        played = play(github, project, "monitor.yml", "schedule", variables={"RETRAIN_ON_DRIFT": "true"})
        job = played.job("monitor")
        assert job.result == "failure" and job.step("Check the newest batch for drift") == "failure", job
        assert f"refused the batch 'data/incoming/{EVIL_BATCH}'" in job.output
        assert job.step("Open or update the drift issue") == "skipped"
        assert github.state()["dispatches"] == before["dispatches"] and github.state()["issues"] == before["issues"]
        no_payload_ran(project.path, github.root)
    finally:
        project.dvc("remove", f"data/incoming/{EVIL_BATCH}.dvc")
        (project.path / "data/incoming" / EVIL_BATCH).unlink()
        commit(project, "Remove the badly named batch")
        push(project, "main")


def test_monitor_inputs_with_shell_syntax_are_refused(project: Project, github: GitHub) -> None:
    inputs = {"batch": "a`touch M`$(touch M).csv", "model": f"{ARTIFACT}#prod$(touch M)"}
    played = play(github, project, "monitor.yml", "workflow_dispatch", inputs=inputs)
    job = played.job("monitor")
    assert job.result == "failure", job
    assert f"refused the batch 'data/incoming/{inputs['batch']}'" in job.output
    no_payload_ran(project.path, github.root)


def test_retrain_refuses_a_reason_with_shell_syntax_before_any_work(project: Project, github: GitHub) -> None:
    reason = "x $(touch M) `touch M` $$(touch M) '; touch M; ' \"; touch M; \""
    secrets = {"RETRAIN_TOKEN": "github_pat_stand_in"}
    played = play(github, project, "retrain.yml", "workflow_dispatch", inputs={"reason": reason}, secrets=secrets)
    retrain = played.job("retrain")
    assert retrain.result == "failure" and retrain.step("Check the reason") == "failure", retrain
    assert "refused reason" in retrain.output
    assert retrain.step("Reproduce on the newest data") == "skipped"
    assert github.state()["pulls"] == {}
    no_payload_ran(project.path, github.root)


def test_publish_refuses_a_tag_with_shell_syntax(project: Project, github: GitHub) -> None:
    """git accepts backticks and braces in a tag name; publish.yml's filters let `*@v*` through."""
    tag = f"{ARTIFACT}@v9`touch${{IFS}}M`.0.0"
    run("git", "tag", "-a", tag, "-m", "a tag that is a command", cwd=project.path)
    try:
        push(project, tag)
        played = play(github, project, "publish.yml", "push", ref=f"refs/tags/{tag}")
        publish = played.job("publish")
        assert publish.result == "failure", publish
        assert publish.step("Check that the tag registers a version") == "failure"
        assert f"refused tag {tag!r}" in publish.output
        assert github.state()["releases"] == RELEASES
        no_payload_ran(project.path, github.root)
    finally:
        run("git", "push", "--quiet", "--delete", "origin", tag, cwd=project.path)
        run("git", "tag", "--delete", tag, cwd=project.path)


# --- retraining -----------------------------------------------------------------------


def test_retrain_without_its_token_stops_first_and_says_which_secret(project: Project, github: GitHub) -> None:
    played = play(github, project, "retrain.yml", "workflow_dispatch", inputs={"reason": "by hand"})
    retrain = played.job("retrain")
    assert retrain.result == "failure"
    assert retrain.step("Check for the token that opens the pull request") == "failure"
    assert "RETRAIN_TOKEN" in retrain.output and "starts no workflow" in retrain.output
    assert retrain.step("Reproduce on the newest data") == "skipped", "no training for a PR nobody could review"


def test_retrain_workflow_proposes_one_pull_request(project: Project, github: GitHub) -> None:
    labelled = pd.read_parquet(project.path / "data/prepared/test.parquet")
    add_batch(project, labelled.head(40), "2026-11-02.csv")
    secrets = {"RETRAIN_TOKEN": "github_pat_stand_in"}
    played = play(github, project, "retrain.yml", "workflow_dispatch", inputs={"reason": "drift"}, secrets=secrets)
    retrain = played.job("retrain")
    assert retrain.result == "success", retrain
    assert "absorb: 1 labelled batches joined the training data (2026-11-02.csv)" in retrain.output, (
        "the unlabelled batch of 2026-11-01 stays out"
    )
    assert "Running stage 'prepare'" in retrain.output and "Running stage 'train'" in retrain.output
    changed = run("git", "diff", "--name-only", "main", "retrain/model", cwd=github.origin).stdout.split()
    assert {"dvc.lock", "data/labelled/2026-11-02.csv.dvc", "reports/metrics.json"} <= set(changed)
    (pull,) = github.state()["pulls"].values()
    assert pull["head"]["ref"] == "retrain/model" and pull["title"] == "Retrain: drift"
    assert "Retrained by the retrain workflow: drift." in pull["body"]
    assert f"actions/runs/{played.run_id})" in pull["body"], "the body links the run whose artifact has the plots"
    assert list((github.artifacts / str(played.run_id) / "pr-report" / "plots").glob("*.png"))

    # Another labelled batch, another retrain: the same branch and pull request, updated.
    add_batch(project, labelled.iloc[40:80], "2026-11-03.csv")
    again = play(github, project, "retrain.yml", "workflow_dispatch", inputs={"reason": "more data"}, secrets=secrets)
    assert again.job("retrain").result == "success", again
    (pull,) = github.state()["pulls"].values()
    assert pull["title"] == "Retrain: more data"
    changed = run("git", "diff", "--name-only", "main", "retrain/model", cwd=github.origin).stdout.split()
    assert "data/labelled/2026-11-03.csv.dvc" in changed


# --- GTO's deprecations: undoing tags that CI must neither publish nor deploy ---------------

UNASSIGNED = f"{ARTIFACT}#prod!#2"
DEREGISTERED = f"{TAG}!"
CHECK_REF = {
    TAG: {"event": "registration", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "", "ci": "publish"},
    f"{ARTIFACT}#prod#1": {
        "event": "assignment", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "prod", "ci": "deploy"
    },
    UNASSIGNED: {"event": "unassignment", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "prod", "ci": "none"},
    DEREGISTERED: {"event": "deregistration", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "", "ci": "none"},
}  # fmt: skip


@pytest.fixture(scope="module")
def deprecated(project: Project) -> Project:
    """`gto deprecate` unassigns prod (`<name>#prod!#2`), then deregisters v0.1.0 (`<name>@v0.1.0!`)."""
    gto = str(project.venv / "bin" / "gto")
    run(gto, "deprecate", ARTIFACT, "v0.1.0", "prod", cwd=project.path, env=project.env)
    run(gto, "deprecate", ARTIFACT, "v0.1.0", cwd=project.path, env=project.env)
    return project


def test_gto_deprecate_writes_annotated_tags_ending_in_bang(deprecated: Project) -> None:
    assert set(tags(deprecated)) == set(CHECK_REF)
    for tag in CHECK_REF:
        assert run("git", "cat-file", "-t", tag, cwd=deprecated.path).stdout.strip() == "tag", f"{tag} is annotated"


@pytest.mark.parametrize("tag", list(CHECK_REF))
def test_check_ref_names_gtos_event(deprecated: Project, tag: str) -> None:
    output = deprecated.cli("ci", "ref", tag).stdout
    assert dict(line.split("=", 1) for line in output.splitlines()) == CHECK_REF[tag]


def test_check_ref_says_ci_ignores_undoing_tags(deprecated: Project) -> None:
    result = deprecated.cli("ci", "ref", UNASSIGNED)
    assert f"{UNASSIGNED} is a unassignment: publish.yml neither publishes nor deploys it" in result.stderr


# Tag names that git accepts and the tag filters let through, each a command if a shell re-read it.
EVIL_TAGS = [
    f"{ARTIFACT}@v1`touch${{IFS}}M`.0.0",
    f"{ARTIFACT}#prod`touch${{IFS}}M`#1",
    f"{ARTIFACT}#a$(touch${{IFS}}M)#2",
]


def test_the_stage_job_reads_only_an_allowed_stage(deprecated: Project, tmp_path: Path) -> None:
    """publish.yml's stage job runs no project code: its own check, in GitHub's shell, for each tag."""
    workflow = yaml.safe_load((deprecated.path / ".github/workflows/publish.yml").read_text())
    (script,) = [s["run"] for s in workflow["jobs"]["stage"]["steps"] if s.get("name") == "Read the stage from the tag"]
    for tag, stage in [(f"{ARTIFACT}#prod#1", "prod"), *((tag, None) for tag in EVIL_TAGS)]:
        output = tmp_path / "output"
        output.write_text("")
        result = run(
            "bash", "-e", "-c", script, cwd=tmp_path, env={"REF": tag, "GITHUB_OUTPUT": str(output)}, check=False
        )
        assert (result.returncode == 0) == (stage is not None), f"{tag}: {result.stdout}{result.stderr}"
        assert output.read_text() == (f"stage={stage}\n" if stage else "")
    no_payload_ran(tmp_path)


@pytest.mark.parametrize(
    ("job", "step", "accepted"),
    [
        ("publish", "Check that the tag registers a version", TAG),
        ("deploy", "Check that the tag assigns a stage", f"{ARTIFACT}#prod#1"),
    ],
)
def test_check_ref_steps_refuse_every_other_tag(deprecated: Project, tmp_path: Path, job, step, accepted) -> None:
    """The last guard, in the job itself: its `run:` script in GitHub's shell (`bash -e`), for each tag."""
    workflow = yaml.safe_load((deprecated.path / ".github/workflows/publish.yml").read_text())
    script = next(s["run"] for s in workflow["jobs"][job]["steps"] if s.get("name") == step)
    for tag in [*CHECK_REF, *EVIL_TAGS]:
        env = {**deprecated.env, "VENV": str(deprecated.venv), "REF": tag, "RUNNER_TEMP": str(tmp_path)}
        result = run("bash", "-e", "-c", script, cwd=deprecated.path, check=False,
                     env=env | {"GITHUB_OUTPUT": str(tmp_path / "output")})  # fmt: skip
        assert (result.returncode == 0) == (tag == accepted), f"{job} on {tag}: {result.stdout}{result.stderr}"
