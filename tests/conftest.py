"""Shared machinery of the template harness.

Every test here bakes the real template with cookiecutter and inspects or
runs what comes out. Bakes need `uv` and `dvc` on PATH (the post-generation
hook calls them), so the harness environment's bin directory goes first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[1]
HARNESS_BIN = Path(sys.executable).parent
os.environ["PATH"] = f"{HARNESS_BIN}{os.pathsep}{os.environ['PATH']}"
os.environ["DVC_NO_ANALYTICS"] = "1"
# Let Python cache bytecode, as on users' machines and GitHub's runners. With
# PYTHONDONTWRITEBYTECODE set (some CI images set it), every stage, `dvc` call and
# act job recompiles scikit-learn, pandas and DVC from source: about 6 s a process.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# `make test` runs this harness, and every `make` it starts in a baked project would otherwise be a
# sub-make ("make[1]: Entering directory ...", MAKEFLAGS inherited): run them as a user's shell does.
for make_variable in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
    os.environ.pop(make_variable, None)
# Commits the harness makes in baked repos (the bake itself needs no identity).
for var, value in {
    "GIT_AUTHOR_NAME": "Harness",
    "GIT_AUTHOR_EMAIL": "harness@example.com",
    "GIT_COMMITTER_NAME": "Harness",
    "GIT_COMMITTER_EMAIL": "harness@example.com",
}.items():
    os.environ.setdefault(var, value)

DEFAULTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())

# The modules that take longest (worker seconds in a `--durations` run), longest first. With
# `--dist loadscope` each module (or class) goes whole to the next free worker, in collection
# order: alphabetically, the longest module came last and ran alone while the other worker idled.
LONGEST_FIRST = [
    "test_workflows.py",
    "test_lifecycle.py",
    "test_pipeline.py",
    "test_update_history.py",
    "test_own_data.py",
    "test_reproducibility.py",
    "test_fresh_bake_on_github.py",
    "test_serving.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest modules first, so two workers finish together; each module's own order is kept."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def run(
    *command: str, cwd: Path, check: bool = True, env: dict[str, str | None] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command, returning its output; on failure show the output in the assertion.

    `env` adds to the environment; a value of None removes that variable.
    """
    merged = {key: value for key, value in {**os.environ, **(env or {})}.items() if value is not None}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=merged, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"`{' '.join(command)}` exited {result.returncode} in {cwd}\n{result.stdout}\n{result.stderr}")
    return result


def venv_env(venv: Path) -> dict[str, str]:
    """The environment additions that run a baked project's tools from its virtual environment."""
    return {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}


def github_outputs(text: str) -> dict[str, str]:
    """A step's $GITHUB_OUTPUT file as GitHub reads it: `key=value` lines and `key<<DELIMITER` heredocs."""
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        key, heredoc, delimiter = line.partition("<<")
        if heredoc and "=" not in key:
            outputs[key] = "\n".join(iter(lines.__next__, delimiter))
        else:
            key, _, value = line.partition("=")
            outputs[key] = value
    return outputs


def fake_command(directory: Path, name: str, source: str) -> Path:
    """Install Python source as the executable `name` in directory; return directory (for PATH)."""
    directory.mkdir(parents=True, exist_ok=True)
    command = directory / name
    command.write_text(f"#!{sys.executable}\n{source}")
    command.chmod(0o755)
    return directory


def tracked_files(project: Path) -> set[str]:
    return set(run("git", "ls-files", cwd=project).stdout.split())


@pytest.fixture(scope="session", autouse=True)
def hook_scripts_in_session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """cookiecutter writes each rendered hook to a temporary file it never deletes
    (NamedTemporaryFile(delete=False) in cookiecutter/hooks.py): keep those in pytest's own temp dir."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("hook-scripts"))
    yield
    tempfile.tempdir = previous


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment for every baked project: `make setup` syncs it from each uv.lock.

    Under pytest-xdist each worker has its own session, so its own environment.
    """
    return tmp_path_factory.mktemp("baked-venv") / "venv"


@pytest.fixture(scope="session")
def runner_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `python` of the runner that act plays workflows on (tests/act.py): a scratch venv."""
    from act import runner_python as make_runner_python

    return make_runner_python(tmp_path_factory.mktemp("runner"))


@pytest.fixture
def bake(cookies) -> Iterator:
    """Bake the template with some answers; yields a function returning the project path."""

    def _bake(**answers: str) -> Path:
        result = cookies.bake(extra_context=answers)
        assert result.exception is None, f"bake failed: {result.exception}"
        assert result.exit_code == 0
        return Path(result.project_path)

    yield _bake
