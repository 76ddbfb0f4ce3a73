"""GitHub Actions' files for a step (outputs, the job summary, annotations), and the GitHub CLI.

Outside a runner (no GITHUB_OUTPUT or GITHUB_STEP_SUMMARY) the outputs go nowhere
and the summary to standard output, so the same command works on your machine.
"""

import os
import secrets
from collections.abc import Mapping

from ..commands import output


def set_outputs(values: Mapping[str, str]) -> None:
    """Write step outputs; every value as a heredoc with a random delimiter, so no value
    (a newline and `other=...` in it, say) can end it early and set another output."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as output:
        for key, value in values.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            output.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")


def add_summary(markdown: str) -> None:
    """Append Markdown to the job's summary page (standard output off a runner)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        print(markdown)
        return
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(markdown.rstrip("\n") + "\n")


def notice(title: str, message: str) -> None:
    """A notice annotation on the run, and the same in the summary."""
    one_line = " ".join(message.split())
    print(f"::notice title={title}::{one_line}")
    add_summary(f"### {title}\n\n{message}\n")


def gh(*args: str) -> str:
    """The GitHub CLI (GH_TOKEN and GH_REPO from the environment); its standard output.
    A failure is a one-line error with gh's own message."""
    return output("gh", *args)
