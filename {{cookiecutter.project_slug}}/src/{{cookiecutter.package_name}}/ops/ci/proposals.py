"""What a workflow proposes: a commit on a branch, a pull request, the one drift issue."""

import json
import subprocess
from pathlib import Path

from ..checked import checked, checked_batch
from ..contract import INCOMING
from .github import gh


def open_pull_request(branch: str, base: str, title: str, body_file: Path) -> str:
    """Open a pull request from branch, or update the open one (one proposal per branch)."""
    checked("revision", branch, "branch")
    checked("revision", base, "base branch")
    number = gh("pr", "list", "--head", branch, "--state", "open", "--json", "number", "--jq", ".[0].number // empty")
    if number:
        gh("pr", "edit", number, "--title", title, "--body-file", str(body_file))
        return f"Updated pull request #{number}"
    return gh("pr", "create", "--base", base, "--head", branch, "--title", title, "--body-file", str(body_file))


def open_drift_issue(batch: str, report: Path) -> bool:
    """ONE open issue labelled drift holds the latest report: open it, or update it when the report
    changed (with a comment naming the batch). False when it already holds this report."""
    name = checked_batch(Path(batch)).name
    found = json.loads(gh("issue", "list", "--label", "drift", "--state", "open", "--json", "number,body") or "[]")
    if not found:
        gh("label", "create", "drift", "--color", "d93f0b", "--description", "Monitoring found drift", "--force")
        title = "Drift in the deployed model's inputs"
        print(gh("issue", "create", "--label", "drift", "--title", title, "--body-file", str(report)))
        return True
    number = str(found[0]["number"])
    if found[0]["body"].strip() == report.read_text(encoding="utf-8").strip():
        print(f"Issue #{number} already holds this report.")
        return False
    gh("issue", "edit", number, "--body-file", str(report))
    comment = f"Drift again, in `{INCOMING / name}`: the description holds the latest report."
    gh("issue", "comment", number, "--body", comment)
    print(f"Updated issue #{number}")
    return True


BOT = ["-c", "user.name=github-actions[bot]", "-c", "user.email=41898282+github-actions[bot]@users.noreply.github.com"]


def commit_on_branch(branch: str, messages: list[str], paths: list[str]) -> bool:
    """Commit paths on branch (made anew from HEAD) as the Actions bot, without the hooks (CI ran
    the checks); False, and no branch, when they hold no change."""
    checked("revision", branch, "branch")
    subprocess.run(["git", "add", "--", *paths], check=True)
    if subprocess.run(["git", "diff", "--cached", "--quiet"], check=False).returncode == 0:
        print("Nothing changed: nothing to commit.")
        return False
    subprocess.run(["git", "switch", "--quiet", "--force-create", branch], check=True)
    notes = [arg for message in messages for arg in ("-m", message)]
    subprocess.run(["git", *BOT, "commit", "--quiet", "--no-verify", *notes], check=True)
    return True
