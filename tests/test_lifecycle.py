"""After training: release, publish, deploy, predict, monitor and retrain, on one baked repository.

The tests run in order, as a team would work: a model is trained and pushed,
`make release` refuses bad versions, dirty trees and failed gates and then
tags a version; publish.yml's `run:` steps bundle it; the bundle is checked
against its manifest and serves predictions from a fresh directory;
`make promote` assigns prod and publish.yml's deploy job verifies it; a
shifted batch makes the monitor (and monitor.yml) report drift; and
retrain.yml retrains on a labelled batch and pushes a branch for review.

The bake uses the csv dataset: its sample has a text column, so category
drift is exercised as well as numeric drift.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from baked import Project, cached_outputs
from workflow_runner import JobRun, Runner, load_workflow

from conftest import run

pytestmark = pytest.mark.e2e

ARTIFACT = "my-ml-project"
TAG = f"{ARTIFACT}@v0.1.0"
# Steps that call GitHub's API, by workflow and job: listed, never run here.
GITHUB_API_STEPS = {
    ("publish.yml", "publish"): {"Create the GitHub Release"},
    ("publish.yml", "deploy"): {"Download the released bundle"},
    ("monitor.yml", "monitor"): {"Open or update the drift issue", "Start retraining"},
    ("retrain.yml", "retrain"): {"Open the pull request"},
}


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv) -> Project:
    """The csv bake, trained, committed and pushed to a bare origin and the local DVC remote."""
    result = cookies_session.bake(extra_context={"dataset": "csv"})
    assert result.exception is None, result.exception
    project = Project(Path(result.project_path), result.context, shared_venv)
    project.make("setup", "repro")
    commit(project, "Train the baseline")
    origin = project.path.parent / "origin.git"
    run("git", "init", "--quiet", "--bare", str(origin), cwd=project.path)
    run("git", "remote", "add", "origin", str(origin), cwd=project.path)
    run("git", "push", "--quiet", "origin", "main", cwd=project.path)
    project.make("ci-push")
    project.origin = origin
    return project


def commit(project: Project, message: str) -> None:
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "-m", message, cwd=project.path)


def tags(project: Project) -> list[str]:
    return run("git", "tag", cwd=project.path).stdout.split()


def cli(project: Project, *args: str, cwd: Path | None = None, check: bool = True):
    """The generated console command, `my-ml-project ...`."""
    return run(str(project.venv / "bin" / ARTIFACT), *args, cwd=cwd or project.path, check=check)


def job_failure(job_run: JobRun) -> str:
    return "\n".join(f"{step.name}: {step.status}\n{step.output}" for step in job_run.steps)


def checkout(project: Project, name: str, ref: str) -> Path:
    """What actions/checkout (fetch-depth 0) leaves for a push of ref: a clone with the
    triggering tag turned lightweight, which GTO ignores, so the workflow must re-fetch it.
    It sits beside the project, so the local DVC remote resolves as on a self-hosted runner."""
    workdir = project.path.parent / name
    run("git", "clone", "--quiet", str(project.origin), str(workdir), cwd=project.path.parent)
    run("git", "checkout", "--quiet", ref, cwd=workdir)
    if ref in tags(project):
        commit_sha = run("git", "rev-parse", f"{ref}^0", cwd=workdir).stdout.strip()
        run("git", "tag", "--force", ref, commit_sha, cwd=workdir)
        assert run("git", "cat-file", "-t", ref, cwd=workdir).stdout.strip() == "commit"
    return workdir


def play(project: Project, workflow: str, job: str, workdir: Path, github: dict, **context) -> tuple[JobRun, Runner]:
    """Run one job's `run:` steps in order, skipping only its GitHub API steps."""
    runner = Runner(github, **context)
    definition = load_workflow(workdir / ".github/workflows" / workflow)["jobs"][job]
    skip = GITHUB_API_STEPS.get((workflow, job), set())
    env = {"VENV": str(project.venv), "GITHUB_REPOSITORY": f"octo-lab/{ARTIFACT}"}
    job_run = runner.run_job(definition, workdir, workdir.parent / f"{workdir.name}-runner", env, skip=skip)
    for name in skip:
        assert job_run.step(name).status == "not run", f"{workflow}: API step {name!r} is missing"
    return job_run, runner


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
    config = project.path / "conf/config.yaml"
    config.write_text(config.read_text().replace("accuracy: 0.85", "accuracy: 0.99"))
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
    run("git", "push", "--quiet", "origin", TAG, cwd=project.path)


# --- publish.yml: the bundle --------------------------------------------------------


@pytest.fixture(scope="module")
def published(project: Project) -> Path:
    """The bundle publish.yml builds when the version tag is pushed."""
    workdir = checkout(project, "runner-publish", TAG)
    github = {"event_name": "push", "ref": f"refs/tags/{TAG}", "ref_name": TAG, "token": "unused"}
    job_run, _ = play(project, "publish.yml", "publish", workdir, github)
    assert job_run.succeeded, job_failure(job_run)
    assert run("git", "cat-file", "-t", TAG, cwd=workdir).stdout.strip() == "tag", "the re-fetch restores it"
    assert "gate: passed" in job_run.step("Re-check the quality gate").output
    bundle = workdir / f"dist/{ARTIFACT}-v0.1.0.tar.gz"
    assert bundle.is_file() and (workdir / "dist/MODEL_CARD.md").is_file()
    return bundle


def test_publish_refuses_a_tag_that_is_not_a_registry_version(project: Project) -> None:
    workdir = checkout(project, "runner-publish-bad", "main")
    run("git", "tag", "not-a-version", cwd=workdir)
    github = {"event_name": "push", "ref": "refs/tags/not-a-version", "ref_name": "not-a-version"}
    runner = Runner(github)
    definition = load_workflow(workdir / ".github/workflows/publish.yml")["jobs"]["publish"]
    steps = [step for step in definition["steps"] if step.get("name") != "Re-fetch the tags as annotated tags"]
    job_run = runner.run_job(
        {**definition, "steps": steps}, workdir, workdir.parent / "bad-runner", {"VENV": str(project.venv)}
    )
    failed = job_run.step("Check that the tag registers a version")
    assert failed.status == "failure" and "is not a registry tag" in failed.output
    assert "Build the bundle" not in [step.name for step in job_run.steps], "nothing runs after the failure"


def test_bundle_manifest_matches_its_files(project: Project, published: Path) -> None:
    with tarfile.open(published) as archive:
        contents = {member.name: archive.extractfile(member).read() for member in archive.getmembers()}
    assert set(contents) == {"model.joblib", "manifest.json", "MODEL_CARD.md"}
    manifest = json.loads(contents["manifest.json"])
    assert manifest["files"] == {
        name: hashlib.sha256(data).hexdigest() for name, data in contents.items() if name != "manifest.json"
    }
    assert manifest["version"] == "v0.1.0" and manifest["artifact"] == ARTIFACT
    tagged = run("git", "rev-parse", f"{TAG}^0", cwd=project.path).stdout.strip()
    assert manifest["git_commit"] == tagged
    lock = yaml.safe_load(run("git", "show", f"{TAG}:dvc.lock", cwd=project.path).stdout)
    model_md5 = next(out["md5"] for out in lock["stages"]["train"]["outs"] if out["path"] == "models/model.joblib")
    assert manifest["dvc_lock"]["models/model.joblib"] == model_md5
    assert (
        manifest["dvc_lock"]["data/raw/data.csv"]
        == hashlib.md5((project.path / "data/raw/data.csv").read_bytes()).hexdigest()
    )
    assert hashlib.md5(contents["model.joblib"]).hexdigest() == model_md5
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
    assert {score["type"] for score in scores} == set(manifest["metrics"])
    for section in ("## Training data", "## Metrics", "## Intended use", "## Limits"):
        assert section in card


# --- predict -------------------------------------------------------------------------


def new_rows(project: Project, count: int = 25) -> pd.DataFrame:
    return pd.read_parquet(project.path / "data/prepared/test.parquet").drop(columns="target").head(count)


def test_predict_from_the_bundle_in_a_fresh_directory(project: Project, published: Path, tmp_path: Path) -> None:
    shutil.copy(published, tmp_path)
    new_rows(project).to_csv(tmp_path / "new.csv", index=False)
    cli(project, "predict", "--model", published.name, "--input", "new.csv", "--output", "out.csv", cwd=tmp_path)
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
    result = cli(
        project,
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
    result = cli(
        project,
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
    cli(project, "predict", "--model", TAG, "--input", str(tmp_path / "new.csv"), "--output", str(tmp_path / "out.csv"))
    assert len(pd.read_csv(tmp_path / "out.csv")) == 10
    missing = cli(
        project,
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


def test_promote_to_prod_deploys_the_verified_bundle(project: Project, published: Path) -> None:
    refused = project.make("promote", "VERSION=0.1.0", "STAGE=qa", check=False)
    assert refused.returncode != 0 and "Allowed stages are" in refused.stderr
    assert "Deploy it: git push origin" in project.make("promote", "VERSION=0.1.0", "STAGE=prod").stdout
    stage_tag = f"{ARTIFACT}#prod#1"
    assert stage_tag in tags(project)
    # DVC finds the model by stage through the `artifacts:` section of dvc.yaml and GTO's tags.
    fetched = project.path.parent / "prod-model.joblib"
    project.dvc("artifacts", "get", str(project.path), ARTIFACT, "--stage", "prod", "-o", str(fetched))
    assert hashlib.md5(fetched.read_bytes()).hexdigest() == cached_outputs(project.path)["models/model.joblib"]
    run("git", "push", "--quiet", "origin", stage_tag, cwd=project.path)

    workdir = checkout(project, "runner-deploy", stage_tag)
    github = {"event_name": "push", "ref": f"refs/tags/{stage_tag}", "ref_name": stage_tag, "token": "unused"}
    stage_run, stage_runner = play(project, "publish.yml", "stage", workdir, github)
    assert stage_run.succeeded, job_failure(stage_run)
    stage = stage_runner.context["steps"]["parse"]["outputs"]["stage"]
    assert stage == "prod"
    (workdir / "dist").mkdir()
    shutil.copy(published, workdir / "dist")  # what "Download the released bundle" fetches
    deploy_run, _ = play(
        project, "publish.yml", "deploy", workdir, github, needs={"stage": {"outputs": {"stage": stage}}}
    )
    assert deploy_run.succeeded, job_failure(deploy_run)
    assert f"Deployed {ARTIFACT} v0.1.0 to prod" in deploy_run.summary
    assert "checksums verified" in deploy_run.summary


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
    return cli(
        project,
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


def test_monitor_workflow_reports_drift_in_the_newest_batch(project: Project) -> None:
    incoming = project.path / "data/incoming"
    shifted(new_rows(project, 60)).to_csv(incoming / "2026-11-01.csv", index=False)
    project.dvc("add", "--quiet", "data/incoming/2026-11-01.csv")
    commit(project, "Add the batch of 2026-11-01")
    project.dvc("push", "--quiet")
    run("git", "push", "--quiet", "origin", "main", cwd=project.path)

    workdir = checkout(project, "runner-monitor", "main")
    job_run, runner = play(
        project,
        "monitor.yml",
        "monitor",
        workdir,
        {"event_name": "schedule", "token": "unused"},
        inputs={"model": TAG, "batch": ""},
        variables={"RETRAIN_ON_DRIFT": "true"},
    )
    assert job_run.succeeded, job_failure(job_run)
    outputs = runner.context["steps"]["drift"]["outputs"]
    assert outputs == {"batch": "data/incoming/2026-11-01.csv", "drift": "true"}
    assert "clinic" in job_run.summary, "the drift report is in the job summary"
    report = json.loads((workdir / "reports/drift.json").read_text())
    assert report["drift"] is True
    assert {"mean_radius", "mean_area", "clinic"} <= set(report["drifted_features"]), "numbers scaled, names swapped"


# --- retraining -----------------------------------------------------------------------


def test_retrain_workflow_retrains_on_a_labelled_batch_and_pushes_a_branch(project: Project) -> None:
    labelled = pd.read_parquet(project.path / "data/prepared/test.parquet").head(40)
    labelled.to_csv(project.path / "data/incoming/2026-11-02.csv", index=False)
    project.dvc("add", "--quiet", "data/incoming/2026-11-02.csv")
    commit(project, "Add the labelled batch of 2026-11-02")
    project.dvc("push", "--quiet")
    run("git", "push", "--quiet", "origin", "main", cwd=project.path)

    workdir = checkout(project, "runner-retrain", "main")
    github = {"event_name": "workflow_dispatch", "run_id": "4242", "token": "unused"}
    job_run, _ = play(project, "retrain.yml", "retrain", workdir, github, inputs={"reason": "drift in 2026-11-01"})
    assert job_run.succeeded, job_failure(job_run)
    assert (
        "absorb: 1 labelled batches joined the training data (2026-11-02.csv)"
        in job_run.step("Absorb the labelled batches into the training data").output
    ), "the unlabelled batch of 2026-11-01 stays out"
    log = (workdir / "pr-report/repro.log").read_text()
    assert "Running stage 'prepare'" in log and "Running stage 'train'" in log
    branches = run("git", "branch", "--list", "retrain/*", cwd=project.origin).stdout
    assert "retrain/4242" in branches, "the branch reached origin"
    changed = run("git", "diff", "--name-only", "main", "retrain/4242", cwd=project.origin).stdout.split()
    assert {"dvc.lock", "data/labelled/2026-11-02.csv.dvc", "reports/metrics.json"} <= set(changed)
    report = (workdir / "pr-report/report.md").read_text()
    assert "Retrained by the retrain workflow: drift in 2026-11-01." in report


def test_workflows_list_their_github_api_steps() -> None:
    """Every step skipped here exists, so a renamed step cannot silently escape the runs above."""
    from conftest import TEMPLATE

    for (workflow, job), names in GITHUB_API_STEPS.items():
        definition = load_workflow(TEMPLATE / "{{cookiecutter.project_slug}}/.github/workflows" / workflow)
        assert names <= {step.get("name") for step in definition["jobs"][job]["steps"]}
