"""Validate every answer before cookiecutter writes a single file.

Cookiecutter renders this file with Jinja, so the answers arrive as a JSON
string (read as data, never pasted in as code). Importing the module without
rendering it, as the template's unit tests do, is harmless: validation runs
only under ``__main__``.

A failing check prints one line naming the option and what is allowed, then
exits non-zero: cookiecutter removes the half-made project directory.
"""

from __future__ import annotations

import importlib.util
import json
import keyword
import posixpath
import re
import shutil
import sys

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

# A GitHub user or organisation name: letters, digits and single inner hyphens, at most 39 characters.
GITHUB_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
# One owner in CODEOWNERS: a user (@user), a team (@org/team-slug) or an email address. A bare
# @org reads like a user, so no pattern can refuse it: the prompt and the README say to use a team.
CODE_OWNER = rf"(?:@{GITHUB_NAME}(?:/[A-Za-z0-9][A-Za-z0-9_-]*)?|[^@\s]+@[^@\s]+\.[^@\s]+)"

# Free-text answers: the pattern each must match, and how to describe it.
PATTERNS = {
    "project_slug": (
        r"[a-z][a-z0-9]*(-[a-z0-9]+)*",
        "lowercase letters and digits in words joined by single hyphens, starting with a letter, e.g. my-ml-project",
    ),
    "package_name": (r"[a-z][a-z0-9_]*", "a lowercase Python identifier, e.g. my_ml_project"),
    "author_email": (r"[^@\s]+@[^@\s]+\.[^@\s]+", "an address like you@example.com"),
    "github_owner": (GITHUB_NAME, "a GitHub user or organisation name"),
    "code_owners": (
        rf"\s*{CODE_OWNER}(?:\s+{CODE_OWNER})*\s*",
        "owners separated by spaces, each @user, @org/team (an organisation needs a team) or an email",
    ),
    # GitHub Actions runner labels, comma-separated: `runs-on` of the jobs that train.
    "runner_labels": (
        r"\s*[A-Za-z0-9][A-Za-z0-9_.-]*(\s*,\s*[A-Za-z0-9][A-Za-z0-9_.-]*)*\s*",
        "runner labels separated by commas, each of letters, digits, '.', '_' and '-', "
        "e.g. ubuntu-latest or self-hosted, linux, gpu",
    ),
}

PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
DATASETS = {
    "classification": ("breast_cancer", "wine", "csv"),
    "regression": ("diabetes", "csv"),
}
REMOTE_SCHEMES = {"s3": "s3://", "gs": "gs://", "azure": "azure://"}
LICENSES = ("MIT", "BSD-3-Clause", "Apache-2.0", "Proprietary")
# Bake-time tools: post_gen_project runs them to initialise the repository (uv.lock ships with
# the template, so no resolver runs; `make setup` installs uv where it is missing).
BAKE_COMMANDS = ("git",)
BAKE_MODULES = {"dvc": "dvc", "hydra": "hydra-core"}
BAKE_FIX = (
    "run cookiecutter from an environment that has them, e.g. `uvx --with dvc cookiecutter <template>`, "
    "or an activated venv after `pip install cookiecutter dvc uv`"
)


class AnswerError(ValueError):
    """An answer that the template cannot use."""


def validate(answers: dict[str, str]) -> None:
    """Raise AnswerError for the first answer that is not allowed."""
    # An empty name reaches this hook only because cookiecutter.json's slug then falls back to
    # 'empty-project-name': an empty slug names the output directory itself, and cookiecutter
    # stops before any hook with '"<dir>" directory already exists'.
    if not answers["project_name"].strip():
        raise AnswerError("project_name: must not be empty; pass a name such as project_name='My ML Project'")
    for key, (pattern, allowed) in PATTERNS.items():
        if not re.fullmatch(pattern, answers[key]):
            raise AnswerError(f"{key}: {answers[key]!r}{_origin(answers, key)} is not valid; use {allowed}")
    _check_importable(answers)
    _choose(answers, "python_version", PYTHON_VERSIONS)
    _choose(answers, "task", tuple(DATASETS))
    _choose(answers, "dataset", DATASETS[answers["task"]], f"for task {answers['task']}")
    _choose(answers, "dvc_remote", ("local", *REMOTE_SCHEMES, "none"))
    _check_remote_url(answers["dvc_remote"], answers["dvc_remote_url"])
    _choose(answers, "license", LICENSES)
    _check_runner_labels(answers["runner_labels"])


def check_bake_tools() -> None:
    """Raise AnswerError when a tool that post_gen_project needs is missing."""
    missing = [command for command in BAKE_COMMANDS if shutil.which(command) is None]
    missing += [dist for module, dist in BAKE_MODULES.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise AnswerError(f"missing bake-time tools: {', '.join(missing)}; {BAKE_FIX}")


def _choose(answers: dict[str, str], key: str, choices: tuple[str, ...], context: str = "") -> None:
    if answers[key] not in choices:
        where = f" {context}" if context else ""
        raise AnswerError(f"{key}: {answers[key]!r} is not allowed{where}; choose one of {', '.join(choices)}")


def _derived(answers: dict[str, str], key: str) -> bool:
    """True when the answer is the default cookiecutter.json derives from project_name (mirrors its Jinja)."""
    slug = answers["project_name"].lower().strip().replace(" ", "-").replace("_", "-")
    return {"project_slug": slug, "package_name": slug.replace("-", "_")}.get(key) == answers[key]


def _origin(answers: dict[str, str], key: str) -> str:
    """Where a derived answer came from, so the user knows which option to change."""
    return f" (made from project_name {answers['project_name']!r})" if _derived(answers, key) else ""


def _check_importable(answers: dict[str, str]) -> None:
    """package_name fits the identifier pattern; it must also be a name `import` accepts and that hides nothing.

    Soft keywords (match, case, type) import fine and pass. A standard-library name loses to that
    module: the stdlib comes before the editable install's src/ on sys.path, so `import json` never
    reaches src/json/.
    """
    name = answers["package_name"]
    named, fix = (
        f"package_name: {name!r}{_origin(answers, 'package_name')}",
        f"pass package_name={name}_ml or another name",
    )
    if keyword.iskeyword(name):
        raise AnswerError(f"{named} is a Python keyword, so `import {name}` fails; {fix}")
    if name in sys.stdlib_module_names:
        raise AnswerError(f"{named} is a module of Python's standard library, which `import` would find instead; {fix}")


def _check_remote_url(remote: str, url: str) -> None:
    if remote == "none":
        return
    if not url.strip():
        raise AnswerError(f"dvc_remote_url: must not be empty for dvc_remote {remote}")
    scheme = REMOTE_SCHEMES.get(remote)
    if scheme and not url.startswith(scheme):
        raise AnswerError(f"dvc_remote_url: {url!r} does not fit dvc_remote {remote}; use a URL starting with {scheme}")
    if remote == "local" and ("://" in url or not _outside_project(url)):
        raise AnswerError(
            f"dvc_remote_url: {url!r} is not a directory outside the project; "
            "dvc_remote local takes an absolute path or one starting with ../"
        )


def _check_runner_labels(answer: str) -> None:
    """Labels that fit the pattern: no repeats (GitHub ignores their case), and no Windows runner."""
    labels = [label.strip().lower() for label in answer.split(",")]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise AnswerError(f"runner_labels: {answer!r} repeats {', '.join(repeated)}; name each label once")
    if any(label == "windows" or label.startswith("windows-") for label in labels):
        raise AnswerError(
            f"runner_labels: {answer!r} picks a Windows runner; the workflows run bash and make, use Linux or macOS"
        )


def _outside_project(path: str) -> bool:
    """True when a path, taken relative to the project directory, leaves it."""
    return posixpath.isabs(path) or posixpath.normpath(path).startswith("..")


def main() -> int:
    try:
        validate(json.loads(ANSWERS_JSON))
        check_bake_tools()
    except AnswerError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
