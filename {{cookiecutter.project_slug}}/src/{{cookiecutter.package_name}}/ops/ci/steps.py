"""What the workflows run, in Python rather than in their `run:` shell:
`{{ cookiecutter.project_slug }} ci ...`.

Every value from outside reaches a command as one argument in a list, never
through a shell, after its allow-list (checked.py). With a reachable DVC remote
the runs restore unchanged stages from it; without one (the default local remote
is not on GitHub's runners; fork pull requests get no secrets) they run from
scratch on the data in git, and say so.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..checked import checked, checked_batch
from ..contract import INCOMING, MODEL, TRAIN, ProjectError
from ..registry.tags import ARTIFACT
from .github import add_summary, notice, set_outputs


class CIError(ProjectError):
    """A CI step cannot go on."""


@dataclass(frozen=True)
class Remote:
    """The default DVC remote, as .dvc/config writes it."""

    name: str
    url: str

    def reachable(self) -> bool:
        """False without a default remote, for a local remote not on this machine, and for a
        cloud remote without credentials."""
        if not self.url:
            return False
        if "://" in self.url:
            return subprocess.run(["dvc", "status", "--cloud"], capture_output=True, check=False).returncode == 0
        path = Path(self.url)
        return (path if path.is_absolute() else Path(".dvc") / path).is_dir()

    def __str__(self) -> str:
        return f"the DVC remote '{self.name}' ({self.url})" if self.name else "no default DVC remote"


def default_remote() -> Remote:
    def dvc_output(*args: str) -> str:
        found = subprocess.run(["dvc", *args], capture_output=True, text=True, check=False)
        return found.stdout.strip() if found.returncode == 0 else ""

    name = dvc_output("remote", "default")
    return Remote(name, dvc_output("config", f"remote.{name}.url") if name else "")


def dvc(*args: str) -> None:
    if subprocess.run(["dvc", *args], check=False).returncode != 0:
        raise CIError(f"`dvc {' '.join(args)}` failed (see DVC's message above)")


def unreachable_note(remote: Remote) -> str:
    return f"This machine cannot reach {remote} (a local remote, or no credentials as on fork pull requests)."


def reproduce(log: Path) -> int:
    """`dvc repro`, with --pull when the remote is reachable; each line of its output stamped
    with the seconds since the start (`[   12.3s] Running stage 'train':`, for the PR report)
    to the terminal and to log. Outputs `remote=reachable|unreachable` and a one-line `note`."""
    remote = default_remote()
    if remote.reachable():
        state, note, command = "reachable", f"Unchanged stages were restored from {remote}.", ["dvc", "repro", "--pull"]
    else:
        note = f"{unreachable_note(remote)} The pipeline was reproduced from scratch."
        state, command = "unreachable", ["dvc", "repro"]
    print(note, flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the stages flush every line: a stamp is when it was printed
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as run, \
            log.open("w", encoding="utf-8") as saved:  # fmt: skip
        for line in run.stdout:  # type: ignore[union-attr]
            stamped = f"[{time.monotonic() - start:7.1f}s] {line}"
            sys.stdout.write(stamped)
            saved.write(stamped)
    set_outputs({"remote": state, "note": note})
    return 1 if run.returncode else 0


def run_experiment(name: str, overrides: list[str], push_token: str = "") -> None:
    """Run one experiment of a sweep and push it: its git ref always, its outputs when the
    remote is reachable (then unchanged stages are restored from it, too)."""
    checked("experiment", name)
    remote = default_remote()
    if remote.reachable():
        print(f"Unchanged stages are restored from {remote}.")
        run, push = ["exp", "run", "--pull"], ["exp", "push", "--force", "origin", name]
    else:
        print(f"{unreachable_note(remote)} The experiment runs from scratch and only its git ref is pushed.")
        run, push = ["exp", "run"], ["exp", "push", "--force", "--no-cache", "origin", name]
    dvc(*run, "--name", name, *(arg for override in overrides for arg in ("-S", override)))
    with push_credentials(push_token):
        dvc(*push)


class push_credentials:
    """With a token (the workflow's: actions/checkout keeps none), a global git config of its
    own that authenticates pushes to github.com, removed after. DVC pushes with dulwich, which
    reads the global git config, not -c options."""

    def __init__(self, token: str) -> None:
        self.token, self.saved = token, os.environ.get("GIT_CONFIG_GLOBAL")

    def __enter__(self) -> None:
        if not self.token:
            return
        import base64

        handle, self.path = tempfile.mkstemp(prefix="gitconfig-")
        os.close(handle)
        current = Path(self.saved or Path.home() / ".gitconfig")
        if current.is_file():
            shutil.copyfile(current, self.path)
        header = base64.b64encode(f"x-access-token:{self.token}".encode()).decode()
        key = "http.https://github.com/.extraheader"
        subprocess.run(["git", "config", "--file", self.path, key, f"AUTHORIZATION: basic {header}"], check=True)
        os.environ["GIT_CONFIG_GLOBAL"] = self.path

    def __exit__(self, *exc: object) -> None:
        if not self.token:
            return
        os.unlink(self.path)
        if self.saved is None:
            os.environ.pop("GIT_CONFIG_GLOBAL", None)
        else:
            os.environ["GIT_CONFIG_GLOBAL"] = self.saved


def batch_input(batch: str) -> Path | None:
    """The batch input (a name, or a path in data/incoming/), checked; None when not given."""
    if not batch:
        return None
    path = Path(batch)
    if path.parent not in (Path(), INCOMING):
        raise CIError(f"refused the batch {batch!r}: name a file in {INCOMING}/")
    return checked_batch(INCOMING / path.name)


def monitor_batch(model: str, batch: str) -> int:
    """The scheduled monitor run: pull the batches, check one for drift, say what was found.

    Outputs `drift` (true, false or none: nothing to check) and `batch`. A day with nothing
    to check is not a failure: a notice says why.
    """
    from ..monitoring.report import REPORT_MD, newest_batch, run

    given = batch_input(batch)  # the inputs are checked before anything else happens
    if model:
        checked("model", model, "model input")
    if not any(INCOMING.glob("*.dvc")):
        notice("Nothing monitored", f"No batch is tracked in {INCOMING}/ yet (see its README.md): nothing to monitor.")
        set_outputs({"drift": "none"})
        return 0
    remote = default_remote()
    if not remote.reachable():
        fix = "use a cloud remote with its secrets, or a self-hosted runner (runner_labels) that reaches it"
        notice("Nothing monitored", f"{unreachable_note(remote)} The batches cannot be pulled: {fix}.")
        set_outputs({"drift": "none"})
        return 0
    dvc("pull", "--recursive", str(INCOMING), str(TRAIN))
    current = given or newest_batch()
    reports = Path("reports")
    drifted = run(model or f"{ARTIFACT}#prod", current, TRAIN, False, reports)
    add_summary((reports / REPORT_MD).read_text(encoding="utf-8"))
    set_outputs({"drift": "true" if drifted else "false", "batch": str(current)})
    return 0


def write_cloud_credentials() -> str:
    """Google Cloud's credentials from GCS_CREDENTIALS_JSON into a file only this user can read,
    named in GOOGLE_APPLICATION_CREDENTIALS for the job's later steps; what it did."""
    secret = os.environ.get("GCS_CREDENTIALS_JSON", "")
    if not secret:
        return "No GCS_CREDENTIALS_JSON secret: no Google Cloud credentials written."
    path = Path(os.environ.get("RUNNER_TEMP", tempfile.gettempdir())) / "gcs.json"
    path.touch(mode=0o600)
    path.write_text(secret, encoding="utf-8")
    env_file = os.environ.get("GITHUB_ENV")
    if env_file:
        with open(env_file, "a", encoding="utf-8") as env:
            env.write(f"GOOGLE_APPLICATION_CREDENTIALS={path}\n")
    return f"Google Cloud credentials written to {path}."


def git_with_token(args: list[str], token: str) -> int:
    """git ARGS, authenticated to github.com with token, which never reaches a command line."""
    with push_credentials(token):
        return subprocess.run(["git", *args], check=False).returncode


def open_pull_request(branch: str, base: str, title: str, body_file: Path) -> str:
    """Open a pull request from branch, or update the open one (one proposal per branch)."""
    checked("revision", branch, "branch")
    checked("revision", base, "base branch")

    def gh(*args: str) -> str:
        done = subprocess.run(["gh", *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CIError(f"`gh {args[0]} {args[1]}` failed: {done.stderr.strip()}")
        return done.stdout.strip()

    number = gh("pr", "list", "--head", branch, "--state", "open", "--json", "number", "--jq", ".[0].number // empty")
    if number:
        gh("pr", "edit", number, "--title", title, "--body-file", str(body_file))
        return f"Updated pull request #{number}"
    return gh("pr", "create", "--base", base, "--head", branch, "--title", title, "--body-file", str(body_file))


def pull_model() -> None:
    """HEAD's model and training data, for the publish job's gate and bundle."""
    dvc("pull", str(MODEL), str(TRAIN))


def pull_batches() -> None:
    """data/incoming/ and the training data, for retraining."""
    dvc("pull", "--recursive", str(INCOMING), str(TRAIN))
