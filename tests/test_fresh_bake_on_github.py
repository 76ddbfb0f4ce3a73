"""A fresh bake with the default answers, pushed to GitHub as it comes out of cookiecutter.

Every workflow GitHub starts without anyone asking (push to main, a pull
request, the schedules) is played under act (tests/act.py) and must end green,
or skipped with a notice. With the default answers the DVC remote is the local
`../<slug>-dvc-remote`, which a GitHub-hosted runner does not have: act runs
each job in its own directory, so that path does not exist there either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from act import GitHub

from conftest import run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fresh(cookies_session, runner_python: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bake, pushed; a branch `docs` with a one-line change and its pull request #1."""
    result = cookies_session.bake(extra_context={})
    assert result.exception is None, result.exception
    project = Path(result.project_path)
    github = GitHub(tmp_path_factory.mktemp("github"), runner_python)
    github.add_remote(project)
    run("git", "push", "--quiet", "origin", "main", cwd=project)
    run("git", "switch", "--quiet", "-c", "docs", cwd=project)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nA first change, reviewed.\n")
    run("git", "commit", "--quiet", "--all", "-m", "A first change", cwd=project)
    run("git", "push", "--quiet", "origin", "docs", cwd=project)
    return {"project": project, "github": github, "pull_request": github.open_pull_request(1, "docs")}


def test_push_to_main_is_green(fresh: dict[str, Any]) -> None:
    github: GitHub = fresh["github"]
    ci = github.play("ci.yml", "push")
    assert ci.results() == dict.fromkeys(["lint", "test", "config", "all-checks-pass"], "success"), ci
    assert "No dvc.lock yet" in ci.job("config").output, "nothing reproduced yet is said, not failed"
    reproduce = github.play("reproduce.yml", "push").job("reproduce")
    assert reproduce.result == "success", reproduce
    assert reproduce.outputs["reproduce"]["remote"] == "unreachable"
    assert reproduce.step("Push data, models and the run-cache") == "skipped"
    assert not github.play("publish.yml", "push").started, "publish starts only for registry tags"


def test_pull_request_is_reproduced_and_reported(fresh: dict[str, Any]) -> None:
    github: GitHub = fresh["github"]
    played = github.play("reproduce.yml", "pull_request", payload=fresh["pull_request"])
    reproduce = played.job("reproduce")
    assert reproduce.result == "success", reproduce
    assert "reproduced from scratch" in reproduce.summary
    (artifact,) = github.artifacts.glob("*/pr-report")
    assert (artifact / "pr-number").read_text().strip() == "1"


def test_schedules_end_green_with_a_notice(fresh: dict[str, Any]) -> None:
    github: GitHub = fresh["github"]
    monitor = github.play("monitor.yml", "schedule").job("monitor")
    assert monitor.result == "success", monitor
    assert "No batch is tracked in data/incoming/ yet" in monitor.summary
    assert monitor.outputs["drift"] == {"drift": "none"}, "nothing checked, and said so"
    assert monitor.step("Upload the drift report") == "skipped"
    sync = github.play("template-sync.yml", "schedule")
    assert sync.results() == {"check": "success", "issue": "skipped"}, sync
    assert "Template not checked" in sync.job("check").summary
    assert github.state().get("issues", []) == []


def test_monitor_without_a_reachable_remote_ends_green_with_a_notice(fresh: dict[str, Any]) -> None:
    """A batch is tracked, but the default local remote is not on the runner."""
    project: Path = fresh["project"]
    github: GitHub = fresh["github"]
    run("git", "switch", "--quiet", "main", cwd=project)
    (project / "data/incoming/2026-12-01.csv").write_text("a,b\n1,2\n")
    run("dvc", "add", "--quiet", "data/incoming/2026-12-01.csv", cwd=project)
    run("git", "add", "--all", cwd=project)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Track a batch", cwd=project)
    run("git", "push", "--quiet", "origin", "main", cwd=project)
    monitor = github.play("monitor.yml", "schedule").job("monitor")
    assert monitor.result == "success", monitor
    assert "cannot reach the DVC remote" in monitor.summary
    assert monitor.outputs["drift"] == {"drift": "none"}, "nothing checked, and said so"
    assert monitor.step("Upload the drift report") == "skipped"


def test_rulesets_by_hand_need_the_admin_token_then_apply_idempotently(fresh: dict[str, Any]) -> None:
    github: GitHub = fresh["github"]
    refused = github.play("rulesets.yml", "workflow_dispatch").job("apply")
    assert refused.result == "failure"
    assert "gh is not authenticated" in refused.output, "the missing secret is named, not a traceback"
    token = {"RULESETS_ADMIN_TOKEN": "github_pat_stand_in"}
    for _ in range(2):  # the second run updates the two rulesets in place
        applied = github.play("rulesets.yml", "workflow_dispatch", secrets=token).job("apply")
        assert applied.result == "success", applied
    rulesets = github.state()["rulesets"]
    assert sorted(ruleset["name"] for ruleset in rulesets) == sorted(
        json.loads(path.read_text())["name"] for path in (fresh["project"] / ".github/rulesets").glob("*.json")
    )
