"""Updating a baked project from its template with cruft, offline.

A throw-away copy of the template (this working tree, uncommitted work
included, committed as A) is baked with the cookiecutter CLI. The copy then
moves on (commit B), and `cruft check` and `cruft update` must see it and
bring exactly B's change into the project. cruft re-renders the template at A
and at B to compute the patch, running the hooks there too; the `skip` list
the post-generation hook writes keeps those renders' git repository, DVC state
and lock files out of the patch. The template-sync workflow is played under
act (tests/act.py) against the same copy, served at a GitHub URL.
"""

from __future__ import annotations

import json
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from act import GitHub

from conftest import TEMPLATE, run, tracked_files

pytestmark = pytest.mark.e2e

SLUG = "my-ml-project"
TEMPLATE_README = "{{cookiecutter.project_slug}}/README.md"
NEW_TEMPLATE_FILE = "{{cookiecutter.project_slug}}/docs/template-change-b.md"
CHANGE_B = "Template change B: this line came with `cruft update`."
ISSUE_TITLE = "Update from the project template"


def commit_all(repo: Path, message: str) -> str:
    run("git", "add", "--all", cwd=repo)
    run("git", "commit", "--quiet", "--no-verify", "-m", message, cwd=repo)
    return run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()


@pytest.fixture
def template_copy(tmp_path: Path) -> tuple[Path, str]:
    """The template's working tree as git sees it (ignored files left out), committed as A."""
    copy = tmp_path / "template"
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=TEMPLATE).stdout
    for name in filter(None, listed.split("\0")):
        if (TEMPLATE / name).is_file():  # not deleted in the working tree
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, copy / name)
    run("git", "init", "--quiet", "-b", "main", cwd=copy)
    return copy, commit_all(copy, "A: the template as it is")


@pytest.fixture
def project(template_copy: tuple[Path, str], tmp_path: Path) -> Path:
    copy, _ = template_copy
    out = tmp_path / "out"
    run("cookiecutter", "--no-input", str(copy), "-o", str(out), cwd=tmp_path)
    return out / SLUG


def move_template(copy: Path) -> str:
    """Commit B: a line in the generated README and a new, rendered file."""
    readme = copy / TEMPLATE_README
    readme.write_text(readme.read_text() + f"\n{CHANGE_B}\n")
    (copy / NEW_TEMPLATE_FILE).parent.mkdir(exist_ok=True)
    (copy / NEW_TEMPLATE_FILE).write_text("# Updating {{ cookiecutter.project_name }}\n")
    return commit_all(copy, "B: a README line and a new file")


def cruft(project: Path, *args: str, check: bool = True):
    return run(sys.executable, "-m", "cruft", *args, cwd=project, check=check)


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file of the project outside .git, by path."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def test_bake_records_the_template_commit_for_cruft(template_copy: tuple[Path, str], project: Path) -> None:
    copy, commit_a = template_copy
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"] == str(copy)
    assert state["commit"] == commit_a
    assert state["checkout"] is None and state["directory"] is None
    answers = state["context"]["cookiecutter"]
    assert answers["project_slug"] == SLUG and answers["_template"] == str(copy) and answers["_commit"] == commit_a
    assert not {"_output_dir", "_repo_dir", "_checkout"} & set(answers)
    assert {".git", "uv.lock", "params.yaml"} <= set(state["skip"])
    assert {".cruft.json", ".cookiecutter.json"} <= tracked_files(project)
    assert run("git", "status", "--porcelain", cwd=project).stdout == ""
    assert "up to date" in cruft(project, "check").stdout
    # cruft's own render of commit A (hooks included) is this very project, skipped files aside.
    cruft(project, "diff", "--exit-code")


def test_update_brings_the_template_change_and_keeps_local_ones(template_copy: tuple[Path, str], project: Path) -> None:
    copy, _ = template_copy
    readme, train = project / "README.md", project / "src/my_ml_project/train.py"
    readme.write_text("Local note, kept across updates.\n" + readme.read_text())
    train.write_text(train.read_text() + "# a local change\n")
    local_head = commit_all(project, "A local change")
    before = snapshot(project)

    commit_b = move_template(copy)
    stale = cruft(project, "check", check=False)
    assert stale.returncode != 0 and "out of date" in stale.stdout

    cruft(project, "update", "-y")
    after = snapshot(project)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {".cruft.json", "README.md", "docs/template-change-b.md"}, (
        "only the template's change, no leftovers"
    )
    assert after["README.md"].decode().startswith("Local note, kept across updates.\n")
    assert after["README.md"].decode().rstrip().endswith(CHANGE_B)
    assert after["docs/template-change-b.md"].decode() == "# Updating My ML Project\n"
    assert after["src/my_ml_project/train.py"].endswith(b"# a local change\n")

    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == commit_b
    assert state["context"]["cookiecutter"]["project_slug"] == SLUG
    assert ".git" in state["skip"], "cruft keeps the skip list"
    # No state of cruft's throw-away renders: the project's git history and DVC files are its own.
    assert run("git", "rev-parse", "HEAD", cwd=project).stdout.strip() == local_head
    assert [path for path in project.rglob(".git") if path != project / ".git"] == []
    assert not list(project.rglob("*.rej")) and not list(project.rglob("*.orig"))
    status = run("git", "status", "--porcelain", cwd=project).stdout.splitlines()
    assert sorted(line[3:] for line in status) == [".cruft.json", "README.md", "docs/template-change-b.md"]

    commit_all(project, "Update from the template")
    assert "up to date" in cruft(project, "check").stdout


# --- template-sync.yml, played under act ---------------------------------------------

TEMPLATE_URL = "https://github.com/octo-lab/mlops-template"


@pytest.fixture
def github(tmp_path: Path, runner_python: Path) -> GitHub:
    return GitHub(tmp_path / "github", runner_python)


@pytest.fixture
def project_from_url(template_copy: tuple[Path, str], github: GitHub, tmp_path: Path) -> Path:
    """Baked from the template's GitHub URL, as users bake it; git maps that URL to the copy."""
    copy, _ = template_copy
    github.map_url(TEMPLATE_URL, copy)
    config = tmp_path / "cookiecutter.yaml"  # cookiecutter clones into this dir, not ~/.cookiecutters
    config.write_text(f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n")
    out = tmp_path / "from-url"
    run("cookiecutter", "--no-input", "--config-file", str(config), TEMPLATE_URL, "-o", str(out), cwd=tmp_path,
        env=github.git_env)  # fmt: skip
    project = out / SLUG
    github.add_remote(project)
    run("git", "push", "--quiet", "origin", "main", cwd=project)
    return project


def issues(github: GitHub) -> list[dict]:
    return github.state().get("issues", [])


def test_template_sync_opens_one_issue_and_refreshes_it(
    template_copy: tuple[Path, str], project_from_url: Path, github: GitHub
) -> None:
    copy, commit_a = template_copy
    install = (project_from_url / ".github/workflows/template-sync.yml").read_text()
    assert f"cruft=={version('cruft')}" in install, "the workflow pins the cruft the harness tests"
    assert json.loads((project_from_url / ".cruft.json").read_text())["template"] == TEMPLATE_URL

    current = github.play("template-sync.yml", "schedule")
    assert current.results() == {"check": "success", "issue": "skipped"}, current
    assert current.job("check").outputs["check"]["outdated"] == "false"
    assert issues(github) == [], "no issue while the project is up to date"

    commit_b = move_template(copy)
    behind = github.play("template-sync.yml", "schedule")
    assert behind.results() == {"check": "success", "issue": "success"}, behind
    assert behind.job("check").outputs["check"] == {
        "template": TEMPLATE_URL, "recorded": commit_a, "latest": commit_b, "outdated": "true"
    }  # fmt: skip
    (issue,) = issues(github)
    assert issue["title"] == ISSUE_TITLE
    assert commit_a in issue["body"] and commit_b in issue["body"]
    assert f"cruft@{version('cruft')} update" in issue["body"], "how to update, with the pinned cruft"

    still_behind = github.play("template-sync.yml", "workflow_dispatch")
    assert still_behind.results() == {"check": "success", "issue": "success"}, still_behind
    assert len(issues(github)) == 1, "the open issue is refreshed, not duplicated"


def test_template_sync_of_a_project_baked_from_a_local_path_ends_green_with_a_notice(
    project: Path, github: GitHub
) -> None:
    """No runner can reach the baking machine's path: say so weekly, without a red run."""
    github.add_remote(project)
    run("git", "push", "--quiet", "origin", "main", cwd=project)
    played = github.play("template-sync.yml", "schedule")
    assert played.results() == {"check": "success", "issue": "skipped"}, played
    check = played.job("check")
    assert check.step("Install cruft") == "success"
    assert "Template not checked" in check.summary and "local path" in check.summary
    assert issues(github) == []
