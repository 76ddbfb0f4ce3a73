"""The guards of a baked repository, hit as a user would hit them.

One default bake, set up with `make setup`: a commit adding a large file or a
secret is refused with a message saying what to do; `git push` runs `dvc push`
first and is refused when that fails; switching commits, and pulling or
merging one, brings back their models. Every git command runs with a bare
system PATH (no environment on it), as from a plain shell: the hooks must find
the project's dvc on their own.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from baked import cached_outputs, md5

from conftest import run

pytestmark = pytest.mark.e2e

BARE_PATH = {"PATH": os.defpath, "VIRTUAL_ENV": None}
AWS_KEYS = (
    'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\nAWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
)
PEM_KEY = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAx3d1\n-----END RSA " + "PRIVATE KEY-----\n"


def git(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run("git", *args, cwd=project, env=BARE_PATH, check=check)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def head(project: Path) -> str:
    return git(project, "rev-parse", "HEAD").stdout.strip()


def refused_commit(project: Path, path: str, content: str | bytes) -> str:
    """Stage a new file and commit: the commit must be refused; unstage and delete it. Returns the output."""
    file = project / path
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content)
    before = head(project)
    git(project, "add", "--force", path)
    try:
        result = git(project, "commit", "--quiet", "-m", f"Add {path}", check=False)
        assert result.returncode != 0, f"committing {path} was not refused\n{output(result)}"
        assert head(project) == before
    finally:
        git(project, "rm", "--quiet", "--cached", path)
        file.unlink()
    return output(result)


def in_remote(remote: Path, digest: str) -> bool:
    return (remote / "files/md5" / digest[:2] / digest[2:]).is_file()


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv: Path) -> Path:
    result = cookies_session.bake(extra_context={})
    assert result.exception is None, result.exception
    path = Path(result.project_path)
    run("make", "setup", f"VENV={shared_venv}", cwd=path)
    return path


@pytest.fixture(scope="module")
def remotes(project: Path) -> dict[str, Path]:
    """A bare git "origin" beside the project, and the bake's local DVC remote (../<slug>-dvc-remote)."""
    origin = project.parent / "origin.git"
    git(project, "init", "--quiet", "--bare", str(origin))
    git(project, "remote", "add", "origin", str(origin))
    return {"origin": origin, "dvc": project.parent / f"{project.name}-dvc-remote"}


def test_setup_installs_the_git_hooks_and_records_the_environment(project: Path, shared_venv: Path) -> None:
    hooks = project / ".git/hooks"
    installed = ("pre-commit", "pre-push", "post-checkout", "post-merge", "post-rewrite")
    assert all((hooks / name).is_file() for name in installed)
    assert git(project, "config", "--get", "mlops.dvc").stdout.strip() == str(shared_venv / "bin/dvc")


def test_secrets_baseline_is_valid_and_clean_on_a_fresh_bake(project: Path, shared_venv: Path) -> None:
    """Every file the template ships passes the scanner (uv.lock and .cruft.json hashes excluded)."""
    scanned = run(str(shared_venv / "bin/pre-commit"), "run", "detect-secrets", "--all-files", cwd=project, check=False)
    assert scanned.returncode == 0, output(scanned)
    assert git(project, "status", "--porcelain").stdout == "", "the hook rewrote .secrets.baseline"


def test_large_file_is_refused_with_dvc_add_as_the_fix(project: Path, shared_venv: Path) -> None:
    message = refused_commit(project, "data/raw/big.bin", os.urandom(5 * 1024 * 1024))
    assert "large files (track them with dvc add)" in message
    assert "data/raw/big.bin (5120 KB) exceeds 1024 KB." in message
    assert "dvc add FILE" in message

    # The advice works: tracked with DVC, only the small .dvc file (its md5 not a "secret") goes to git.
    (project / "data/raw/big.bin").write_bytes(os.urandom(5 * 1024 * 1024))
    run(str(shared_venv / "bin/dvc"), "add", "--quiet", "data/raw/big.bin", cwd=project)
    git(project, "add", "data/raw/big.bin.dvc", "data/raw/.gitignore")
    git(project, "commit", "--quiet", "-m", "Track a large file with DVC")
    assert "data/raw/big.bin" not in git(project, "ls-files").stdout.split()


@pytest.mark.parametrize(
    ("path", "content", "kind"),
    [
        ("src/my_ml_project/settings.py", AWS_KEYS, "AWS Access Key"),
        (".env", AWS_KEYS.replace(" = ", "="), "AWS Access Key"),
        ("deploy/id_rsa", PEM_KEY, "Private Key"),
    ],
    ids=["aws-in-python", "aws-in-dotenv", "pem-private-key"],
)
def test_secret_is_refused(project: Path, path: str, content: str, kind: str) -> None:
    message = refused_commit(project, path, content)
    assert "ERROR: Potential secrets about to be committed to git repo!" in message
    assert f"Secret Type: {kind}" in message
    assert f"Location:    {path}:1" in message


def train_and_commit(project: Path, venv: Path, message: str) -> None:
    run("make", "repro", f"VENV={venv}", cwd=project)
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", message)


def test_push_runs_dvc_push_first(project: Path, remotes: dict[str, Path], shared_venv: Path) -> None:
    train_and_commit(project, shared_venv, "Train the baseline")
    outputs = cached_outputs(project)
    assert "models/model.skops" in outputs
    assert not any(in_remote(remotes["dvc"], digest) for digest in outputs.values())

    pushed = git(project, "push", "origin", "main")
    assert "dvc push (data and models to the DVC remote first)" in output(pushed)
    missing = [path for path, digest in outputs.items() if not in_remote(remotes["dvc"], digest)]
    assert missing == [], f"not in the DVC remote after git push: {missing}"
    status = run(str(shared_venv / "bin/dvc"), "status", "--cloud", cwd=project)
    assert "in sync" in status.stdout
    assert git(project, "ls-remote", "origin", "main").stdout.strip()


def test_push_is_refused_when_dvc_push_fails(project: Path, remotes: dict[str, Path], shared_venv: Path) -> None:
    git(project, "switch", "--quiet", "-c", "tune")
    config = project / "conf/model/logistic_regression.yaml"
    config.write_text(config.read_text().replace("C: 1.0", "C: 0.05"))
    train_and_commit(project, shared_venv, "Regularise more")

    remote = remotes["dvc"]
    hidden = remote.with_name("dvc-remote-out-of-reach")
    remote.rename(hidden)
    remote.write_text("not a directory: dvc push cannot write here\n")
    try:
        refused = git(project, "push", "origin", "tune", check=False)
    finally:
        remote.unlink()
        hidden.rename(remote)
    assert refused.returncode != 0, output(refused)
    assert "dvc push failed (see above), so the git push was refused" in output(refused)
    assert git(project, "ls-remote", "origin", "tune").stdout == ""

    # With the remote back, the same push goes through, data first.
    git(project, "push", "origin", "tune")
    assert git(project, "ls-remote", "origin", "tune").stdout.strip()
    assert all(in_remote(remote, digest) for digest in cached_outputs(project).values())


def test_checkout_restores_the_model_of_each_commit(project: Path) -> None:
    model = project / "models/model.skops"
    seen = set()
    for branch in ("main", "tune", "main"):
        git(project, "switch", "--quiet", branch)
        expected = cached_outputs(project)["models/model.skops"]
        assert md5(model) == expected, f"stale model after switching to {branch}"
        seen.add(expected)
    assert len(seen) == 2, "the two commits should have different models"
    assert git(project, "status", "--porcelain").stdout == ""


def test_pull_brings_the_model_of_the_merged_commit(project: Path, shared_venv: Path) -> None:
    model, before = project / "models/model.skops", head(project)
    pulled = git(project, "pull", "--ff-only", "origin", "tune")  # a merge: dvc.lock changes, the model follows
    try:
        assert "dvc checkout (data and models a merge or rebase brought)" in output(pulled)
        assert md5(model) == cached_outputs(project)["models/model.skops"], "stale model after git pull"
        assert git(project, "status", "--porcelain").stdout == ""
    finally:
        git(project, "reset", "--quiet", "--hard", before)
        run(str(shared_venv / "bin/dvc"), "checkout", "--quiet", cwd=project)


def test_pull_rebase_brings_the_model_too(project: Path, shared_venv: Path) -> None:
    """A rebase checks commits out mid-rebase, where DVC's post-checkout does nothing: post-rewrite does."""
    model, before = project / "models/model.skops", head(project)
    (project / "NOTES.md").write_text("A local commit the pulled ones go under.\n")
    git(project, "add", "NOTES.md")
    git(project, "commit", "--quiet", "-m", "A local note")
    stale = md5(model)
    pulled = git(project, "pull", "--rebase", "origin", "tune")
    try:
        assert "dvc checkout (data and models a merge or rebase brought)" in output(pulled)
        assert cached_outputs(project)["models/model.skops"] != stale, "tune's model differs from main's"
        assert md5(model) == cached_outputs(project)["models/model.skops"], "stale model after git pull --rebase"
        assert git(project, "status", "--porcelain").stdout == ""
        model.unlink()  # an amend brings no commits: its post-rewrite must leave the workspace alone
        git(project, "commit", "--amend", "--no-edit", "--quiet")
        assert not model.exists(), "dvc checkout ran after an amend"
    finally:
        git(project, "reset", "--quiet", "--hard", before)
        run(str(shared_venv / "bin/dvc"), "checkout", "--quiet", cwd=project)


def test_every_hook_is_local_and_pinned(project: Path) -> None:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert config["default_install_hook_types"] == [
        "pre-commit",
        "pre-push",
        "post-checkout",
        "post-merge",
        "post-rewrite",
    ]
    for hook in config["repos"][0]["hooks"]:
        assert all("==" in dependency for dependency in hook.get("additional_dependencies", [])), hook["id"]
