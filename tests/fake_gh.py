"""A fake `gh` (GitHub CLI) for workflows played under act: GitHub's API is the one thing act cannot reach.

It records every call (argv and whether a token was set) as a JSON line in
$FAKE_GH_DIR/calls.jsonl and keeps the repository's API state in
$FAKE_GH_DIR/state.json: pull requests, issue and PR comments, issues,
labels, workflow dispatches, releases, rulesets; the attest-build-provenance stand-in
records digests in $FAKE_GH_DIR/attestations.txt for `gh attestation verify`. Tests seed that state (a PR's head
commit, another bot's comment) and read it back. Artifacts come from the
upload-artifact stand-in's store, $ACT_ARTIFACTS/<run id>/<name>/.

Only the commands and API routes the generated workflows call are answered;
anything else fails loudly, so a new call is noticed. `--jq` goes through the
jq binary, as gh's own filter prints strings raw.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

BOT = {"login": "github-actions[bot]", "type": "Bot"}


class Usage(Exception):
    """The fake does not know this call."""


class Failed(Exception):
    """The call fails on GitHub too: gh prints this message and exits 1."""


def load(home: Path) -> dict[str, Any]:
    path = home / "state.json"
    state = json.loads(path.read_text()) if path.exists() else {}
    for key in ("pulls", "comments", "issues", "labels", "dispatches", "releases", "rulesets"):
        state.setdefault(key, {} if key == "pulls" else [])
    state.setdefault("next_id", 1000)
    return state


def new_id(state: dict[str, Any]) -> int:
    state["next_id"] += 1
    return state["next_id"]


def options(args: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Positional arguments and repeated `--flag value` options (bare flags get "true")."""
    positional: list[str] = []
    found: dict[str, list[str]] = {}
    flags = {"--paginate", "--force", "--edit-last", "--create-if-none", "--draft", "--verify-tag", "--clobber"}
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-") and arg != "-":
            name, _, value = arg.partition("=")
            if name in flags:
                found.setdefault(name, []).append("true")
            elif value:
                found.setdefault(name, []).append(value)
            else:
                index += 1
                found.setdefault(name, []).append(args[index])
        else:
            positional.append(arg)
        index += 1
    return positional, found


def one(found: dict[str, list[str]], *names: str, default: str = "") -> str:
    for name in names:
        if name in found:
            return found[name][-1]
    return default


def body_of(found: dict[str, list[str]]) -> str:
    if "--body-file" in found:
        return Path(one(found, "--body-file")).read_text()
    return one(found, "--body", "-b")


def emit(value: Any, found: dict[str, list[str]]) -> None:
    text = json.dumps(value)
    query = one(found, "--jq", "-q")
    if query:
        text = subprocess.run(["jq", "-r", query], input=text, capture_output=True, text=True, check=True).stdout
        sys.stdout.write(text)
    else:
        print(text)


def api(state: dict[str, Any], args: list[str]) -> None:
    (path, *_), found = options(args)
    method = one(found, "--method", "-X", default="POST" if ("-f" in found or "-F" in found) else "GET").upper()
    fields: dict[str, str] = {}
    for pair in found.get("-f", []) + found.get("-F", []) + found.get("--raw-field", []) + found.get("--field", []):
        key, _, value = pair.partition("=")
        fields[key] = Path(value[1:]).read_text() if value.startswith("@") else value
    parts = path.strip("/").split("?")[0].split("/")
    match parts:
        case ["repos", _, _, "pulls", number] if method == "GET":
            emit(state["pulls"][number], found)
        case ["repos", _, _, "issues", number, "comments"] if method == "GET":
            emit([c for c in state["comments"] if str(c["issue"]) == number], found)
        case ["repos", _, _, "issues", number, "comments"] if method == "POST":
            comment_id = new_id(state)
            comment = {
                "id": comment_id,
                "issue": int(number),
                "body": fields["body"],
                "user": BOT,
                "html_url": f"https://github.com/{parts[1]}/{parts[2]}/pull/{number}#issuecomment-{comment_id}",
            }
            state["comments"].append(comment)
            emit(comment, found)
        case ["repos", _, _, "issues", "comments", comment_id] if method == "PATCH":
            comment = next(c for c in state["comments"] if str(c["id"]) == comment_id)
            comment["body"] = fields["body"]
            emit(comment, found)
        case ["repos", _, _, "rulesets"] if method == "GET":
            emit(state["rulesets"], found)
        case ["repos", _, _, "rulesets"] if method == "POST":
            ruleset = {**json.loads(Path(one(found, "--input")).read_text()), "id": new_id(state)}
            state["rulesets"].append(ruleset)
            emit(ruleset, found)
        case ["repos", _, _, "rulesets", ruleset_id] if method == "PUT":
            index = next(i for i, r in enumerate(state["rulesets"]) if str(r["id"]) == ruleset_id)
            state["rulesets"][index] = {**json.loads(Path(one(found, "--input")).read_text()), "id": int(ruleset_id)}
            emit(state["rulesets"][index], found)
        case _:
            raise Usage(f"gh api {method} {path}")


def pr(state: dict[str, Any], args: list[str]) -> None:
    (action, *rest), found = options(args)
    pulls = state["pulls"]
    if action == "create":
        number = str(max([int(n) for n in pulls] + [0]) + 1)
        pulls[number] = {
            "number": int(number),
            "title": one(found, "--title", "-t"),
            "body": body_of(found),
            "head": {"ref": one(found, "--head", "-H")},
            "base": {"ref": one(found, "--base", "-B")},
            "state": "open",
        }
        print(f"https://github.com/{os.environ.get('GH_REPO', 'owner/repo')}/pull/{number}")
    elif action == "list":
        head, wanted = one(found, "--head", "-H"), one(found, "--state", "-s", default="open")
        listed = [p for p in pulls.values() if (not head or p["head"]["ref"] == head) and wanted in (p["state"], "all")]
        emit(listed, found)
    elif action == "edit":
        pull = pulls[rest[0]]
        pull["title"] = one(found, "--title", "-t", default=pull["title"])
        pull["body"] = body_of(found) or pull["body"]
    elif action == "comment":
        state["comments"].append({"id": new_id(state), "issue": int(rest[0]), "body": body_of(found), "user": BOT})
    else:
        raise Usage(f"gh pr {action}")


def issue(state: dict[str, Any], args: list[str]) -> None:
    (action, *rest), found = options(args)
    issues = state["issues"]
    if action == "list":
        wanted, labels = one(found, "--state", "-s", default="open"), found.get("--label", []) + found.get("-l", [])
        listed = [i for i in issues if wanted in (i["state"], "all") and set(labels) <= set(i["labels"])]
        emit(listed, found)
    elif action == "create":
        number = max([i["number"] for i in issues] + list(map(int, state["pulls"])) + [0]) + 1
        labels = found.get("--label", []) + found.get("-l", [])
        issues.append(
            {
                "number": number,
                "title": one(found, "--title", "-t"),
                "body": body_of(found),
                "labels": labels,
                "state": "open",
            }
        )
        print(f"https://github.com/{os.environ.get('GH_REPO', 'owner/repo')}/issues/{number}")
    elif action == "edit":
        found_issue = next(i for i in issues if str(i["number"]) == rest[0])
        found_issue["body"] = body_of(found) or found_issue["body"]
    elif action == "comment":
        state["comments"].append({"id": new_id(state), "issue": int(rest[0]), "body": body_of(found), "user": BOT})
    else:
        raise Usage(f"gh issue {action}")


def release(state: dict[str, Any], args: list[str], home: Path) -> None:
    (action, tag, *files), found = options(args)
    store = home / "releases" / tag
    if action == "create":
        store.mkdir(parents=True)
        for file in files:
            shutil.copy(file, store)
        state["releases"].append({"tag": tag, "files": sorted(Path(f).name for f in files)})
    elif action == "download":
        target = Path(one(found, "--dir", "-D", default="."))
        target.mkdir(parents=True, exist_ok=True)
        patterns = found.get("--pattern", []) + found.get("-p", []) or ["*"]
        matched = [file for file in store.iterdir() if any(fnmatch.fnmatch(file.name, p) for p in patterns)]
        if not matched:  # as gh: an error only when no asset matches any pattern
            raise Failed("no assets match the file pattern")
        for file in matched:
            shutil.copy(file, target)
    else:
        raise Usage(f"gh release {action}")


def verify_attestation(home: Path, args: list[str]) -> int:
    """`gh attestation verify FILE --owner OWNER` (or `oci://NAME@sha256:DIGEST`, an image by its
    digest): 0 if the attest stand-in recorded that digest for a repository of OWNER, else 1 with
    gh's message."""
    import hashlib

    (path, *_), found = options(args)
    owner = one(found, "--owner", "-o")
    if not owner:
        raise Usage("gh attestation verify without --owner")
    if path.startswith("oci://"):
        digest = path.partition("@")[2]
        if not digest.startswith("sha256:"):
            raise Usage("gh attestation verify oci://NAME without @sha256:DIGEST")
    else:
        digest = "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
    recorded = home / "attestations.txt"
    lines = recorded.read_text().splitlines() if recorded.exists() else []
    attested = {tuple(line.split()) for line in lines}  # (digest, owner/repository)
    source = path if path.startswith("oci://") else f"file://{path}"
    if any(seen == digest and repository.partition("/")[0] == owner for seen, repository in attested):
        print(f"Loaded digest {digest} for {source}\n✓ Verification succeeded!")
        return 0
    print(f"Loaded digest {digest} for {source}\n✗ Verification failed", file=sys.stderr)
    print(f"Error: failed to fetch attestations from {owner}: no attestations found", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    home = Path(os.environ["FAKE_GH_DIR"])
    with (home / "calls.jsonl").open("a") as calls:
        calls.write(json.dumps({"argv": argv, "token": bool(os.environ.get("GH_TOKEN"))}) + "\n")
    if not os.environ.get("GH_TOKEN"):
        print(
            "gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.",
            file=sys.stderr,
        )
        return 4
    state = load(home)
    command, args = argv[0], argv[1:]
    try:
        if command == "api":
            api(state, args)
        elif command == "pr":
            pr(state, args)
        elif command == "issue":
            issue(state, args)
        elif command == "auth" and args == ["setup-git"]:
            pass  # git's credential helper for github.com: the origin here is a local path, so none is asked
        elif command == "label":
            state["labels"].append(options(args)[0][1])
        elif command == "workflow" and args[0] == "run":
            positional, found = options(args[1:])
            inputs = dict(pair.split("=", 1) for pair in found.get("-f", []) + found.get("--raw-field", []))
            state["dispatches"].append({"workflow": positional[0], "ref": one(found, "--ref", "-r"), "inputs": inputs})
        elif command == "run" and args[0] == "download":
            (run_id, *_), found = options(args[1:])
            source = Path(os.environ["ACT_ARTIFACTS"]) / run_id / one(found, "--name", "-n")
            shutil.copytree(source, one(found, "--dir", "-D", default="."), dirs_exist_ok=True)
        elif command == "release":
            release(state, args, home)
        elif command == "attestation" and args[0] == "verify":
            return verify_attestation(home, args[1:])
        else:
            raise Usage(f"gh {command}")
    except Failed as failed:
        print(failed, file=sys.stderr)
        return 1
    except Usage as unknown:
        print(f"fake gh: no answer for `{unknown}`: teach tests/fake_gh.py", file=sys.stderr)
        return 1
    (home / "state.json").write_text(json.dumps(state, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
