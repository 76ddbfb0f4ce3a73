"""The pull request's head named with links: its commit, the compare view and the CI run.

In GitHub Actions the run's context is in the environment (GITHUB_SERVER_URL, GITHUB_REPOSITORY,
GITHUB_RUN_ID); each value is checked against its allow-list before it becomes a link.
Anywhere else (`make pr-report` on your machine) the head is named without links.
"""

import os

from ..checked import checked


def head_links(base_commit: str, head_commit: str) -> dict[str, str]:
    """{"commit", "compare", "run"} URLs on GitHub; empty outside GitHub Actions."""
    server, repository = os.environ.get("GITHUB_SERVER_URL", ""), os.environ.get("GITHUB_REPOSITORY", "")
    if not (server and repository):
        return {}
    site = f"{checked('server', server)}/{checked('repository', repository)}"
    links = {
        "commit": f"{site}/commit/{head_commit}",
        "compare": f"{site}/compare/{base_commit[:12]}...{head_commit[:12]}",
    }
    run = os.environ.get("GITHUB_RUN_ID", "")
    if run:
        links["run"] = f"{site}/actions/runs/{checked('run', run)}"
    return links


def head_line(base: str, base_commit: str, head_commit: str, links: dict[str, str]) -> str:
    """`**This PR** @ [abc1234](…) against `main` @ def5678 · [compare](…) · [run](…)`."""
    short = head_commit[:7]
    head = f"[`{short}`]({links['commit']})" if "commit" in links else f"`{short}`"
    line = f"**This PR** @ {head} against `{base}` @ `{base_commit[:7]}`"
    for name in ("compare", "run"):
        if name in links:
            line += f" · [{name}]({links[name]})"
    return line
