"""Turn the rendered files into a ready, committed GitOps repository.

Runs inside the new project directory, after cookiecutter has rendered it:

1. remove the files of options that were not chosen;
2. ``git init``, ``dvc init``, configure the DVC remote and DVC's Hydra
   integration, and put the user's CSV (if any) under DVC;
3. compose ``params.yaml`` from ``conf/``, lock the dependencies, write the
   answers file and make the first commit.

Any failing step exits non-zero, and cookiecutter then deletes the project:
a bake either yields a complete repository or nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

ANSWERS_FILE = ".cookiecutter.json"
SAMPLE_CSV = {"classification": "data/raw/sample_classification.csv", "regression": "data/raw/sample_regression.csv"}
USER_CSV = "data/raw/data.csv"
DATASET_CONFIGS = ("breast_cancer", "wine", "diabetes", "csv")
TASK_ONLY_MODELS = {"classification": "conf/model/logistic_regression.yaml", "regression": "conf/model/ridge.yaml"}
QUIET_ENV = {"DVC_NO_ANALYTICS": "1", "UV_NO_PROGRESS": "1"}


class BakeError(RuntimeError):
    """A bake step failed; its message says which and why."""


def unused_paths(answers: dict[str, str]) -> list[str]:
    """Files of options that were not chosen."""
    task, dataset = answers["task"], answers["dataset"]
    paths = [f"conf/data/{name}.yaml" for name in DATASET_CONFIGS if name != dataset]
    paths += [path for other, path in TASK_ONLY_MODELS.items() if other != task]
    paths += [path for other, path in SAMPLE_CSV.items() if dataset != "csv" or other != task]
    if answers["license"] == "Proprietary":
        paths.append("LICENSE")
    return paths


def remove_unused(answers: dict[str, str]) -> None:
    for path in unused_paths(answers):
        Path(path).unlink()
    if answers["dataset"] == "csv":
        Path(SAMPLE_CSV[answers["task"]]).rename(USER_CSV)
    else:  # prepare writes the embedded dataset here; git keeps no empty folder
        Path(USER_CSV).parent.rmdir()


def run(*command: str) -> None:
    """Run a bake step, raising BakeError with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BakeError(f"`{' '.join(command)}` failed:\n{result.stdout}{result.stderr}".rstrip())


def dvc(*args: str) -> None:
    """Run a DVC command in this process: DVC's own CLI, without a second's start-up per call."""
    from dvc.cli import main as dvc_main  # the bake environment's DVC, checked by pre_gen_project

    if dvc_main([*args, "--quiet"]) != 0:
        raise BakeError(f"`dvc {' '.join(args)}` failed (see DVC's message above)")


def init_repositories(answers: dict[str, str]) -> None:
    run("git", "init", "--quiet", "-b", "main")
    dvc("init", "--quiet")
    dvc("config", "hydra.enabled", "true")
    dvc("config", "hydra.config_dir", "conf")
    if answers["dvc_remote"] != "none":
        dvc("remote", "add", "--default", answers["dvc_remote"], answers["dvc_remote_url"])
    if answers["dataset"] == "csv":
        dvc("add", "--quiet", USER_CSV)


def compose_params() -> None:
    """Write params.yaml exactly as `dvc exp run` would, with DVC's own composer."""
    from dvc.utils.hydra import compose_and_dump

    compose_and_dump("params.yaml", str(Path("conf").resolve()), None, "config", "", [])


def write_answers(answers: dict[str, str]) -> None:
    """Keep the answers (minus machine-specific paths) so the project can be updated."""
    kept = {key: value for key, value in answers.items() if not key.startswith("_") or key == "_template"}
    Path(ANSWERS_FILE).write_text(json.dumps(kept, indent=2) + "\n", encoding="utf-8")


def git_identity(answers: dict[str, str]) -> list[str]:
    """Fall back to the author's answers where git has no user configured."""
    args = []
    for key, answer in (("user.name", "author_name"), ("user.email", "author_email")):
        configured = subprocess.run(["git", "config", key], capture_output=True, text=True, check=False)
        if not configured.stdout.strip():
            args += ["-c", f"{key}={answers[answer]}"]
    return args


def first_commit(answers: dict[str, str]) -> None:
    run("git", "add", "--all")
    message = "Initial commit, generated with cookiecutter"
    run("git", *git_identity(answers), "commit", "--quiet", "--no-verify", "-m", message)


def main() -> int:
    answers = json.loads(ANSWERS_JSON)
    os.environ.update(QUIET_ENV)  # for DVC in this process and every tool it starts
    try:
        remove_unused(answers)
        init_repositories(answers)
        compose_params()
        run("uv", "lock", "--quiet")
        write_answers(answers)
        first_commit(answers)
    except BakeError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
