"""The default DVC remote, and git and DVC with a token: what every CI step that pulls or pushes uses."""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..commands import ToolError, output, run
from ..contract import INCOMING, MODEL, TRAIN, ProjectError


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
    def dvc_output(*args: str) -> str:  # "" where DVC has none to give
        try:
            return output("dvc", *args)
        except ToolError:
            return ""

    name = dvc_output("remote", "default")
    return Remote(name, dvc_output("config", f"remote.{name}.url") if name else "")


def pin_local_remote() -> str:
    """Write a local default remote's absolute path into .dvc/config.local; the line that says so.

    .dvc/config keeps the path relative, so every clone finds the remote beside it. But DVC
    resolves that path against the tree it reads, and for `dvc push --all-tags` that is a
    temporary tree: each tagged revision's data went to a folder at the filesystem root. The
    absolute path in config.local (git-ignored, this machine's) takes precedence everywhere.
    Both files are read and written with configobj, DVC's own config library: `make setup`
    runs this, and three dvc processes took it 1.7 s.
    """
    from configobj import ConfigObj

    project = ConfigObj(".dvc/config")
    name = project.get("core", {}).get("remote", "")
    url = project.get(f'remote "{name}"', {}).get("url", "") if name else ""
    if not url or "://" in url:
        return f"The DVC remote is {url or 'not set'}: nothing to pin."
    absolute = Path(url) if Path(url).is_absolute() else (Path(".dvc") / url).resolve()
    local = ConfigObj(".dvc/config.local")
    local.setdefault(f'remote "{name}"', {})["url"] = str(absolute)
    local.write()
    return f"The DVC remote '{name}' here is {absolute} (.dvc/config.local)."


def dvc(*args: str) -> None:
    run("dvc", *args)


def unreachable_note(remote: Remote) -> str:
    return f"This machine cannot reach {remote} (a local remote, or no credentials as on fork pull requests)."


@contextmanager
def push_credentials(token: str) -> Iterator[None]:
    """With a token (the workflow's: actions/checkout keeps none), a global git config of its
    own that authenticates pushes to github.com, removed after. DVC pushes with dulwich, which
    reads the global git config, not -c options."""
    if not token:
        yield
        return
    import base64

    saved = os.environ.get("GIT_CONFIG_GLOBAL")
    handle, path = tempfile.mkstemp(prefix="gitconfig-")
    os.close(handle)
    try:
        current = Path(saved or Path.home() / ".gitconfig")
        if current.is_file():
            shutil.copyfile(current, path)
        header = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        # Written here, not by `git config`: a token on a command line is visible to every process.
        with open(path, "a", encoding="utf-8") as config:
            config.write(f'\n[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {header}\n')
        os.environ["GIT_CONFIG_GLOBAL"] = path
        yield
    finally:
        os.unlink(path)
        if saved is None:
            os.environ.pop("GIT_CONFIG_GLOBAL", None)
        else:
            os.environ["GIT_CONFIG_GLOBAL"] = saved


@contextmanager
def google_credentials() -> Iterator[str | None]:
    """GCS_CREDENTIALS_JSON, when the step passes that secret, as a file only this user can read
    (mkstemp: 0600), named in GOOGLE_APPLICATION_CREDENTIALS for this command and the dvc it
    runs, and removed when the command ends. The workflows pass cloud secrets only to the steps
    that reach the remote, so no install, hook or other step sees them or the file."""
    secret = os.environ.get("GCS_CREDENTIALS_JSON", "")
    if not secret:
        yield None
        return
    descriptor, name = tempfile.mkstemp(prefix="gcs-", suffix=".json", dir=os.environ.get("RUNNER_TEMP") or None)
    previous = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secret)
        os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = name
        yield name
    finally:
        Path(name).unlink(missing_ok=True)
        if previous is None:
            os.environ.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        else:
            os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = previous


def git_with_token(args: list[str], token: str) -> int:
    """git ARGS, authenticated to github.com with token, which never reaches a command line."""
    with push_credentials(token):
        return subprocess.run(["git", *args], check=False).returncode


def pull_model() -> None:
    """HEAD's model and training data, for the publish job's gate and bundle."""
    dvc("pull", str(MODEL), str(TRAIN))


def pull_batches() -> None:
    """data/incoming/ and the training data, for retraining."""
    dvc("pull", "--recursive", str(INCOMING), str(TRAIN))
