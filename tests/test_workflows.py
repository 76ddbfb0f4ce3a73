"""The generated repository's GitHub workflows, checked, then played under act.

Static checks hold for every workflow file. Then a real pull request is
played with act (tests/act.py) in a baked repository whose DVC remote the
runner can reach (an absolute path, as a cloud remote or a self-hosted
runner's disk would be): a bare origin, a hyperparameter change on a branch,
GitHub's merge commit, and ci.yml, reproduce.yml and pr-report.yml as GitHub
starts them; last, sweep.yml dispatched on main, one job per experiment, the
best proposed as a pull request.
tests/test_fresh_bake_on_github.py plays the default answers, whose remote a
GitHub-hosted runner cannot reach.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from act import GitHub, Play
from rendered import GITHUB_COMMENT_LIMIT, to_html
from review import MARKER, assert_renders_on_github

from conftest import run, venv_env

pytestmark = pytest.mark.e2e

PINNED_USE = re.compile(r"^\s*(?:-\s*)?uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")


def cli(venv: Path, *args: str, cwd: Path, check: bool = True):
    """The default bake's command, `my-ml-project ...`, from venv."""
    return run(str(venv / "bin" / "my-ml-project"), *args, cwd=cwd, check=check, env=venv_env(venv))


@pytest.fixture(scope="module")
def baked(cookies_session) -> Path:
    result = cookies_session.bake(extra_context={})
    assert result.exception is None, result.exception
    return Path(result.project_path)


def workflows(project: Path) -> list[Path]:
    found = sorted((project / ".github/workflows").glob("*.yml"))
    assert {path.name for path in found} >= {"ci.yml", "reproduce.yml", "pr-report.yml"}
    return found


def load_workflow(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1).
    return yaml.safe_load(path.read_text())


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


CLOUD_SECRETS = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "GCS_CREDENTIALS_JSON",
}
# The project's commands that reach the DVC remote: only their steps get its credentials.
REMOTE_COMMANDS = re.compile(
    r"\bci (repro|push|pull-model|pull-batches|monitor|experiment)\b|\b(verify|report|bundle)\b"
)


def test_cloud_secrets_reach_only_the_steps_that_use_the_remote(baked: Path) -> None:
    """Never a job's or workflow's env, so `make setup`, the hooks and other steps never see them."""
    given = 0
    for path in workflows(baked):
        workflow = load_workflow(path)
        assert not CLOUD_SECRETS & set(workflow.get("env", {})), path.name
        for name, job in workflow["jobs"].items():
            assert not CLOUD_SECRETS & set(job.get("env", {})), f"{path.name}:{name} gives its every step the secrets"
            for step in job["steps"]:
                secrets = CLOUD_SECRETS & set(step.get("env", {}))
                if secrets:
                    assert secrets == CLOUD_SECRETS, f"{path.name}:{step['name']}: {secrets}"
                    assert REMOTE_COMMANDS.search(step["run"]), f"{path.name}:{step['name']} does not reach the remote"
                    assert "make " not in step["run"], f"{path.name}:{step['name']} runs make with the secrets"
                    given += 1
    assert given >= 12, "the steps that pull or push have the secrets"


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


# --- A pull request, played under act ------------------------------------------------


@pytest.fixture(scope="module")
def pull_request(cookies_session, shared_venv: Path, runner_python: Path, tmp_path_factory) -> dict[str, Any]:
    """main trained and pushed; branch `tune` lowers C, retrains, is pushed, and PR #7 opens."""
    remote = tmp_path_factory.mktemp("dvc-remote")
    result = cookies_session.bake(extra_context={"dvc_remote_url": str(remote)})
    assert result.exception is None, result.exception
    project = Path(result.project_path)
    github = GitHub(tmp_path_factory.mktemp("github"), runner_python)
    make = ("make", f"VENV={shared_venv}")
    run(*make, "setup", "repro", cwd=project)
    run("git", "add", "--all", cwd=project)
    run("git", "commit", "--quiet", "-m", "Train the baseline", cwd=project)
    github.add_remote(project)
    run("git", "push", "--quiet", "origin", "main", cwd=project)
    cli(shared_venv, "ci", "push", cwd=project)
    run("git", "switch", "--quiet", "-c", "tune", cwd=project)
    config = project / "conf/model/logistic_regression.yaml"
    config.write_text(config.read_text().replace("C: 1.0", "C: 0.05"))
    run(*make, "repro", cwd=project)
    run("git", "commit", "--quiet", "--all", "-m", "Regularise more", cwd=project)
    cli(shared_venv, "ci", "push", cwd=project)
    run("git", "push", "--quiet", "origin", "tune", cwd=project)
    event = github.open_pull_request(7, "tune")
    return {"project": project, "github": github, "event": event, "remote": remote, "venv": shared_venv}


def play(pull_request: dict[str, Any], workflow: str, event: str = "pull_request", **options):
    github: GitHub = pull_request["github"]
    if event == "pull_request":
        options.setdefault("payload", pull_request["event"])
    return github.play(workflow, event, **options)


@pytest.fixture(scope="module")
def reproduced(pull_request: dict[str, Any]) -> Play:
    """reproduce.yml for PR #7, as GitHub starts it when the PR opens."""
    return play(pull_request, "reproduce.yml")


def test_pull_request_reproduction_restores_and_reports(pull_request: dict[str, Any], reproduced: Play) -> None:
    job = reproduced.job("reproduce")
    assert job.result == "success", job
    assert job.step("Push data, models and the run-cache") == "skipped", "only on main"
    assert job.step("Verify that a fresh clone reproduces without running a stage") == "skipped"
    assert job.outputs["reproduce"]["remote"] == "reachable"
    assert "Running stage" not in job.output, "unchanged stages must be restored, not rerun"
    assert "model.C" in job.summary and "0.05" in job.summary, "the changed hyperparameter"
    assert "accuracy" in job.summary and "Every metric" in job.summary, "a metrics delta"
    assert "restored from the DVC remote" in job.summary
    artifact = pull_request["github"].artifacts / str(reproduced.run_id) / "pr-report"
    assert (artifact / "pr-number").read_text().strip() == "7"
    assert (artifact / "report.md").read_text().strip() in job.summary, "the job summary carries the report"
    assert list((artifact / "plots").glob("*.png")), "plots rendered for reviewers"


def test_unreachable_remote_reproduces_from_scratch_and_says_so(pull_request: dict[str, Any]) -> None:
    """A fork PR (no secrets), or a runner that cannot reach the remote."""
    remote: Path = pull_request["remote"]
    hidden = remote.with_name(f"{remote.name}-out-of-reach")
    remote.rename(hidden)
    try:
        job = play(pull_request, "reproduce.yml").job("reproduce")
    finally:
        hidden.rename(remote)
    assert job.result == "success", job
    assert job.outputs["reproduce"]["remote"] == "unreachable", job
    # Nothing to pull: every stage reruns, evaluate too, since its figures are a DVC output.
    assert re.findall(r"Running stage '(\w+)'", job.output) == ["prepare", "train", "evaluate"]
    assert "reproduced from scratch" in job.summary
    # main's model is in no cache or remote either: the report rebuilds it to score it on the same rows.
    assert "`main`'s model was in no DVC cache or remote here: `dvc repro train` rebuilt it" in job.summary
    assert " fixed, " in job.summary and " broken)" in job.summary, "scored row by row against this PR's model"


def test_push_to_main_pushes_the_run_cache(pull_request: dict[str, Any]) -> None:
    played = play(pull_request, "reproduce.yml", "push", ref="refs/heads/main")
    job = played.job("reproduce")
    assert job.result == "success", job
    assert job.step("Compare with the base branch") == "skipped"
    assert job.step("Push data, models and the run-cache") == "success"
    assert job.step("Verify that a fresh clone reproduces without running a stage") == "success"
    assert "0 stages ran" in job.output
    assert (pull_request["remote"] / "runs").is_dir()


def test_push_to_another_branch_starts_neither_ci_nor_reproduce(pull_request: dict[str, Any]) -> None:
    """`on.push.branches: [main]`: GitHub starts nothing for a push to `tune` (its PR does)."""
    for workflow in ("ci.yml", "reproduce.yml"):
        assert not play(pull_request, workflow, "push", ref="refs/heads/tune").started


def test_ci_config_check_fails_on_a_stale_params_file(pull_request: dict[str, Any]) -> None:
    project: Path = pull_request["project"]
    github: GitHub = pull_request["github"]
    run("git", "switch", "--quiet", "-c", "stale", "tune", cwd=project)
    config = project / "conf/config.yaml"
    config.write_text(config.read_text().replace("seed: 42", "seed: 7"))
    run("git", "commit", "--quiet", "--all", "-m", "Change the seed, forget make params", cwd=project)
    run("git", "push", "--quiet", "origin", "stale", cwd=project)
    run("git", "switch", "--quiet", "tune", cwd=project)
    event = github.open_pull_request(8, "stale")
    played = github.play("ci.yml", "pull_request", payload=event, job="config")
    assert played.results() == {"config": "failure"}, played
    config_job = played.job("config")
    assert config_job.step("params.yaml is the composition of conf/") == "failure"
    assert "params.yaml is stale: run `make params` and commit it." in config_job.output
    assert "-seed: 42" in config_job.output and "+seed: 7" in config_job.output
    assert config_job.step("dvc.lock matches the code and params") == "skipped", "nothing runs after a failure"


# --- pr-report.yml: the comment a reviewer reads ---------------------------------------


def workflow_run(
    pull_request: dict[str, Any], run_id: int, conclusion: str, event: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The event GitHub sends pr-report.yml when reproduce.yml, run for PR #7 (or `event`'s PR), completes."""
    github: GitHub = pull_request["github"]
    head = (event or pull_request["event"])["pull_request"]["head"]
    run_ = {
        "id": run_id,
        "name": "reproduce",
        "event": "pull_request",
        "conclusion": conclusion,
        "head_sha": head["sha"],
        "head_branch": head["ref"],
        "head_repository": {"full_name": github.repository},
    }
    return {"action": "completed", "workflow_run": run_}


OTHER_COMMENT = {"id": 1, "issue": 7, "body": "Coverage: 91%", "user": {"login": "github-actions[bot]"}}


@pytest.fixture(scope="module")
def comments(pull_request: dict[str, Any], reproduced: Play) -> list[dict[str, Any]]:
    """PR #7's comments after pr-report.yml ran twice for the reproduction (another bot commented first)."""
    github: GitHub = pull_request["github"]
    state = github.state()
    state.setdefault("comments", []).append(OTHER_COMMENT)
    github.set_state(state)
    event = workflow_run(pull_request, reproduced.run_id, "success")
    for _ in range(2):  # the first run creates the comment, the second edits it in place
        posted = github.play("pr-report.yml", "workflow_run", payload=event)
        assert posted.results() == {"comment": "success"}, posted
    return github.state()["comments"]


def our_comment(pull_request: dict[str, Any], comments: list[dict[str, Any]]) -> str:
    (ours,) = [comment for comment in comments if comment["body"].startswith(MARKER)]
    return ours["body"]


def test_pr_report_keeps_one_comment_and_edits_only_its_own(
    pull_request: dict[str, Any], comments: list[dict[str, Any]]
) -> None:
    assert OTHER_COMMENT in comments, "another comment is never edited"
    body = our_comment(pull_request, comments)  # exactly one, found by its hidden marker
    assert "model.C" in body and "0.05" in body, "the changed hyperparameter"
    assert "accuracy" in body and "- Ran: " in body, "a metrics delta, and which stages ran"
    assert len(body) < GITHUB_COMMENT_LIMIT


def test_the_comment_renders_on_github_with_no_broken_image(
    pull_request: dict[str, Any], comments: list[dict[str, Any]]
) -> None:
    """cmark-gfm is GitHub's renderer. A relative image src resolves against the PR's page and
    breaks, a data: URI is stripped, and there is no API to upload one: the PNGs stay in the artifact."""
    body = our_comment(pull_request, comments)
    assert_renders_on_github(body, ["Parameters (1 changed)", "Confusion matrix and per-class scores", "Every metric"])
    assert not re.search(r"!\[[^\]]*\]\(", body), "no Markdown image syntax"
    # The marker is an HTML comment, which GitHub shows as nothing: the verdict is the first line a reviewer reads.
    assert to_html(body).startswith(MARKER + "\n<h3>✅ Passes the gate; better than <code>main</code> on accuracy")


def test_the_plots_are_pngs_in_the_artifact_and_named(
    pull_request: dict[str, Any], reproduced: Play, comments: list[dict[str, Any]]
) -> None:
    body = our_comment(pull_request, comments)
    pngs = sorted((pull_request["github"].artifacts / str(reproduced.run_id) / "pr-report/plots").glob("*.png"))
    assert pngs, "the PNGs are uploaded"
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG")
        assert f"`plots/{png.name}`" in body, f"{png.name} is named in the comment"
    assert f"actions/runs/{reproduced.run_id})" in body, "a link to the run whose artifact holds them"


def test_a_failed_reproduction_posts_nothing(pull_request: dict[str, Any]) -> None:
    """Run 1 uploaded no report (it failed before): nothing to post, and no error either."""
    github: GitHub = pull_request["github"]
    before = github.state().get("comments", [])
    failed = github.play("pr-report.yml", "workflow_run", payload=workflow_run(pull_request, 1, "failure"))
    assert failed.results() == {"comment": "success"}, failed
    assert failed.job("comment").step("Post or update the comment") == "skipped"
    assert github.state().get("comments", []) == before


def test_a_pr_that_breaks_the_gate_fails_the_gate_check_and_still_reports(pull_request: dict[str, Any]) -> None:
    """C so small the model barely learns: reproduce passes; `quality gate` fails saying why, as the comment does."""
    project: Path = pull_request["project"]
    github: GitHub = pull_request["github"]
    make = ("make", f"VENV={pull_request['venv']}")
    run("git", "switch", "--quiet", "-c", "underfit", "tune", cwd=project)
    config = project / "conf/model/logistic_regression.yaml"
    config.write_text(config.read_text().replace("C: 0.05", "C: 0.0001"))
    try:
        run(*make, "repro", cwd=project)
        run("git", "commit", "--quiet", "--all", "-m", "Regularise far too much", cwd=project)
        cli(pull_request["venv"], "ci", "push", cwd=project)
        run("git", "push", "--quiet", "origin", "underfit", cwd=project)
    finally:
        run("git", "switch", "--quiet", "--force", "tune", cwd=project)
    event = github.open_pull_request(9, "underfit")
    played = github.play("reproduce.yml", "pull_request", payload=event)
    assert played.results() == {"reproduce": "success", "gate": "failure"}, played
    gate = played.job("gate")
    assert "fails the quality gate (conf/config.yaml `gate`): accuracy = " in gate.output, gate
    report = (github.artifacts / str(played.run_id) / "pr-report/report.md").read_text()
    assert "### ⛔ Fails the quality gate: accuracy = " in report
    reason = re.search(r"accuracy = [0-9.]+ does not beat the trivial baseline's [0-9.]+ by the margin [^\n]+", report)
    assert reason and reason.group() in gate.output, "the check and the verdict give the same reason"
    posted = github.play(
        "pr-report.yml", "workflow_run", payload=workflow_run(pull_request, played.run_id, "failure", event)
    )
    assert posted.results() == {"comment": "success"}, posted
    (comment,) = [c["body"] for c in github.state()["comments"] if c["issue"] == 9]
    assert "Fails the quality gate" in comment


def test_fresh_clone_check_lock_accepts_missing_data(pull_request: dict[str, Any], tmp_path: Path) -> None:
    workdir = tmp_path / "clone"
    github: GitHub = pull_request["github"]
    run("git", "clone", "--quiet", "--branch", "tune", github.url, str(workdir), cwd=tmp_path, env=github.git_env)
    venv = pull_request["venv"]
    cli(venv, "ci", "check-lock", cwd=workdir)
    shutil.rmtree(workdir / ".dvc/cache", ignore_errors=True)
    (workdir / "src/my_ml_project/train.py").write_text(
        (workdir / "src/my_ml_project/train.py").read_text() + "\n# changed\n"
    )
    stale = cli(venv, "ci", "check-lock", cwd=workdir, check=False)
    assert stale.returncode != 0
    assert "dvc.lock is stale, run `make repro` and commit dvc.lock" in stale.stderr
    assert "train: deps src/my_ml_project/train.py modified" in stale.stderr


# --- sweep.yml: a grid of experiments across runners -------------------------------


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def matrix_results(played: Play, job: str) -> list[str]:
    """The result of each run of a matrix job, from act's log (Play merges them into one Job)."""
    found = []
    for line in played.log.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("jobID") == job and "jobResult" in entry:
            found.append(entry["jobResult"])
    return found


def exp_refs(github: GitHub) -> list[str]:
    listed = run("git", "ls-remote", str(github.origin), "refs/exps/*", cwd=github.root).stdout
    return sorted(line.split("\t")[1] for line in listed.splitlines())


@pytest.fixture(scope="module")
def swept(pull_request: dict[str, Any]) -> Play:
    """sweep.yml dispatched on main: four values of C, two experiments at a time on GitHub, the best
    proposed as a pull request (with the token retrain.yml uses too).

    act reads an expression in `max-parallel` as 1 (act 0.2.89): the four jobs run one after the other here."""
    inputs = {"params": "model.C=0.1,1,10,100", "max-parallel": "2", "pull-request": "true"}
    secrets = {"RETRAIN_TOKEN": "github_pat_stand_in"}
    return play(pull_request, "sweep.yml", "workflow_dispatch", inputs=inputs, secrets=secrets)


def test_a_sweep_runs_one_job_per_combination_and_pushes_each(pull_request: dict[str, Any], swept: Play) -> None:
    github: GitHub = pull_request["github"]
    assert swept.job("plan").result == "success", swept
    assert matrix_results(swept, "experiment") == ["success"] * 4, swept.job("experiment")
    output = ANSI.sub("", swept.job("experiment").output)
    assert output.count("Unchanged stages are restored from the DVC remote") == 4, output
    assert "Running stage 'prepare'" not in output, output
    names = [ref.rsplit("/", 1)[1] for ref in exp_refs(github)]
    assert sorted(names) == [f"sweep-{swept.run_id}-{index}" for index in range(1, 5)], names
    main = github.sha("refs/heads/main")
    assert all(ref.startswith(f"refs/exps/{main[:2]}/{main[2:]}/") for ref in exp_refs(github)), "based on main"


def test_the_collect_job_ranks_the_sweep_best_first(swept: Play) -> None:
    collect = swept.job("collect")
    assert collect.result == "success", collect
    summary = collect.summary
    assert f"Sweep `sweep-{swept.run_id}`: 4 of 4 experiments, best accuracy first" in summary, summary
    rows = re.findall(r"^\| (\d) \| `(sweep-\d+-\d)` \| `model.C=([\d.]+)` \| ([\d.]+) \|", summary, re.MULTILINE)
    assert [int(rank) for rank, *_ in rows] == [1, 2, 3, 4]
    accuracies = [float(accuracy) for *_, accuracy in rows]
    assert accuracies == sorted(accuracies, reverse=True)
    assert sorted(c for _, _, c, _ in rows) == ["0.1", "1", "10", "100"]
    best = rows[0][1]
    assert f"dvc exp pull origin {best}" in summary and f"dvc exp branch {best} " in summary
    assert collect.outputs["rank"] == {"best": best, "overrides": f"model.C={rows[0][2]}"}, collect.outputs


def test_the_best_is_proposed_as_a_pull_request_that_composes_from_conf(
    pull_request: dict[str, Any], swept: Play, tmp_path: Path
) -> None:
    github: GitHub = pull_request["github"]
    propose = swept.job("propose")
    assert propose.result == "success", propose
    assert "Running stage 'prepare'" not in ANSI.sub("", propose.output), "restored from the DVC remote"
    assert propose.step("Push data, models and the run-cache") == "success"
    best, overrides = (swept.job("collect").outputs["rank"][key] for key in ("best", "overrides"))
    branch = f"sweep/{best}"
    # The branch carries the best in conf/, where the project's checks look: check-params passes on a clone.
    clone = tmp_path / "clone"
    run("git", "clone", "--quiet", "--branch", branch, github.url, str(clone), cwd=tmp_path, env=github.git_env)
    experiment = yaml.safe_load((clone / f"conf/experiment/{best}.yaml").read_text())
    assert experiment == {"model": {"C": yaml.safe_load(overrides.partition("=")[2])}}, experiment
    assert f"  - experiment: {best}\n" in (clone / "conf/config.yaml").read_text()
    cli(pull_request["venv"], "ci", "check-params", cwd=clone)
    changed = run("git", "diff", "--name-only", "main", branch, cwd=github.origin).stdout.split()
    assert {f"conf/experiment/{best}.yaml", "conf/config.yaml", "params.yaml", "dvc.lock"} <= set(changed), changed
    # One pull request, from the branch, with the ranked table as its body.
    creates = [call for call in github.gh_calls() if call[:2] == ["pr", "create"]]
    assert len(creates) == 1 and creates[0][creates[0].index("--head") + 1] == branch, creates
    (pull,) = [p for p in github.state()["pulls"].values() if p["head"]["ref"] == branch]
    assert pull["title"] == f"Sweep sweep-{swept.run_id}: {overrides} ({best})", pull["title"]
    assert f"| 1 | `{best}` | `{overrides}` |" in pull["body"], pull["body"]
    assert f"This pull request carries the best, `{best}`, into `conf/experiment/{best}.yaml`" in pull["body"]


PLAN_FAILED = {"plan": "failure", "experiment": "skipped", "collect": "skipped", "propose": "skipped"}


def test_a_bad_key_fails_the_plan_and_starts_no_experiment(pull_request: dict[str, Any]) -> None:
    played = play(pull_request, "sweep.yml", "workflow_dispatch", inputs={"params": "model=random_forest model.C=1,2"})
    assert played.results() == PLAN_FAILED, played
    assert "model.C: no such key in the config conf/ composes to with model=random_forest" in played.job("plan").output


def test_a_grid_over_max_fails_the_plan_and_starts_no_experiment(pull_request: dict[str, Any]) -> None:
    inputs = {"params": "model.C=0.1,1\nseed=1,2", "max": "3"}
    played = play(pull_request, "sweep.yml", "workflow_dispatch", inputs=inputs)
    assert played.results() == PLAN_FAILED, played
    said = "error: the sweep has 4 combinations (model.C: 2 × seed: 2), over the limit of 3"
    assert said in played.job("plan").output
