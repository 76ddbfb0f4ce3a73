"""Prove that HEAD reproduces from git and the DVC remote alone.

In a temporary fresh clone of HEAD: set up from uv.lock, run
`dvc repro --pull`, then `dvc pull` the rest, and check that

- no stage ran: every output was restored from the remote;
- the remote holds every other DVC-tracked file too (the batches in data/incoming/);
- `dvc status` is clean;
- the metrics file is byte-identical to the committed one;
- the model file's md5 equals the one dvc.lock records.

    {{ cookiecutter.project_slug }} verify     # or: make verify
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from ..contract import METRICS, MODEL, ProjectError


class VerifyError(ProjectError):
    """HEAD does not reproduce from git and the DVC remote alone."""


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")
        raise VerifyError(f"`{' '.join(command)}` failed in {cwd}:\n{output}")
    return result


def text(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """A command's standard output, decoded."""
    return run(command, cwd, env).stdout.decode().strip()


def clone_head(workdir: Path) -> Path:
    """A fresh clone of HEAD that reaches the same DVC remote with the same credentials."""
    from dvc.repo import Repo

    clone = workdir / "clone"
    run(["git", "clone", "--quiet", "--no-hardlinks", ".", str(clone)], Path.cwd())
    run(["git", "checkout", "--quiet", "--detach", text(["git", "rev-parse", "HEAD"], Path.cwd())], clone)
    if Path(".dvc/config.local").exists():  # credentials live here, never in git
        shutil.copy(".dvc/config.local", clone / ".dvc/config.local")
    config = Repo(".").config
    name = config["core"].get("remote")
    url = config["remote"].get(name, {}).get("url", "") if name else ""
    if name and "://" not in url:  # a local remote: relative paths would resolve from the clone
        run(["dvc", "remote", "modify", "--local", name, "url", url], clone)
    return clone


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - DVC's own content hash


def locked_md5(clone: Path, path: Path) -> str:
    """The md5 dvc.lock records for an output."""
    for stage in yaml.safe_load((clone / "dvc.lock").read_text())["stages"].values():
        for out in stage.get("outs", []):
            if out["path"] == path.as_posix():
                return out["md5"]
    raise VerifyError(f"dvc.lock records no output {path}")


def verify(workdir: Path) -> list[str]:
    """Reproduce HEAD in a fresh clone under workdir; return the checks that passed."""
    clone = clone_head(workdir)
    venv = clone / ".venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "VIRTUAL_ENV": str(venv)}
    # The uv that `make verify` found or installed (the Makefile exports UV, as `uv run` does).
    run([os.environ.get("UV", "uv"), "sync", "--locked", "--quiet"], clone, env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"

    reproduced = run(["dvc", "repro", "--pull"], clone, env)
    log = (reproduced.stdout + reproduced.stderr).decode()
    ran = re.findall(r"Running stage '([^']+)'", log)
    if ran:
        raise VerifyError(
            f"stages ran instead of being restored: {', '.join(ran)}. Push the data and the run-cache "
            "(`dvc push --run-cache`), and commit dvc.lock after `make repro`."
        )
    # `dvc repro --pull` fetches only what the stages read and write; batches that only
    # have .dvc files of their own (data/incoming/) must come from the remote as well.
    pulled = subprocess.run(["dvc", "pull"], cwd=clone, env=env, capture_output=True, check=False)
    if pulled.returncode != 0:
        output = (pulled.stdout + pulled.stderr).decode(errors="replace").strip()
        raise VerifyError(f"the DVC remote lacks data that HEAD tracks; `dvc push` it:\n{output}")
    status = json.loads(text(["dvc", "status", "--json"], clone, env) or "{}")
    if status:
        raise VerifyError(f"`dvc status` is not clean after reproducing: {json.dumps(status)}")
    committed = run(["git", "show", f"HEAD:{METRICS.as_posix()}"], clone).stdout
    if (clone / METRICS).read_bytes() != committed:
        raise VerifyError(f"{METRICS} differs from the committed one after reproducing")
    if md5(clone / MODEL) != locked_md5(clone, MODEL):
        raise VerifyError(f"{MODEL} does not match the md5 in dvc.lock")
    return [
        "0 stages ran",
        "every tracked file pulled",
        "dvc status clean",
        f"{METRICS} byte-identical",
        f"{MODEL} md5 matches dvc.lock",
    ]


def verify_head() -> str:
    """Verify HEAD in a temporary clone; the line that says what held."""
    head = text(["git", "rev-parse", "--short", "HEAD"], Path.cwd())
    dirty = bool(text(["git", "status", "--porcelain"], Path.cwd()))
    with tempfile.TemporaryDirectory(prefix="verify-") as workdir:
        checks = verify(Path(workdir))
    note = f"uncommitted changes are not verified, only HEAD ({head})\n" if dirty else ""
    return f"{note}verify: HEAD ({head}) reproduces from git and the DVC remote: {'; '.join(checks)}"
