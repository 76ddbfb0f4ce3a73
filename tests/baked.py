"""A baked project and the commands a user runs in it, for the end-to-end tests."""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from collections.abc import Callable
from pathlib import Path

import yaml

from conftest import run, venv_env


def cached_outputs(project: Path) -> dict[str, str]:
    """Every output in dvc.lock that DVC caches (not kept in git), with its md5."""
    in_git = set(run("git", "ls-files", cwd=project).stdout.split())
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    outs = {out["path"]: out["md5"] for stage in lock["stages"].values() for out in stage.get("outs", [])}
    kept_in_git = {path for path in outs if any(file == path or file.startswith(f"{path}/") for file in in_git)}
    return {path: md5 for path, md5 in outs.items() if path not in kept_in_git}


def locked_model(project: Path, revision: str) -> str:
    """The md5 of the model that dvc.lock records at a git revision."""
    lock = yaml.safe_load(run("git", "show", f"{revision}:dvc.lock", cwd=project).stdout)
    return lock["stages"]["train"]["outs"][0]["md5"]


def assert_bundles_its_tagged_model(project: Project, version: str) -> None:
    """`make bundle VERSION=...` after a later commit retrained: the bundle is built from the
    version's tag, so its manifest names the tagged commit and its model is the one dvc.lock
    recorded there, not HEAD's."""
    project.make("bundle", f"VERSION={version}")
    slug = project.answers["project_slug"]
    with tarfile.open(project.path / f"dist/{slug}-v{version}.tar.gz") as bundle:
        manifest = json.load(bundle.extractfile("manifest.json"))
        model = hashlib.md5(bundle.extractfile("model.skops").read()).hexdigest()
    tagged = run("git", "rev-parse", f"{slug}@v{version}^0", cwd=project.path).stdout.strip()
    assert manifest["git_commit"] == tagged
    assert model == locked_model(project.path, tagged) != locked_model(project.path, "HEAD")


def md5(path: Path) -> str:
    """The content hash DVC records for a file, or for a directory (its `.dir` listing's hash)."""
    if not path.is_dir():
        return hashlib.md5(path.read_bytes()).hexdigest()
    files = sorted(file.relative_to(path).as_posix() for file in path.rglob("*") if file.is_file())
    listing = [{"md5": md5(path / name), "relpath": name} for name in files]
    return hashlib.md5(json.dumps(listing, sort_keys=True).encode()).hexdigest() + ".dir"


class Project:
    """A baked project and the commands a user runs in it."""

    def __init__(self, path: Path, answers: dict[str, str], venv: Path) -> None:
        self.path, self.answers, self.venv = path, answers, venv
        self.env = venv_env(venv)

    def make(self, *targets: str, check: bool = True):
        return run("make", *targets, f"VENV={self.venv}", cwd=self.path, check=check)

    def cli(self, *args: str, cwd: Path | None = None, check: bool = True, env: dict[str, str] | None = None):
        """The generated project's one command, `<project_slug> ...`, with its venv's tools on PATH."""
        command = str(self.venv / "bin" / self.answers["project_slug"])
        return run(command, *args, cwd=cwd or self.path, check=check, env=self.env | (env or {}))

    def dvc(self, *args: str, check: bool = True):
        return run("dvc", *args, cwd=self.path, env=self.env, check=check)

    def repro(self, check: bool = True) -> tuple[list[str], str]:
        """`make repro`; the stages that ran, and the whole output."""
        result = self.make("repro", check=check)
        output = result.stdout + result.stderr
        return re.findall(r"Running stage '(\w+)'", output), output

    def metrics(self) -> dict[str, float]:
        shown = json.loads(self.dvc("metrics", "show", "--json").stdout)
        return shown[""]["data"]["reports/metrics.json"]["data"]

    def experiments(self) -> list[dict]:
        """Every experiment in `dvc exp show --json` with its params and metrics."""
        found = []
        for commit in json.loads(self.dvc("exp", "show", "--json").stdout):
            for experiment in commit.get("experiments") or []:
                for revision in experiment["revs"]:
                    data = revision.get("data") or {}
                    params = data.get("params", {}).get("params.yaml", {}).get("data", {})
                    metrics = data.get("metrics", {}).get("reports/metrics.json", {}).get("data", {})
                    found.append({"name": revision.get("name"), "params": params, "metrics": metrics})
        return found

    def default_model(self) -> str:
        return "logistic_regression" if self.answers["task"] == "classification" else "ridge"

    def restore(self) -> None:
        """Back to the last commit: git files, then DVC-tracked data and models."""
        run("git", "checkout", "--", ".", cwd=self.path)
        self.dvc("checkout", "--force")
        assert run("git", "status", "--porcelain", cwd=self.path).stdout == ""


def bake_project(cookies_session, venv: Path, **answers: str) -> Project:
    """A bake with these answers, whose commands run in venv (`make setup` syncs it)."""
    result = cookies_session.bake(extra_context=answers)
    assert result.exception is None, result.exception
    return Project(Path(result.project_path), result.context, venv)


def trained_bake(
    cookies_session, venv: Path, before_repro: Callable[[Project], None] | None = None, **answers: str
) -> Project:
    """A bake with these answers, set up, reproduced and committed as the baseline.

    before_repro, if given, runs after `make setup`: to add data the baseline trains on.
    """
    project = bake_project(cookies_session, venv, **answers)
    project.make("setup")
    if before_repro:
        before_repro(project)
    project.make("repro")
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Train the baseline", cwd=project.path)
    return project
