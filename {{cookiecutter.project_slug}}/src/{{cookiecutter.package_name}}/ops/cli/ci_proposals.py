"""`ci` steps that propose and report: the monitor run, the drift issue, a commit on a branch, a pull request."""

from pathlib import Path

import click

from .ci import ci


@ci.command()
@click.option("--model", default="", help="The model input: a registry version or stage [name#prod].")
@click.option("--batch", default="", help="The batch input: a file in data/incoming/ [the newest].")
def monitor(model: str, batch: str) -> int:
    """Pull the batches and check one for drift.

    Outputs drift (true, false, or none: nothing to check) and batch.
    """
    from ..ci.steps import monitor_batch

    return monitor_batch(model, batch)


@ci.command("pull-request")
@click.option("--branch", required=True, help="The branch to propose.")
@click.option("--base", required=True, help="The branch to merge into.")
@click.option("--title", required=True)
@click.option("--body-file", required=True, type=click.Path(path_type=Path, dir_okay=False))
def pull_request(branch: str, base: str, title: str, body_file: Path) -> None:
    """Open a pull request from BRANCH, or update its open one (GH_TOKEN, GH_REPO)."""
    from ..ci.proposals import open_pull_request

    print(open_pull_request(branch, base, title, body_file))


@ci.command("drift-issue")
@click.option("--batch", required=True, help="The batch that drifted.")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), default=Path("reports/drift.md"))
def drift_issue(batch: str, report: Path) -> None:
    """Open the one drift issue, or update it when the report changed; outputs changed."""
    from ..ci.github import set_outputs
    from ..ci.proposals import open_drift_issue

    set_outputs({"changed": str(open_drift_issue(batch, report)).lower()})


@ci.command()
@click.option("--branch", required=True, help="The branch to commit on, made anew from HEAD.")
@click.option("--message", "-m", "messages", multiple=True, required=True, help="A paragraph of the message.")
@click.argument("paths", nargs=-1, required=True)
def commit(branch: str, messages: tuple[str, ...], paths: tuple[str, ...]) -> None:
    """Commit PATHS on BRANCH as the Actions bot; outputs changed and branch."""
    from ..ci.github import set_outputs
    from ..ci.proposals import commit_on_branch

    changed = commit_on_branch(branch, list(messages), list(paths))
    set_outputs({"changed": str(changed).lower(), "branch": branch})
