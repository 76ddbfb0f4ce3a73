"""`{{ cookiecutter.project_slug }} ci ...`: the workflows' plumbing, hidden from the main help.

Each command is one step of a workflow in .github/workflows/, runnable here too.
Values from outside (inputs, tags, file names) come in as arguments and are
checked against their allow-lists (ops/checked.py) before anything uses them.
"""

import os
from pathlib import Path

import click

from .base import CHECK_FAILED, main, run_tool


@main.group(hidden=True)
def ci() -> None:
    """The workflows' plumbing: each command is one step of a workflow."""


@ci.command("check-params", failure=CHECK_FAILED)
def check_params() -> None:
    """Fail if params.yaml is not what conf/ composes to."""
    from ..config.compose import check
    from ..contract import CONF_DIR, PARAMS

    check()
    print(f"{PARAMS} is up to date with {CONF_DIR}/")


@ci.command("check-lock", failure=CHECK_FAILED)
def check_lock() -> None:
    """Fail if dvc.lock does not match the code and params.

    Missing data is fine: CI may not reach the remote.
    """
    from ..config.lock import check

    print(check())


@ci.command(failure=CHECK_FAILED)
@click.option("--log", type=click.Path(path_type=Path), default=Path("reports/repro.log"), show_default=True)
def repro(log: Path) -> int:
    """Reproduce the pipeline, pulling from a reachable remote.

    Unreachable, it reruns from scratch. Outputs remote and note.
    """
    from ..ci.steps import reproduce

    return reproduce(log)


@ci.command()
def gate() -> None:
    """Record the quality gate's outcome as outputs, without failing.

    Outputs result (passed or failed) and message, for a later job that fails with it.
    """
    from ..ci.github import set_outputs
    from ..contract import ProjectError
    from ..gate import check

    try:
        print(check())
        set_outputs({"result": "passed"})
    except ProjectError as err:
        click.echo(f"error: {err}", err=True)
        set_outputs({"result": "failed", "message": str(err)})


@ci.command()
def push() -> int:
    """Push data, models and the run-cache to the DVC remote."""
    return run_tool("dvc", "push", "--run-cache")


@ci.command("remote-reachable", failure=CHECK_FAILED)
def remote_reachable() -> int:
    """Succeed when the DVC remote is reachable, else say why."""
    from ..ci.steps import default_remote, unreachable_note

    remote = default_remote()
    if remote.reachable():
        print(f"This machine reaches {remote}.")
        return 0
    click.echo(unreachable_note(remote), err=True)
    return CHECK_FAILED


@ci.command()
@click.argument("tag")
@click.option("--expect", type=click.Choice(["registration", "assignment"]), help="Fail on any other event.")
def ref(tag: str, expect: str | None) -> None:
    """Print what a registry tag means, and set it as outputs.

    event, artifact, version, stage and ci, as key=value lines.
    """
    from ..checked import checked
    from ..ci.github import set_outputs
    from ..registry.tags import event

    found = event(checked("tag", tag))
    print("\n".join(f"{key}={value}" for key, value in found.items()))
    set_outputs(found)
    if found["ci"] == "none":
        click.echo(f"{tag} is a {found['event']}: publish.yml neither publishes nor deploys it", err=True)
    if expect and found["event"] != expect:
        from ..registry.tags import RegistryError

        raise RegistryError(f"{tag} is a {found['event']}, not a {expect}")


@ci.command("pull-model")
def pull_model() -> None:
    """Pull HEAD's model and training data from the DVC remote."""
    from ..ci.steps import pull_model as pull

    pull()


@ci.command("pull-batches")
def pull_batches() -> None:
    """Pull data/incoming/ and the training data from the DVC remote."""
    from ..ci.steps import pull_batches as pull

    pull()


@ci.command()
@click.option("--model", default="", help="The model input: a registry version or stage [name#prod].")
@click.option("--batch", default="", help="The batch input: a file in data/incoming/ [the newest].")
def monitor(model: str, batch: str) -> int:
    """Pull the batches and check one for drift.

    Outputs drift (true, false, or none: nothing to check) and batch.
    """
    from ..ci.steps import monitor_batch

    return monitor_batch(model, batch)


@ci.command()
def credentials() -> None:
    """Write the Google Cloud credentials for the job's later steps (0600)."""
    from ..ci.steps import write_cloud_credentials

    print(write_cloud_credentials())


@ci.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("git_args", nargs=-1, type=click.UNPROCESSED, metavar="GIT ARGS...")
def git(git_args: tuple[str, ...]) -> int:
    """Run git, authenticated to github.com with GIT_TOKEN.

    The token goes into a temporary git config of its own, never onto a command line.
    """
    from ..ci.steps import git_with_token

    return git_with_token(list(git_args), os.environ.get("GIT_TOKEN", ""))


@ci.command("pull-request")
@click.option("--branch", required=True, help="The branch to propose.")
@click.option("--base", required=True, help="The branch to merge into.")
@click.option("--title", required=True)
@click.option("--body-file", required=True, type=click.Path(path_type=Path, dir_okay=False))
def pull_request(branch: str, base: str, title: str, body_file: Path) -> None:
    """Open a pull request from BRANCH, or update its open one (GH_TOKEN, GH_REPO)."""
    from ..ci.steps import open_pull_request

    print(open_pull_request(branch, base, title, body_file))


@ci.command()
@click.argument("kind", type=click.Choice(["batch", "tag", "model", "revision", "experiment", "reason"]))
@click.argument("value")
def allow(kind: str, value: str) -> None:
    """Fail unless a value matches its allow-list."""
    from ..checked import checked

    checked(kind, value)


@ci.command("sweep-plan")
@click.option("--max", "limit", type=int, default=20, show_default=True, help="Most combinations.")
@click.option("--name", default="sweep", show_default=True, help="Experiments are NAME-1, NAME-2, ...")
def sweep_plan(limit: int, name: str) -> None:
    """Expand and check the sweep in PARAMS.

    Its matrix JSON to stdout and the step's outputs.
    """
    import json

    from ..checked import checked
    from ..ci.github import set_outputs
    from ..experiments.grid import overrides_or_env, plan

    planned = plan(overrides_or_env(()), checked("experiment", name), limit)
    matrix = json.dumps(planned.matrix(), separators=(",", ":"))
    set_outputs({"matrix": matrix, "count": str(len(planned.experiments))})
    print(matrix)


@ci.command()
@click.argument("name")
def experiment(name: str) -> None:
    """Run one experiment of a sweep and push it.

    NAME with the overrides in PARAMS, one per line.
    """
    from ..ci.steps import run_experiment

    overrides = [line for line in os.environ.get("PARAMS", "").splitlines() if line]
    run_experiment(name, overrides, os.environ.get("GIT_PUSH_TOKEN", ""))


@ci.command("sweep-report")
@click.option("--proposed", is_flag=True, help="As the body of the pull request for the best.")
def sweep_report(proposed: bool) -> int:
    """Rank a sweep's experiments, in Markdown.

    The plan is SWEEP_MATRIX's, the experiments fetched from origin; the best's
    name and overrides go to the step's outputs.
    """
    import shlex

    from ..ci.github import set_outputs
    from ..experiments.ranking import plan_from_matrix, report

    text, finished = report(plan_from_matrix(os.environ.get("SWEEP_MATRIX", "")), True, proposed)
    if finished:
        best = finished[0].experiment
        set_outputs({"best": best.name, "overrides": shlex.join(best.overrides)})
    print(text)
    return 0 if finished else CHECK_FAILED
