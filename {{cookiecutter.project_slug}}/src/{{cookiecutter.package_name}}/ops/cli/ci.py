"""`{{ cookiecutter.project_slug }} ci ...`: the workflows' plumbing, hidden from the main help.

Each command is one step of a workflow in .github/workflows/, runnable here too.
Values from outside (inputs, tags, file names) come in as arguments and are
checked against their allow-lists (ops/checked.py) before anything uses them.
"""

import os
from pathlib import Path

import click

from ..checked import PATTERNS
from .base import CHECK_FAILED, blank_is_none, main, run_tool


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


@ci.command("bundle-commit")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.argument("version")
def bundle_commit(bundle: Path, version: str) -> None:
    """deploy: fail unless BUNDLE was built from VERSION's tagged commit."""
    from ..registry.bundle import BundleError, check_bundle, registered

    tagged = registered(version)
    manifest, _ = check_bundle(bundle)  # reads the manifest; loads nothing
    if manifest.get("git_commit") != tagged.commit:
        raise BundleError(f"{bundle} was built from {manifest.get('git_commit')}, not {tagged.tag} ({tagged.commit})")
    print(f"{bundle} was built from {tagged.tag} ({tagged.commit[:12]}).")


@ci.command("push-image")
@click.argument("version")
@click.option("--registry", required=True, help="The registry's host[:port], e.g. ghcr.io.")
@click.option("--repository", required=True, help="The GitHub repository, owner/name.")
@click.option("--bundle", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="The bundle to serve.")
@click.option("--base-image", callback=blank_is_none, help="The image to build on [python:<version>-slim].")
def push_image(version: str, registry: str, repository: str, bundle: Path | None, base_image: str | None) -> None:
    """publish: build VERSION's image, push it as REGISTRY/REPOSITORY:X.Y.Z.

    With BUNDLE inside (checked to be VERSION's), else a new one. Logs in with
    REGISTRY_USER and REGISTRY_TOKEN. Outputs name and digest; dist/image.txt
    holds name@digest.
    """
    from ..ci.github import set_outputs
    from ..ci.images import push_image as push

    name, digest = push(version, bundle, base_image, registry, repository)
    set_outputs({"name": name, "digest": digest})
    print(f"{name}@{digest}")


@ci.command("stage-image")
@click.argument("pinned", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("stage")
@click.option("--owner", required=True, help="Whose attestation the image must carry.")
def stage_image(pinned: Path, stage: str, owner: str) -> None:
    """deploy: tag the image PINNED names (name@sha256:...) with STAGE.

    Only once `gh attestation verify` finds OWNER's attestation of that digest.
    """
    from ..ci.github import add_summary
    from ..ci.images import stage_image as stage_it

    staged = stage_it(pinned, stage, owner)
    print(staged)
    add_summary(f"Image `{staged}` = `{pinned.read_text().strip()}`, its attestation verified.")


@ci.command("pin-remote")
def pin_remote() -> None:
    """`make setup`: a local DVC remote's absolute path in .dvc/config.local."""
    from ..ci.remote import pin_local_remote

    print(pin_local_remote())


@ci.command("remote-reachable", failure=CHECK_FAILED)
def remote_reachable() -> int:
    """Succeed when the DVC remote is reachable, else say why."""
    from ..ci.remote import default_remote, unreachable_note

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
    from ..ci.remote import pull_model as pull

    pull()


@ci.command("pull-batches")
def pull_batches() -> None:
    """Pull data/incoming/ and the training data from the DVC remote."""
    from ..ci.remote import pull_batches as pull

    pull()


@ci.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("git_args", nargs=-1, type=click.UNPROCESSED, metavar="GIT ARGS...")
def git(git_args: tuple[str, ...]) -> int:
    """Run git, authenticated to github.com with GIT_TOKEN.

    The token goes into a temporary git config of its own, never onto a command line.
    """
    from ..ci.remote import git_with_token

    return git_with_token(list(git_args), os.environ.get("GIT_TOKEN", ""))


@ci.command()
@click.argument("kind", type=click.Choice(list(PATTERNS)))
@click.argument("value")
def allow(kind: str, value: str) -> None:
    """Fail unless a value matches its allow-list."""
    from ..checked import checked

    checked(kind, value)
