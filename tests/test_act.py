"""tests/act.py's one piece of GitHub semantics of its own: which events start a workflow.

act does not apply `on.push` branch and tag filters (nektos/act#2489), so the
harness does, and these cases are the examples of GitHub's filter-pattern
cheat sheet ("Workflow syntax for GitHub Actions"), plus the generated
workflows' own filters.
"""

from __future__ import annotations

import pytest
from act import matches, starts


@pytest.mark.parametrize(
    ("patterns", "name", "expected"),
    [
        (["feature/*"], "feature/my-branch", True),
        (["feature/*"], "feature/your-branch/more", False),  # * stops at /
        (["feature/**"], "feature/beta-a/my-branch", True),
        (["main"], "main", True),
        (["main"], "main-2", False),
        (["*"], "releases", True),
        (["*"], "releases/10", False),
        (["**"], "releases/10/alpha", True),
        (["*feature"], "mona-feature", True),
        (["v2*"], "v2.9", True),
        (["v[12].[0-9]+.[0-9]+"], "v1.10.1", True),
        (["v[12].[0-9]+.[0-9]+"], "v3.0.0", False),
        (["releases/**", "!releases/**-alpha"], "releases/10", True),
        (["releases/**", "!releases/**-alpha"], "releases/beta/3-alpha", False),
        # The generated publish.yml: registry versions and stage assignments, not GTO's deprecations.
        (["*@v*", "*#*", "!*!*"], "my-ml-project@v0.1.0", True),
        (["*@v*", "*#*", "!*!*"], "my-ml-project#prod#3", True),
        (["*@v*", "*#*", "!*!*"], "my-ml-project@v0.1.0!", False),
        (["*@v*", "*#*", "!*!*"], "my-ml-project#prod!#4", False),
        (["*@v*", "*#*", "!*!*"], "v0.1.0", False),
    ],
)
def test_filter_patterns(patterns: list[str], name: str, expected: bool) -> None:
    assert matches(patterns, name) is expected


def workflow(on: object) -> dict:
    return {True: on, "jobs": {}}  # PyYAML reads the key `on` as True


def test_a_push_filter_on_one_kind_of_ref_excludes_the_other() -> None:
    only_main = workflow({"push": {"branches": ["main"]}})
    assert starts(only_main, "push", {"ref": "refs/heads/main"})
    assert not starts(only_main, "push", {"ref": "refs/heads/tune"})
    assert not starts(only_main, "push", {"ref": "refs/tags/v1"}), "only branches filtered: no tag starts it"
    only_tags = workflow({"push": {"tags": ["v*"]}})
    assert starts(only_tags, "push", {"ref": "refs/tags/v1"})
    assert not starts(only_tags, "push", {"ref": "refs/heads/main"})
    assert starts(workflow({"push": None}), "push", {"ref": "refs/tags/anything"})


def test_events_types_and_base_branches() -> None:
    pull = {"action": "opened", "pull_request": {"base": {"ref": "main"}}}
    assert starts(workflow({"pull_request": None}), "pull_request", pull)
    assert not starts(workflow({"pull_request": {"branches": ["release"]}}), "pull_request", pull)
    assert not starts(workflow({"pull_request": None}), "pull_request", {**pull, "action": "labeled"})
    assert not starts(workflow(["push"]), "pull_request", pull)
    run = {"action": "completed", "workflow_run": {"name": "reproduce"}}
    assert starts(workflow({"workflow_run": {"workflows": ["reproduce"], "types": ["completed"]}}), "workflow_run", run)
    assert not starts(workflow({"workflow_run": {"workflows": ["ci"], "types": ["completed"]}}), "workflow_run", run)
