"""GTO's four registry tags in a baked project, and what publish.yml does with each.

`make release` registers a version (`<name>@vX.Y.Z`), `make promote` assigns a
stage (`<name>#<stage>#N`); `gto deprecate <name> vX.Y.Z <stage>` unassigns it
(`<name>#<stage>!#N`) and `gto deprecate <name> vX.Y.Z` deregisters the version
(`<name>@vX.Y.Z!`). `make check-ref` must name each by GTO's own event type,
and publish.yml must publish only registrations and deploy only assignments:
its tag filters, its job conditions and its check-ref steps, each on its own.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from baked import Project

from conftest import run

pytestmark = pytest.mark.e2e

ARTIFACT = "my-ml-project"
REGISTERED = f"{ARTIFACT}@v0.1.0"
ASSIGNED = f"{ARTIFACT}#prod#1"
UNASSIGNED = f"{ARTIFACT}#prod!#2"
DEREGISTERED = f"{ARTIFACT}@v0.1.0!"
EXPECTED = {
    REGISTERED: {"event": "registration", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "", "ci": "publish"},
    ASSIGNED: {"event": "assignment", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "prod", "ci": "deploy"},
    UNASSIGNED: {"event": "unassignment", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "prod", "ci": "none"},
    DEREGISTERED: {"event": "deregistration", "artifact": ARTIFACT, "version": "v0.1.0", "stage": "", "ci": "none"},
}
# The jobs of publish.yml that each tag may start (deploy runs after `stage`).
JOBS_STARTED = {
    REGISTERED: {"publish"},
    ASSIGNED: {"stage", "deploy"},
    UNASSIGNED: set(),
    DEREGISTERED: set(),
}


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv) -> Project:
    """A default bake, trained and committed, then released, promoted, unassigned and deregistered."""
    result = cookies_session.bake(extra_context={})
    assert result.exception is None, result.exception
    project = Project(Path(result.project_path), result.context, shared_venv)
    project.make("setup", "repro")
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "-m", "Train the baseline", cwd=project.path)
    project.make("release", "VERSION=0.1.0")
    project.make("promote", "VERSION=0.1.0", "STAGE=prod")
    gto = str(project.venv / "bin" / "gto")
    run(gto, "deprecate", ARTIFACT, "v0.1.0", "prod", cwd=project.path, env=project.env)
    run(gto, "deprecate", ARTIFACT, "v0.1.0", cwd=project.path, env=project.env)
    return project


def check_ref(project: Project, ref: str) -> dict[str, str]:
    output = project.make("-s", "check-ref", f"REF={ref}").stdout
    return dict(line.split("=", 1) for line in output.splitlines())


def test_gto_deprecate_writes_the_tags_ending_in_bang(project: Project) -> None:
    assert set(run("git", "tag", cwd=project.path).stdout.split()) == set(EXPECTED)
    for tag in EXPECTED:
        assert run("git", "cat-file", "-t", tag, cwd=project.path).stdout.strip() == "tag", f"{tag} is annotated"


@pytest.mark.parametrize("tag", list(EXPECTED))
def test_check_ref_names_gtos_event(project: Project, tag: str) -> None:
    assert check_ref(project, tag) == EXPECTED[tag]


def test_check_ref_says_ci_ignores_undoing_tags(project: Project) -> None:
    result = project.make("-s", "check-ref", f"REF={UNASSIGNED}")
    assert f"{UNASSIGNED} is a unassignment: publish.yml neither publishes nor deploys it" in result.stderr


# --- publish.yml ---------------------------------------------------------------------------------


def publish_workflow(project: Project) -> dict:
    """publish.yml with every scalar a string (BaseLoader keeps `on:` a key, not True)."""
    return yaml.load((project.path / ".github/workflows/publish.yml").read_text(), Loader=yaml.BaseLoader)


def filter_regex(pattern: str) -> re.Pattern[str]:
    """One pattern of GitHub's filter-pattern cheat sheet, for the characters publish.yml uses:
    `**` any characters, `*` any but `/`, everything else literal (a `!` not first included)."""
    unsupported = set(pattern) & set("?+[]\\")
    assert not unsupported, f"extend filter_regex for {sorted(unsupported)} in {pattern!r}"
    parts = re.split(r"(\*\*|\*)", pattern)
    return re.compile("".join({"**": ".*", "*": "[^/]*"}.get(part, re.escape(part)) for part in parts))


def triggers(patterns: list[str], ref_name: str) -> bool:
    """GitHub's rule: patterns apply in order; a leading `!` negates, and the last match decides."""
    matched = False
    for pattern in patterns:
        negative = pattern.startswith("!")
        if filter_regex(pattern[1:] if negative else pattern).fullmatch(ref_name):
            matched = not negative
    return matched


def test_filter_regex_follows_the_cheat_sheet() -> None:
    assert triggers(["*@v*"], "a@v1") and not triggers(["*@v*"], "dir/a@v1") and triggers(["**@v*"], "dir/a@v1")
    assert not triggers(["*", "!*!*"], "a@v1!") and triggers(["*", "!*!*"], "a@v1")
    assert triggers(["*", "!*!*", "a*"], "a@v1!"), "a later positive pattern wins"
    assert job_condition("${{ !contains(github.ref_name, '#') && !contains(github.ref_name, '!') }}", "a@v1")
    assert not job_condition("${{ !contains(github.ref_name, '#') && !contains(github.ref_name, '!') }}", "a@v1!")
    assert job_condition("${{ contains(github.ref_name, '#') || (contains(github.ref_name, '!')) }}", "a@v1!")


def job_condition(condition: str, ref_name: str) -> bool:
    """Evaluate a job's `if:` made of contains(github.ref_name, '...'), !, &&, || and parentheses."""
    expression = condition.strip().removeprefix("${{").removesuffix("}}").strip()
    token = re.compile(r"\s*(?:contains\(github\.ref_name, '(?P<text>[^']*)'\)|(?P<op>!|&&|\|\||\(|\)))")
    python, position = [], 0
    while position < len(expression):
        found = token.match(expression, position)
        assert found, f"extend job_condition for: {expression[position:]!r} in {expression!r}"
        if found["op"]:
            python.append({"!": "not", "&&": "and", "||": "or"}.get(found["op"], found["op"]))
        else:
            python.append(repr(found["text"] in ref_name))
        position = found.end()
    return bool(eval(" ".join(python), {"__builtins__": {}}))  # only True, False, not, and, or, ( and )


@pytest.mark.parametrize("tag", list(EXPECTED))
def test_publish_workflow_starts_only_for_registrations_and_assignments(project: Project, tag: str) -> None:
    workflow = publish_workflow(project)
    patterns = workflow["on"]["push"]["tags"]
    jobs = workflow["jobs"]
    started = set()
    for name, job in jobs.items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        runs = job_condition(job["if"], tag) if "if" in job else True
        if runs and all(need in started for need in needs):
            started.add(name)
    assert triggers(patterns, tag) == bool(JOBS_STARTED[tag]), f"on.push.tags {patterns} for {tag}"
    # Each guard on its own: even if the filters let the tag through, the jobs skip it.
    assert started == JOBS_STARTED[tag], f"jobs started by {tag}"


@pytest.mark.parametrize(
    ("job", "step", "accepted"),
    [
        ("publish", "Check that the tag registers a version", REGISTERED),
        ("deploy", "Check that the tag assigns a stage", ASSIGNED),
    ],
)
def test_check_ref_steps_refuse_every_other_tag(project: Project, tmp_path: Path, job, step, accepted) -> None:
    """The last guard, in the job itself: its `run:` script, as a runner would run it."""
    script = next(s["run"] for s in publish_workflow(project)["jobs"][job]["steps"] if s.get("name") == step)
    for tag in EXPECTED:
        output = tmp_path / f"{tag}.out"
        result = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=project.path,
            env={**os.environ, **project.env, "VENV": str(project.venv), "REF": tag, "RUNNER_TEMP": str(tmp_path)}
            | {"GITHUB_OUTPUT": str(output)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert (result.returncode == 0) == (tag == accepted), f"{job} on {tag}: {result.stdout}{result.stderr}"
