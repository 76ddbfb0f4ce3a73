"""Updating a baked project from its template with cruft, offline.

A throw-away copy of the template (this working tree, uncommitted work
included, committed as A) is baked with the cookiecutter CLI. The copy then
moves on (commit B), and `cruft check` and `cruft update` must see it and
bring exactly B's change into the project. cruft re-renders the template at A
and at B to compute the patch, running the hooks there too; the `skip` list
the post-generation hook writes keeps those renders' git repository, DVC state
and lock files out of the patch. The template-sync workflow's shell steps are
played against the same copy, with a fake `gh`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from workflow_runner import Runner, load_workflow

from conftest import TEMPLATE, fake_command, run, tracked_files

pytestmark = pytest.mark.e2e

SLUG = "my-ml-project"
TEMPLATE_README = "{{cookiecutter.project_slug}}/README.md"
NEW_TEMPLATE_FILE = "{{cookiecutter.project_slug}}/docs/updating.md"
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
    (copy / NEW_TEMPLATE_FILE).parent.mkdir()
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
    assert changed == {".cruft.json", "README.md", "docs/updating.md"}, "only the template's change, no leftovers"
    assert after["README.md"].decode().startswith("Local note, kept across updates.\n")
    assert after["README.md"].decode().rstrip().endswith(CHANGE_B)
    assert after["docs/updating.md"].decode() == "# Updating My ML Project\n"
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
    assert sorted(line[3:] for line in status) == [".cruft.json", "README.md", "docs/updating.md"]

    commit_all(project, "Update from the template")
    assert "up to date" in cruft(project, "check").stdout


# --- template-sync.yml, played offline ----------------------------------------------

# A stand-in for the GitHub CLI: `gh issue list|create|edit` over a JSON file of issues.
# Of `--jq` it knows the one filter the workflow uses: the number of the open issue titled so.
FAKE_GH = """
import json, os, re, sys
state = os.environ["FAKE_GH_STATE"]
issues = json.load(open(state)) if os.path.exists(state) else []
args = sys.argv[1:]
def option(name):
    return args[args.index(name) + 1]
if args[:2] == ["issue", "list"]:
    title = re.search(r'select\\(\\.title == "([^"]+)"\\)', option("--jq")).group(1)
    found = [i["number"] for i in issues if i["state"] == "open" and i["title"] == title]
    print(found[0] if found else "")
    sys.exit(0)
if args[:2] == ["issue", "create"]:
    issues.append({"number": len(issues) + 1, "title": option("--title"), "state": "open"})
    issues[-1]["body"] = open(option("--body-file")).read()
elif args[:2] == ["issue", "edit"]:
    issues[int(args[2]) - 1]["body"] = open(option("--body-file")).read()
else:
    sys.exit(f"fake gh: unexpected {args}")
json.dump(issues, open(state, "w"))
"""


@pytest.fixture
def fake_gh(tmp_path: Path) -> dict[str, str]:
    """Environment with the fake `gh` first on PATH; its issues are in FAKE_GH_STATE."""
    bin_dir = fake_command(tmp_path / "fake-bin", "gh", FAKE_GH)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_STATE": str(tmp_path / "gh.json")}


def play_sync(project: Path, fake_gh: dict[str, str], tmp_path: Path, name: str) -> dict[str, str]:
    """Run the check job, then (if it asks) the issue job; return the check's outputs."""
    workflow = load_workflow(project / ".github/workflows/template-sync.yml")
    github = {"event_name": "schedule", "repository": "ada-lab/my-ml-project", "token": "fake"}
    checker = Runner(github)
    # The harness provides the checkout, a Python and cruft (pinned in its own environment).
    check = checker.run_job(
        workflow["jobs"]["check"], project, tmp_path / f"{name}-check", fake_gh, skip={"Install cruft"}
    )
    assert check.succeeded, "\n".join(f"{step.name}: {step.status}\n{step.output}" for step in check.steps)
    assert [step.status for step in check.steps] == ["not run"] * 3 + ["success"]
    outputs = checker.context["steps"]["check"]["outputs"]
    needs = {"check": {"outputs": outputs, "result": "success"}}
    job = workflow["jobs"]["issue"]
    if Runner(github, needs=needs).condition(job):
        issue = Runner(github, needs=needs).run_job(job, project, tmp_path / f"{name}-issue", fake_gh)
        assert issue.succeeded, "\n".join(f"{step.name}: {step.status}\n{step.output}" for step in issue.steps)
    return outputs


def test_template_sync_opens_one_issue_and_refreshes_it(
    template_copy: tuple[Path, str], project: Path, fake_gh: dict[str, str], tmp_path: Path
) -> None:
    copy, commit_a = template_copy
    install = (project / ".github/workflows/template-sync.yml").read_text()
    assert f"cruft=={version('cruft')}" in install, "the workflow pins the cruft the harness tests"
    state = Path(fake_gh["FAKE_GH_STATE"])
    assert play_sync(project, fake_gh, tmp_path, "current")["outdated"] == "false"
    assert not state.exists(), "no issue while the project is up to date"

    commit_b = move_template(copy)
    outputs = play_sync(project, fake_gh, tmp_path, "behind")
    assert outputs == {"template": str(copy), "recorded": commit_a, "latest": commit_b, "outdated": "true"}
    (issue,) = json.loads(state.read_text())
    assert issue["title"] == ISSUE_TITLE
    assert commit_a in issue["body"] and commit_b in issue["body"]
    assert f"cruft@{version('cruft')} update" in issue["body"], "how to update, with the pinned cruft"

    play_sync(project, fake_gh, tmp_path, "still-behind")
    assert len(json.loads(state.read_text())) == 1, "the open issue is refreshed, not duplicated"
