"""What the workflows run, in Python rather than in their `run:` shell:
`{{ cookiecutter.project_slug }} ci ...`.

Every value from outside reaches a command as one argument in a list, never
through a shell, after its allow-list (checked.py). With a reachable DVC remote
the runs restore unchanged stages from it; without one (the default local remote
is not on GitHub's runners; fork pull requests get no secrets) they run from
scratch on the data in git, and say so.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from ..checked import checked, checked_batch
from ..contract import INCOMING, TRAIN
from ..registry.tags import PRODUCTION
from .github import add_summary, notice, set_outputs
from .remote import CIError, default_remote, dvc, pull_batches, push_credentials, unreachable_note


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
    pull_batches()
    current = given or newest_batch()
    reports = Path("reports")
    drifted = run(model or PRODUCTION, current, TRAIN, False, reports)
    add_summary((reports / REPORT_MD).read_text(encoding="utf-8"))
    set_outputs({"drift": "true" if drifted else "false", "batch": str(current)})
    return 0
