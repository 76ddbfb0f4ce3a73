"""Turn the rendered files into a ready, committed GitOps repository.

Runs inside the new project directory, after cookiecutter has rendered it:

1. remove the files of options that were not chosen, put the runner labels
   on the `runs-on` lines of the workflows' training jobs, and list the custom
   ones for actionlint;
2. ``git init``, ``dvc init``, configure the DVC remote and DVC's Hydra
   integration;
3. compose ``params.yaml`` from ``conf/``, put the user's CSV (if any) under
   DVC (dvc.yaml reads its path from params.yaml), write uv.lock from the shipped
   lock of these answers (no resolver runs), write the
   answers file and cruft's state file, and make the first commit;
4. print the next steps (on stdout, which cookiecutter passes through, also
   under ``--no-input``).

``cruft update`` runs this hook too: it renders the template at the old and at
the new commit into throwaway directories and applies the difference. Those
renders get their own git repository, DVC state and lock file; the ``skip``
list in ``.cruft.json`` keeps all of them out of the update's patch.

Any failing step exits non-zero, and cookiecutter then deletes the project:
a bake either yields a complete repository or nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

ANSWERS_FILE = ".cookiecutter.json"
CRUFT_FILE = ".cruft.json"
# Left out of `cruft update`: the throwaway repositories of its renders (this hook makes them
# there too), cruft's own state, and files made by tools, not the template: after an update,
# `uv lock`, `make params` and `make repro` remake them from the updated sources.
CRUFT_SKIP = [".git", ".dvc/tmp", ".dvc/cache", CRUFT_FILE, ".secrets.baseline", "uv.lock", "params.yaml", "dvc.lock"]
SAMPLE_CSV = {"classification": "data/raw/sample_classification.csv", "regression": "data/raw/sample_regression.csv"}
USER_CSV = "data/raw/data.csv"
DATASET_CONFIGS = ("breast_cancer", "wine", "diabetes", "csv")
TASK_ONLY_MODELS = {"classification": "conf/model/logistic_regression.yaml", "regression": "conf/model/ridge.yaml"}
QUIET_ENV = {"DVC_NO_ANALYTICS": "1", "UV_NO_PROGRESS": "1"}
# The template ships the project's lock, one per DVC extra (the only dependency an answer changes),
# resolved for LOCKED_NAME and LOCKED_PYTHON by `make locks`: a bake runs no resolver and needs no
# package index, and every bake of the same answers gets the versions the harness tested.
SHIPPED_LOCKS = ".locks"
LOCKED_NAME, LOCKED_PYTHON = "lock-project", "3.11"
RELOCK = "TEMPLATE_RELOCK"  # set by `make locks`: resolve with `uv lock` instead
# Workflows are copied without rendering (GitHub's expressions look like Jinja); the jobs that train
# mark their runner line instead, and set_runner_labels() puts the runner_labels answer there.
# Their steps call the project's command (`<project_slug> ci repro`): the template writes
# COMMAND there, a name that keeps the file valid YAML, and name_the_command() writes the slug.
WORKFLOWS = ".github/workflows"
COMMAND = "__project_slug__"
RUNNER_LINE = re.compile(r"^(?P<key>\s*runs-on:) ubuntu-latest(?P<marker> # runner_labels\b.*)$", re.MULTILINE)
# Runner labels actionlint knows by itself (it compares them ignoring case): GitHub-hosted images
# and the labels every self-hosted runner has. Any other label must be listed in ACTIONLINT_CONFIG,
# or its runner-label check fails. The pattern is narrow on purpose: listing a label actionlint
# already knows is harmless, leaving out one it does not know is a finding.
GITHUB_HOSTED_LABEL = re.compile(
    r"ubuntu-(latest|slim|\d+\.\d+(-arm)?)|macos-(latest|\d+)(-intel|-large|-xlarge)?", re.IGNORECASE
)
SELF_HOSTED_LABELS = {"self-hosted", "linux", "macos", "windows", "x64", "arm", "arm64"}
ACTIONLINT_CONFIG = ".github/actionlint.yaml"


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


def yaml_scalar(label: str) -> str:
    """A runner label as YAML: plain, or quoted where YAML would read something else (`true`, `1.0`)."""
    import yaml  # the bake environment has PyYAML: hydra-core, checked by pre_gen_project, needs it

    return label if yaml.safe_load(label) == label else json.dumps(label)


def runs_on(answer: str) -> str:
    """The YAML value of `runs-on` for comma-separated labels: a plain string for one, a flow list for several."""
    scalars = [yaml_scalar(label.strip()) for label in answer.split(",")]
    return scalars[0] if len(scalars) == 1 else f"[{', '.join(scalars)}]"


def name_the_command(answers: dict[str, str], workflows: Path = Path(WORKFLOWS)) -> None:
    """Write the project's command into the workflows, where they hold COMMAND."""
    for path in sorted(workflows.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if COMMAND in text:
            path.write_text(text.replace(COMMAND, answers["project_slug"]), encoding="utf-8")


def set_runner_labels(answers: dict[str, str], workflows: Path = Path(WORKFLOWS)) -> list[str]:
    """Put the runner labels on every `runs-on: ubuntu-latest # runner_labels` line; the files changed."""
    value, changed = runs_on(answers["runner_labels"]), []
    for path in sorted(workflows.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        updated = RUNNER_LINE.sub(lambda line: f"{line['key']} {value}{line['marker']}", text)
        if RUNNER_LINE.search(text):
            path.write_text(updated, encoding="utf-8")
            changed.append(path.name)
    if not changed:
        raise BakeError(f"no workflow in {workflows} has a `runs-on: ubuntu-latest # runner_labels` line")
    return changed


def custom_runner_labels(answer: str) -> list[str]:
    """The labels of the answer that actionlint does not know by itself, as written."""
    labels = [label.strip() for label in answer.split(",")]
    return [
        label
        for label in labels
        if label.lower() not in SELF_HOSTED_LABELS and not GITHUB_HOSTED_LABEL.fullmatch(label)
    ]


def write_actionlint_config(answers: dict[str, str], path: Path = Path(ACTIONLINT_CONFIG)) -> bool:
    """Write actionlint's config listing the custom runner labels, if there are any; whether it did.

    Only then: without the file actionlint checks everything else the same way, and most
    repositories have none. actionlint matches listed labels case-sensitively, so they are kept as answered.
    """
    labels = custom_runner_labels(answers["runner_labels"])
    if not labels:
        return False
    lines = [
        "# actionlint (a pre-commit hook) checks every `runs-on:` label against GitHub's hosted runners.",
        "# These are the labels of your self-hosted runners (the runner_labels answer): list new ones here.",
        "self-hosted-runner:",
        "  labels:",
        *(f"    - {yaml_scalar(label)}" for label in labels),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def run(*command: str) -> None:
    """Run a bake step, raising BakeError with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BakeError(f"`{' '.join(command)}` failed:\n{result.stdout}{result.stderr}".rstrip())


def lock_variant(answers: dict[str, str]) -> str:
    """The shipped lock for these answers: the DVC remote's extra, or plain DVC."""
    return answers["dvc_remote"] if answers["dvc_remote"] in ("s3", "gs", "azure") else "plain"


def place_lock(answers: dict[str, str]) -> None:
    """uv.lock from the shipped lock, with this project's name and Python; or `uv lock --upgrade` of it under RELOCK."""
    shipped = Path(SHIPPED_LOCKS, f"{lock_variant(answers)}.lock")
    if os.environ.get(RELOCK):
        # Upgrade the shipped lock rather than resolve afresh: the result is the same, and uv
        # prints each version it changes ("Updated idna v3.10 -> v3.11"), which the locks
        # workflow puts in its pull request.
        if shipped.exists():
            shutil.copyfile(shipped, "uv.lock")
        if subprocess.run(["uv", "lock", "--upgrade"], check=False).returncode != 0:
            raise BakeError("`uv lock --upgrade` failed (uv said why above)")
    else:
        text = shipped.read_text(encoding="utf-8")
        # uv names the project in its own entry and records requires-python once, in the header;
        # `uv sync --locked` validates the result against pyproject.toml (the harness runs it).
        root = f'[[package]]\nname = "{LOCKED_NAME}"\n'
        header = f'\nrequires-python = ">={LOCKED_PYTHON}"\n'
        if text.count(root) != 1 or text.count(header) != 1:
            raise BakeError(f"{shipped} is not a lock of {LOCKED_NAME} for Python {LOCKED_PYTHON}: run `make locks`")
        text = text.replace(root, f'[[package]]\nname = "{answers["project_slug"]}"\n')
        text = text.replace(header, f'\nrequires-python = ">={answers["python_version"]}"\n')
        Path("uv.lock").write_text(text, encoding="utf-8")
    shutil.rmtree(SHIPPED_LOCKS)


def dvc(*args: str) -> None:
    """Run a DVC command in this process: DVC's own CLI, without a second's start-up per call."""
    from dvc.cli import main as dvc_main  # the bake environment's DVC, checked by pre_gen_project

    if dvc_main([*args, "--quiet"]) != 0:
        raise BakeError(f"`dvc {' '.join(args)}` failed (see DVC's message above)")


def init_repositories(answers: dict[str, str]) -> None:
    run("git", "init", "--quiet", "-b", "main")
    dvc("init", "--quiet")
    # No usage analytics from this project, on any machine or runner: it is in the committed config.
    dvc("config", "core.analytics", "false")
    dvc("config", "hydra.enabled", "true")
    dvc("config", "hydra.config_dir", "conf")
    if answers["dvc_remote"] != "none":
        dvc("remote", "add", "--default", answers["dvc_remote"], answers["dvc_remote_url"])


def track_user_csv(answers: dict[str, str]) -> None:
    """`dvc add` the user's CSV, after compose_params: DVC reads dvc.yaml, where prepare depends on ${data.path}."""
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


def git_output(*args: str, cwd: Path) -> str | None:
    """What a git query prints, or None where git refuses (e.g. not in a work tree)."""
    result = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def locate_template(answers: dict[str, str]) -> tuple[str, str | None, str | None]:
    """The template as cruft can clone it again, the commit baked, and the subdirectory, if any.

    cookiecutter reads a local template in place and clones a URL (or gh: shorthand) into its
    cookiecutters_dir; `_repo_dir` names either. A relative path counts from where cookiecutter
    was started ($PWD). A template outside git (a zip, a plain folder) has no commit to record.
    """
    started_in = os.environ.get("PWD", "")
    repo_dir = Path(started_in, answers["_repo_dir"])
    top = git_output("rev-parse", "--show-toplevel", cwd=repo_dir)
    if top is None or not (repo_dir / "cookiecutter.json").is_file():
        return answers["_template"], None, None
    if Path(started_in, answers["_template"]).is_dir():
        template = top
    else:  # cookiecutter's clone: its origin is the URL with any shorthand expanded
        template = git_output("config", "--get", "remote.origin.url", cwd=repo_dir) or answers["_template"]
    directory = (git_output("rev-parse", "--show-prefix", cwd=repo_dir) or "").rstrip("/") or None
    return template, git_output("rev-parse", "HEAD", cwd=repo_dir), directory


def cruft_state(answers: dict[str, str]) -> dict[str, object]:
    """cruft's record of where the project came from, so `cruft check` and `cruft update` work.

    A cruft render has no `_repo_dir` but the template and `_commit` cruft found; cruft then
    writes its own record anyway. Paths of this machine (`_output_dir`, `_repo_dir`) stay out.
    """
    if "_repo_dir" in answers:
        template, commit, directory = locate_template(answers)
    else:
        template, commit, directory = answers["_template"], answers.get("_commit"), None
    context = {key: value for key, value in answers.items() if not key.startswith("_")}
    return {
        "template": template,
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": {**context, "_template": template, "_commit": commit}},
        "directory": directory,
        "skip": CRUFT_SKIP,
    }


def write_cruft_state(answers: dict[str, str]) -> None:
    """Write .cruft.json as cruft itself formats it, so its rewrites after an update stay small."""
    text = json.dumps(cruft_state(answers), ensure_ascii=False, indent=2, separators=(",", ": "))
    Path(CRUFT_FILE).write_text(text + "\n", encoding="utf-8")


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


def next_steps(answers: dict[str, str], project: Path, started_in: str) -> list[str]:
    """What to run after the bake: the lines printed last.

    `cd` takes the bare directory name when cookiecutter was started in the output directory
    ($PWD: the hook's own cwd is the project), else the absolute path, which is right from anywhere.
    """
    where = project.name if started_in and Path(started_in).resolve() == project.parent else str(project)
    # A cloud remote needs its credentials first; the local one works as it is.
    pages = "" if answers["dvc_remote"] == "local" else ", then docs/your-data.md for the DVC remote"
    return [
        f"Baked {answers['project_name']} in {project}.",
        "Next steps:",
        f"  cd {where}",
        "  make setup    # .venv from uv.lock, plus the git hooks",
        "  make repro    # compose params.yaml from conf/, run prepare -> train -> evaluate",
        '  git add --all && git commit -m "First training run"    # dvc.lock and metrics',
        f"Then read README.md{pages}.",
    ]


def main() -> int:
    answers = json.loads(ANSWERS_JSON)
    os.environ.update(QUIET_ENV)  # for DVC in this process and every tool it starts
    try:
        remove_unused(answers)
        set_runner_labels(answers)
        name_the_command(answers)
        write_actionlint_config(answers)
        init_repositories(answers)
        compose_params()
        track_user_csv(answers)
        place_lock(answers)
        write_answers(answers)
        write_cruft_state(answers)
        first_commit(answers)
    except BakeError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    print("\n".join(next_steps(answers, Path.cwd(), os.environ.get("PWD", ""))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
