"""The generated repository's GitHub workflows, checked and run offline.

Static checks hold for every workflow file; then a real pull request is
played in a baked repository: a bare "origin", the local DVC remote, a
hyperparameter change on a branch, and the `run:` steps of reproduce.yml and
ci.yml executed in order as a runner would (tests/workflow_runner.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from workflow_runner import Runner, load_workflow

from conftest import run

pytestmark = pytest.mark.e2e

PINNED_USE = re.compile(r"^\s*(?:-\s*)?uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")
# Steps skipped in the local runs because they call GitHub's API, by workflow.
GITHUB_API_STEPS = {"pr-report.yml": {"Download the report", "Post or update the comment"}}


@pytest.fixture(scope="module")
def baked(cookies_session) -> Path:
    result = cookies_session.bake(extra_context={})
    assert result.exception is None, result.exception
    return Path(result.project_path)


def workflows(project: Path) -> list[Path]:
    found = sorted((project / ".github/workflows").glob("*.yml"))
    assert {path.name for path in found} >= {"ci.yml", "reproduce.yml", "pr-report.yml"}
    return found


def make_targets(project: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (project / "Makefile").read_text(), re.MULTILINE))


def test_every_action_is_pinned_to_a_commit_with_its_version(baked: Path) -> None:
    for path in workflows(baked):
        for line in path.read_text().splitlines():
            if re.match(r"^\s*(-\s*)?uses:", line):
                assert PINNED_USE.match(line), f"{path.name}: not pinned to a 40-hex SHA with a # vX comment: {line}"


def test_permissions_timeouts_and_checkout_credentials(baked: Path) -> None:
    for path in workflows(baked):
        workflow = load_workflow(path)
        assert workflow.get("permissions") == {}, f"{path.name}: top-level permissions must be empty"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}:{name} sets no permissions"
            assert isinstance(job.get("timeout-minutes"), int), f"{path.name}:{name} has no timeout-minutes"
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_no_dangerous_triggers(baked: Path) -> None:
    for path in workflows(baked):
        workflow = load_workflow(path)
        triggers = workflow[True]  # YAML 1.1 reads `on` as True
        assert "pull_request_target" not in triggers, f"{path.name} uses pull_request_target"
        if "workflow_run" in triggers:  # privileged: must never touch PR code
            steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
            assert not [step for step in steps if "checkout" in step.get("uses", "")], f"{path.name} checks out"
            assert not [step for step in steps if "make " in step.get("run", "")], f"{path.name} runs repo code"


def test_pull_request_runs_cancel_superseded_ones(baked: Path) -> None:
    for path in workflows(baked):
        workflow = load_workflow(path)
        if "pull_request" in workflow[True]:
            assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
            assert "pull_request" in str(workflow["concurrency"]["cancel-in-progress"])


def test_every_make_target_called_exists(baked: Path) -> None:
    targets = make_targets(baked)
    for path in workflows(baked):
        for called in re.findall(r"\bmake (?:-s )?([a-z][a-z-]*)", path.read_text()):
            assert called in targets, f"{path.name} calls `make {called}`, which the Makefile lacks"


def test_required_check_is_the_aggregate_job(baked: Path) -> None:
    ci = load_workflow(baked / ".github/workflows/ci.yml")
    aggregate = ci["jobs"]["all-checks-pass"]
    assert aggregate["name"] == "all checks pass"
    assert aggregate["if"] == "always()"
    assert set(aggregate["needs"]) == set(ci["jobs"]) - {"all-checks-pass"}


def test_workflows_pass_zizmor_and_the_schema(baked: Path) -> None:
    files = [str(path) for path in workflows(baked)]
    run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files, cwd=baked)
    audit = run("zizmor", "--offline", "--no-progress", ".github", cwd=baked, check=False)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout + audit.stderr


# --- A pull request, played offline -------------------------------------------------


@pytest.fixture(scope="module")
def pull_request(baked: Path, shared_venv: Path) -> dict[str, Path]:
    """main trained and pushed; branch `tune` lowers C, retrains, and is pushed too."""
    make = ("make", f"VENV={shared_venv}")
    run(*make, "setup", "repro", cwd=baked)
    run("git", "add", "--all", cwd=baked)
    run("git", "commit", "--quiet", "-m", "Train the baseline", cwd=baked)
    origin = baked.parent / "origin.git"
    run("git", "init", "--quiet", "--bare", str(origin), cwd=baked)
    run("git", "remote", "add", "origin", str(origin), cwd=baked)
    run("git", "push", "--quiet", "origin", "main", cwd=baked)
    run(*make, "ci-push", cwd=baked)
    run("git", "switch", "--quiet", "-c", "tune", cwd=baked)
    config = baked / "conf/model/logistic_regression.yaml"
    config.write_text(config.read_text().replace("C: 1.0", "C: 0.05"))
    run(*make, "repro", cwd=baked)
    run("git", "commit", "--quiet", "--all", "-m", "Regularise more", cwd=baked)
    run(*make, "ci-push", cwd=baked)
    run("git", "push", "--quiet", "origin", "tune", cwd=baked)
    return {"project": baked, "origin": origin, "venv": shared_venv}


def runner_checkout(pull_request: dict[str, Path], name: str, ref: str) -> Path:
    """What actions/checkout with fetch-depth 0 leaves: a full clone at the ref.

    It sits beside the project, so the local DVC remote (../<slug>-dvc-remote)
    resolves to the same directory, as a self-hosted runner's would.
    """
    workdir = pull_request["project"].parent / name
    run("git", "clone", "--quiet", "--branch", ref, str(pull_request["origin"]), str(workdir), cwd=workdir.parent)
    return workdir


def runner_env(pull_request: dict[str, Path], event: str, ref: str) -> dict[str, str]:
    venv = pull_request["venv"]
    return {
        "VENV": str(venv),  # share the harness's environment instead of installing again
        "GITHUB_EVENT_NAME": event,
        "GITHUB_REF": f"refs/heads/{ref}",
        "GITHUB_REPOSITORY": "octo-lab/my-ml-project",
        "GITHUB_SERVER_URL": "https://github.com",
    }


def play_reproduce(pull_request: dict[str, Path], workdir: Path) -> tuple:
    workflow = load_workflow(workdir / ".github/workflows/reproduce.yml")
    runner = Runner(
        github={
            "event_name": "pull_request",
            "base_ref": "main",
            "ref": "refs/pull/7/merge",
            "event": {"pull_request": {"number": 7}},
        },
    )
    env = runner_env(pull_request, "pull_request", "tune") | {"GITHUB_BASE_REF": "main"}
    job_run = runner.run_job(workflow["jobs"]["reproduce"], workdir, workdir.parent / f"{workdir.name}-runner", env)
    return job_run, runner


def test_pull_request_reproduction_restores_and_reports(pull_request: dict[str, Path]) -> None:
    workdir = runner_checkout(pull_request, "runner-pr", "tune")
    job_run, runner = play_reproduce(pull_request, workdir)
    assert job_run.succeeded, "\n".join(f"{step.name}: {step.status}\n{step.output}" for step in job_run.steps)
    assert [step.status for step in job_run.steps if step.status == "not run"] == ["not run"] * 3  # the uses: steps
    assert job_run.step("Push data, models and the run-cache").status == "skipped"  # only on main
    assert job_run.step("Verify that a fresh clone reproduces without running a stage").status == "skipped"
    assert runner.context["steps"]["reproduce"]["outputs"]["remote"] == "reachable"

    log = (workdir / "pr-report/repro.log").read_text()
    assert "Running stage" not in log, "unchanged stages must be restored, not rerun"
    report = (workdir / "pr-report/report.md").read_text()
    assert "model.C" in report and "0.05" in report, "the changed hyperparameter"
    assert "accuracy" in report and "reports/metrics.json" in report, "a metrics delta"
    assert "restored from the DVC remote" in report
    assert report.strip() in job_run.summary, "the job summary carries the report"
    assert (workdir / "pr-report/pr-number").read_text().strip() == "7"
    assert list((workdir / "pr-report/plots").glob("*.png")), "plots rendered for reviewers"


def test_unreachable_remote_reproduces_from_scratch_and_says_so(pull_request: dict[str, Path]) -> None:
    """A fork PR (no secrets) or GitHub's runners with the local remote."""
    remote = pull_request["project"].parent / "my-ml-project-dvc-remote"
    hidden = remote.with_name("remote-out-of-reach")
    workdir = runner_checkout(pull_request, "runner-fork", "tune")
    remote.rename(hidden)
    try:
        job_run, runner = play_reproduce(pull_request, workdir)
    finally:
        hidden.rename(remote)
    assert job_run.succeeded, "\n".join(f"{step.name}: {step.status}\n{step.output}" for step in job_run.steps)
    reproduce = job_run.step("Reproduce the pipeline")
    assert runner.context["steps"]["reproduce"]["outputs"]["remote"] == "unreachable", reproduce.output
    # Nothing to pull: prepare and train rerun. Their outputs come out byte-identical to
    # dvc.lock (seeded), so evaluate, whose metrics are in git, is rightly left alone.
    log = (workdir / "pr-report/repro.log").read_text()
    assert re.findall(r"Running stage '(\w+)'", log) == ["prepare", "train"]
    assert "Stage 'evaluate' didn't change" in log
    assert "reproduced from scratch" in (workdir / "pr-report/report.md").read_text()


def test_push_to_main_pushes_the_run_cache(pull_request: dict[str, Path]) -> None:
    workdir = runner_checkout(pull_request, "runner-main", "main")
    workflow = load_workflow(workdir / ".github/workflows/reproduce.yml")
    runner = Runner(github={"event_name": "push", "ref": "refs/heads/main"})
    job_run = runner.run_job(
        workflow["jobs"]["reproduce"],
        workdir,
        workdir.parent / "runner-main-runner",
        runner_env(pull_request, "push", "main"),
    )
    assert job_run.succeeded, "\n".join(f"{step.name}: {step.status}\n{step.output}" for step in job_run.steps)
    assert job_run.step("Compare with the base branch").status == "skipped"
    assert job_run.step("Push data, models and the run-cache").status == "success"
    verified = job_run.step("Verify that a fresh clone reproduces without running a stage")
    assert verified.status == "success" and "0 stages ran" in verified.output
    assert (pull_request["project"].parent / "my-ml-project-dvc-remote/runs").is_dir()


def play_ci(pull_request: dict[str, Path], workdir: Path) -> dict[str, object]:
    workflow = load_workflow(workdir / ".github/workflows/ci.yml")
    env = runner_env(pull_request, "pull_request", "tune")
    github = {"event_name": "pull_request", "ref": "refs/pull/7/merge"}
    results = {}
    for name in ("lint", "test", "config"):
        results[name] = Runner(github).run_job(workflow["jobs"][name], workdir, workdir.parent / f"ci-{name}", env)
    needs = {name: {"result": "success" if job.succeeded else "failure"} for name, job in results.items()}
    aggregate = Runner(github, needs=needs).run_job(
        workflow["jobs"]["all-checks-pass"], workdir, workdir.parent / "ci-all", env
    )
    return results | {"all-checks-pass": aggregate}


def test_ci_jobs_pass_on_the_pull_request(pull_request: dict[str, Path]) -> None:
    workdir = runner_checkout(pull_request, "runner-ci", "tune")
    jobs = play_ci(pull_request, workdir)
    failed = {name: job for name, job in jobs.items() if not job.succeeded}
    assert not failed, {name: [s.output for s in job.steps if s.status == "failure"] for name, job in failed.items()}


def test_ci_config_check_fails_on_a_stale_params_file(pull_request: dict[str, Path]) -> None:
    workdir = runner_checkout(pull_request, "runner-stale", "tune")
    config = workdir / "conf/config.yaml"
    config.write_text(config.read_text().replace("seed: 42", "seed: 7"))
    run("git", "commit", "--quiet", "--all", "-m", "Change the seed, forget make params", cwd=workdir)
    workflow = load_workflow(workdir / ".github/workflows/ci.yml")
    job_run = Runner({"event_name": "pull_request"}).run_job(
        workflow["jobs"]["config"], workdir, workdir.parent / "ci-stale", runner_env(pull_request, "pull_request", "x")
    )
    failed = job_run.step("params.yaml is the composition of conf/")
    assert failed.status == "failure"
    assert "params.yaml is stale: run `make params` and commit it." in failed.output
    assert "-seed: 42" in failed.output and "+seed: 7" in failed.output
    aggregate = Runner(
        {}, needs={"lint": {"result": "success"}, "test": {"result": "success"}, "config": {"result": "failure"}}
    ).run_job(workflow["jobs"]["all-checks-pass"], workdir, workdir.parent / "ci-stale-all", {})
    assert not aggregate.succeeded


def test_pr_comment_workflow_skips_only_github_api_steps(baked: Path) -> None:
    """pr-report.yml is nothing but GitHub API calls: list them, so a new step is noticed."""
    workflow = load_workflow(baked / ".github/workflows/pr-report.yml")
    names = {step["name"] for job in workflow["jobs"].values() for step in job["steps"]}
    assert names == GITHUB_API_STEPS["pr-report.yml"]


def test_fresh_clone_check_lock_accepts_missing_data(pull_request: dict[str, Path]) -> None:
    workdir = runner_checkout(pull_request, "runner-lock", "tune")
    run("make", f"VENV={pull_request['venv']}", "check-lock", cwd=workdir)
    shutil.rmtree(workdir / ".dvc/cache", ignore_errors=True)
    (workdir / "src/my_ml_project/train.py").write_text(
        (workdir / "src/my_ml_project/train.py").read_text() + "\n# changed\n"
    )
    stale = run("make", f"VENV={pull_request['venv']}", "check-lock", cwd=workdir, check=False)
    assert stale.returncode != 0
    assert "dvc.lock is stale, run `make repro` and commit dvc.lock" in stale.stderr
    assert "train: deps src/my_ml_project/train.py modified" in stale.stderr
