"""Updating a project baked from a real earlier version of this template, as a long-time user would.

CHANGELOG.md names each released version's commit in this repository. The newest one is
baked from this repository's own history (cookiecutter --checkout, the git+file:// URL of the
clone the harness runs in), customised (a hyperparameter in conf/, a transform in
features.py, a file of the user's own), trained and committed; then `cruft update` brings
it to this repository's HEAD, and the commands docs/updating.md lists after an update pass:
`uv lock`, `make setup`, `make params`, `make repro`, `make test`, `make lint` and, after
`dvc push --run-cache`, `make verify`. The updated project is the template's HEAD render
wherever the user changed nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from baked import Project

from conftest import TEMPLATE, run, tracked_files

pytestmark = pytest.mark.e2e

SLUG, PACKAGE = "my-ml-project", "my_ml_project"
CHANGELOG = TEMPLATE / "CHANGELOG.md"
RELEASED = re.compile(r"^## (?P<version>\d+\.\d+\.\d+) — \S+, commit (?P<commit>[0-9a-f]{40})$", re.MULTILINE)
CONFLICT = re.compile(r"^(<<<<<<<|>>>>>>>) ", re.MULTILINE)
# What the user changes: each edit's file, the text it replaces, and the text it puts there.
EDITS = {
    "conf/model/logistic_regression.yaml": ("C: 1.0", "C: 0.5"),
    f"src/{PACKAGE}/features.py": (
        'numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())',
        'numeric = make_pipeline(SimpleImputer(strategy="median"), PowerTransformer())  # skewed measurements',
    ),
}
IMPORT = (
    "FunctionTransformer, OneHotEncoder, StandardScaler",
    "FunctionTransformer, OneHotEncoder, PowerTransformer, StandardScaler",
)
OWN_FILE = "docs/our-data.md"


def previous_version() -> tuple[str, str]:
    """The newest released version in CHANGELOG.md and its commit."""
    found = RELEASED.search(CHANGELOG.read_text())
    assert found, "CHANGELOG.md names no released version with its commit"
    return found["version"], found["commit"]


def test_every_version_in_the_changelog_is_a_commit_of_this_history_newest_first() -> None:
    released = [(found["version"], found["commit"]) for found in RELEASED.finditer(CHANGELOG.read_text())]
    assert released, "CHANGELOG.md names no released version with its commit"
    numbers = [tuple(map(int, version.split("."))) for version, _ in released]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
    for version, commit in released:
        ancestor = run("git", "merge-base", "--is-ancestor", commit, "HEAD", cwd=TEMPLATE, check=False)
        assert ancestor.returncode == 0, f"{version}'s commit {commit} is not in this clone's history of HEAD"
        tagged = run(
            "git", "rev-parse", "--verify", "--quiet", f"template-v{version}^{{commit}}", cwd=TEMPLATE, check=False
        )
        assert tagged.returncode != 0 or tagged.stdout.strip() == commit, f"tag template-v{version} is elsewhere"


def bake_at(commit: str, out: Path, tmp_path: Path) -> Path:
    """The default answers, baked from this repository at commit, as `cookiecutter --checkout` does."""
    config = tmp_path / "cookiecutter.yaml"  # its clones go here, not to ~/.cookiecutters
    config.write_text(f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n")
    command = ["cookiecutter", "--no-input", "--config-file", str(config), "--checkout", commit]
    run(*command, f"git+file://{TEMPLATE}", "-o", str(out), cwd=tmp_path)  # git+: clone, as a URL
    return out / SLUG


def commit_all(project: Path, message: str) -> None:
    run("git", "add", "--all", cwd=project)
    run("git", "commit", "--quiet", "--no-verify", "-m", message, cwd=project)


def customise(project: Path) -> None:
    for name, (old, new) in EDITS.items():
        text = (project / name).read_text()
        assert old in text, f"{name} at the previous version has no {old!r}: change EDITS to what it holds"
        (project / name).write_text(text.replace(old, new))
    features = project / f"src/{PACKAGE}/features.py"
    features.write_text(features.read_text().replace(*IMPORT))
    (project / OWN_FILE).write_text("# Our data\n\nWhere the rows come from, and who to ask.\n")


def test_a_project_from_the_previous_version_updates_to_head_and_passes_its_checks(
    shared_venv: Path, tmp_path: Path
) -> None:
    version, commit = previous_version()
    present = run("git", "cat-file", "-e", f"{commit}^{{commit}}", cwd=TEMPLATE, check=False)
    assert present.returncode == 0, f"this clone lacks {version}'s commit {commit}: clone the template in full"
    head = run("git", "rev-parse", "HEAD", cwd=TEMPLATE).stdout.strip()
    assert run("git", "merge-base", "--is-ancestor", commit, head, cwd=TEMPLATE, check=False).returncode == 0

    path = bake_at(commit, tmp_path / "old", tmp_path)
    project = Project(path, {"project_slug": SLUG, "task": "classification"}, shared_venv)
    customise(path)
    project.make("setup", "params", "repro")
    commit_all(path, "Our model: C 0.5, power-transformed measurements, notes on the data")

    cruft = [sys.executable, "-m", "cruft", "update", "--skip-apply-ask", "--checkout", head]
    run(*cruft, cwd=path, env=project.env)  # dvc on PATH: the renders run the bake's hooks
    assert f'"commit": "{head}"' in (path / ".cruft.json").read_text()
    texts = {name: (path / name).read_text(errors="replace") for name in tracked_files(path) if (path / name).is_file()}
    assert [name for name, text in texts.items() if CONFLICT.search(text)] == [], "no edit of ours overlaps"
    assert not list(path.rglob("*.rej")) and not list(path.rglob("*.orig"))
    for name, (_, new) in EDITS.items():
        assert new in (path / name).read_text(), f"our change to {name} survived"
    assert (path / OWN_FILE).exists()

    # Wherever we changed nothing, the project is now what the template's HEAD bakes.
    fresh = bake_at(head, tmp_path / "head", tmp_path)
    ours = set(EDITS) | {OWN_FILE}
    generated = {"uv.lock", "params.yaml", "dvc.lock", ".cruft.json", ".secrets.baseline"}
    for name in tracked_files(fresh) - ours - generated:
        assert (path / name).is_file(), f"the update did not bring {name}"
        assert (path / name).read_bytes() == (fresh / name).read_bytes(), f"{name} differs from HEAD's"

    # What docs/updating.md says to run after an update.
    run("uv", "lock", "--quiet", cwd=path, env=project.env)
    project.make("setup", "params", "repro")
    commit_all(path, "Update from the template")
    project.dvc("push", "--quiet", "--run-cache")
    project.make("test")
    project.make("lint")
    project.make("verify")
    assert run("git", "status", "--porcelain", cwd=path).stdout == "", "the checks leave the tree clean"
