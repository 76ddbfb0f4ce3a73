"""Apply .github/rulesets/*.json to the GitHub repository, idempotently.

For each file: update the repository's ruleset of the same name if there is
one (PUT by id), otherwise create it (POST). Runs the GitHub CLI (`gh api`),
which needs a token with repository Administration write: `gh auth login` as
an admin, or GH_TOKEN set to such a token (the RULESETS_ADMIN_TOKEN secret in CI).
Rulesets on a private repository also need a paid plan (GitHub Pro, Team or
Enterprise); GitHub's refusal is shown as it is.

    python scripts/apply_rulesets.py --repo OWNER/NAME   # or set GITHUB_REPOSITORY
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

RULESETS_DIR = Path(__file__).resolve().parents[1] / ".github" / "rulesets"
REPO_PATTERN = re.compile(r"[\w.-]+/[\w.-]+")
ADMIN_HINT = "rulesets need a token with repository Administration write (the RULESETS_ADMIN_TOKEN secret in CI)"
# GitHub's 403 when the plan lacks rulesets (a private repository on GitHub Free): "Upgrade to GitHub Pro
# or make this repository public to enable this feature." No token can fix that, so it is not blamed.
PLAN_LIMIT = re.compile(r"\bupgrade\b|make this repository public", re.IGNORECASE)
PLAN_HINT = "rulesets on a private repository need a paid plan (GitHub Pro, Team or Enterprise), or a public repository"


class ApplyError(RuntimeError):
    """A one-line reason the rulesets could not be applied."""


def gh_api(path: str, method: str = "GET", body: Path | None = None) -> Any:
    """Call `gh api` and return the decoded JSON response."""
    command = ["gh", "api", "--method", method, "-H", "Accept: application/vnd.github+json", path]
    if body is not None:
        command += ["--input", str(body)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ApplyError("gh not found: install the GitHub CLI, https://cli.github.com") from None
    if result.returncode == 0:
        return json.loads(result.stdout or "null")
    message = " ".join(result.stderr.split()) or f"exit code {result.returncode}"
    if result.returncode == 4 or "gh auth login" in message:
        raise ApplyError("gh is not authenticated: run `gh auth login` or set GH_TOKEN")
    if "HTTP 403" in message and PLAN_LIMIT.search(message):
        raise ApplyError(f"{method} {path} refused ({message}); {PLAN_HINT}")
    if "HTTP 403" in message or "HTTP 404" in message:
        raise ApplyError(f"{method} {path} refused ({message}); {ADMIN_HINT}")
    raise ApplyError(f"{method} {path} failed: {message}")


def apply(repo: str, files: list[Path]) -> None:
    existing = gh_api(f"repos/{repo}/rulesets?includes_parents=false&per_page=100")
    ids = {ruleset["name"]: ruleset["id"] for ruleset in existing}
    for file in files:
        name = json.loads(file.read_text(encoding="utf-8"))["name"]
        if name in ids:
            gh_api(f"repos/{repo}/rulesets/{ids[name]}", "PUT", file)
            print(f"{file.name}: updated ruleset {name!r} (id {ids[name]}) in {repo}")
        else:
            ids[name] = gh_api(f"repos/{repo}/rulesets", "POST", file)["id"]
            print(f"{file.name}: created ruleset {name!r} (id {ids[name]}) in {repo}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"), help="OWNER/NAME")
    repo = parser.parse_args(argv).repo
    try:
        if not repo or not REPO_PATTERN.fullmatch(repo):
            raise ApplyError(f"no repository as OWNER/NAME (got {repo!r}): pass --repo or set GITHUB_REPOSITORY")
        files = sorted(RULESETS_DIR.glob("*.json"))
        if not files:
            raise ApplyError(f"no rulesets in {RULESETS_DIR}")
        apply(repo, files)
    except ApplyError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
