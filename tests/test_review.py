"""Review rules of a baked project: code owners, rulesets, Dependabot, and the script that applies the rulesets.

One bake with a custom owner, so that anything still naming the template's
default owner (or its authors) shows up. The real `check-jsonschema` and
`zizmor` CLIs check the GitHub files; a fake `gh` stands in for GitHub.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import fake_command, run, tracked_files

OWNER = "octo-lab"
# ci.yml's aggregate job, and reproduce.yml's quality gate (its own check, so a failing gate blocks the merge).
REQUIRED_CONTEXTS = ["all checks pass", "quality gate"]
ISSUE_FORMS = ["bug_report", "experiment_proposal"]
OWNED_PATHS = ["/conf/", "/dvc.yaml", "/params.yaml", "/src/", "/.github/"]
# Names belonging to the template and its authors, never to the user; none may reach a baked project.
AUTHOR_IDENTIFIERS = [
    "your-github-user",  # the template's default github_owner
    "mlops-template",  # the template's own name
    "mlops-org",
    "mlops-team",
    "octocat",  # GitHub's sample user, a placeholder left in by mistake
    "your-org",
    "example-org",
]
# Upstream projects a baked file may link to on github.com; any other owner must be the answer.
UPSTREAM_OWNERS = {"treeverse", "astral-sh", "iterative", "actions", "github", "nektos", "datreeio"}
# Keys GitHub's ruleset API takes, and the parameters it requires for the rules used here.
RULESET_KEYS = {"name", "target", "enforcement", "bypass_actors", "conditions", "rules"}
REQUIRED_PARAMETERS = {
    "pull_request": {
        "dismiss_stale_reviews_on_push",
        "require_code_owner_review",
        "require_last_push_approval",
        "required_approving_review_count",
        "required_review_thread_resolution",
    },
    "required_status_checks": {"required_status_checks", "strict_required_status_checks_policy"},
}


@pytest.fixture(scope="module")
def project(cookies_session) -> Path:
    result = cookies_session.bake(extra_context={"github_owner": OWNER})
    assert result.exception is None, result.exception
    return Path(result.project_path)


def ruleset(project: Path, name: str) -> dict:
    return json.loads((project / ".github" / "rulesets" / f"{name}.json").read_text())


def rules_by_type(document: dict) -> dict[str, dict]:
    rules = {rule["type"]: rule.get("parameters", {}) for rule in document["rules"]}
    assert len(rules) == len(document["rules"]), "a rule type is listed twice"
    return rules


def test_codeowners_name_the_owner_for_every_reviewed_path(project: Path) -> None:
    lines = [line.split() for line in (project / ".github/CODEOWNERS").read_text().splitlines()]
    entries = {words[0]: words[1:] for words in lines if words and not words[0].startswith("#")}
    assert set(OWNED_PATHS) <= set(entries)
    for pattern, owners in entries.items():
        assert owners == [f"@{OWNER}"], f"CODEOWNERS {pattern}: {owners}"


def test_no_identifiers_of_the_template_authors(project: Path) -> None:
    texts = {}
    for name in tracked_files(project) - {"uv.lock"}:
        text = (project / name).read_text(encoding="utf-8")
        if name == ".cookiecutter.json":  # _template is where the user's copy of the template was
            text = json.dumps({key: value for key, value in json.loads(text).items() if key != "_template"})
        texts[name] = text
    for name, text in texts.items():
        for identifier in AUTHOR_IDENTIFIERS:
            assert identifier not in text.lower(), f"{name} names {identifier!r}"
        for owner in re.findall(r"github\.com/([A-Za-z0-9-]+)", text):
            assert owner in UPSTREAM_OWNERS | {OWNER}, f"{name} links to github.com/{owner}"
    for form in (project / ".github/ISSUE_TEMPLATE").glob("*.yml"):
        assignees = yaml.safe_load(form.read_text()).get("assignees") or []
        assert set(assignees if isinstance(assignees, list) else [assignees]) <= {OWNER}, form.name


def test_main_ruleset_requires_review_and_the_aggregate_check(project: Path) -> None:
    main = ruleset(project, "main")
    assert set(main) <= RULESET_KEYS
    assert (main["name"], main["target"], main["enforcement"]) == ("main", "branch", "active")
    assert main["conditions"]["ref_name"]["include"] == ["~DEFAULT_BRANCH"]
    rules = rules_by_type(main)
    assert {"pull_request", "required_status_checks", "non_fast_forward", "deletion"} <= set(rules)
    for rule_type, required in REQUIRED_PARAMETERS.items():
        assert required <= set(rules[rule_type]), rule_type
    review = rules["pull_request"]
    assert review["required_approving_review_count"] == 1
    assert review["require_code_owner_review"] is True
    assert review["dismiss_stale_reviews_on_push"] is True
    checks = rules["required_status_checks"]
    assert checks["strict_required_status_checks_policy"] is True
    assert [check["context"] for check in checks["required_status_checks"]] == REQUIRED_CONTEXTS


def test_required_checks_are_jobs_of_the_workflows(project: Path) -> None:
    job_names = {
        job.get("name", job_id)
        for workflow in (project / ".github/workflows").glob("*.yml")
        for job_id, job in yaml.safe_load(workflow.read_text())["jobs"].items()
    }
    assert set(REQUIRED_CONTEXTS) <= job_names


def test_model_tags_ruleset_forbids_moving_and_deleting_registry_tags(project: Path) -> None:
    tags = ruleset(project, "model-tags")
    assert set(tags) <= RULESET_KEYS
    assert (tags["target"], tags["enforcement"]) == ("tag", "active")
    # GTO's version tags (<name>@vX.Y.Z) and stage assignments (<name>#<stage>#N).
    assert tags["conditions"]["ref_name"]["include"] == ["refs/tags/*@v*", "refs/tags/*#*"]
    rules = rules_by_type(tags)
    assert {"deletion", "non_fast_forward", "update"} <= set(rules)
    assert "creation" not in rules, "registering versions and assigning stages must stay possible"


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.dependabot", [".github/dependabot.yml"]),
        ("vendor.github-workflows", [".github/workflows/rulesets.yml"]),
        ("vendor.github-issue-forms", [f".github/ISSUE_TEMPLATE/{form}.yml" for form in ISSUE_FORMS]),
        ("vendor.github-issue-config", [".github/ISSUE_TEMPLATE/config.yml"]),
    ],
)
def test_github_files_match_their_schemas(project: Path, schema: str, paths: list[str]) -> None:
    run("check-jsonschema", "--builtin-schema", schema, *paths, cwd=project)


def test_dependabot_groups_weekly_minor_and_patch_updates(project: Path) -> None:
    updates = yaml.safe_load((project / ".github/dependabot.yml").read_text())["updates"]
    assert sorted((update["package-ecosystem"], update["directory"]) for update in updates) == [
        ("github-actions", "/"),
        ("uv", "/"),
    ]
    for update in updates:
        assert update["schedule"]["interval"] == "weekly"
        assert any(set(group["update-types"]) == {"minor", "patch"} for group in update["groups"].values())


def test_zizmor_finds_nothing_in_github_dir(project: Path) -> None:
    result = run("zizmor", "--offline", ".github", cwd=project, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_zizmor_auditor_finds_nothing_in_the_rulesets_workflow(project: Path) -> None:
    """The strictest persona, on the workflow that holds an admin token."""
    files = [".github/workflows/rulesets.yml", ".github/dependabot.yml"]
    result = run("zizmor", "--offline", "--persona", "auditor", *files, cwd=project, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# A stand-in for the GitHub CLI: `gh api` over a JSON file holding the repository's rulesets.
FAKE_GH = textwrap.dedent(
    """
    import json, os, re, sys
    from pathlib import Path

    state_file = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(state_file.read_text()) if state_file.exists() else {"rulesets": [], "calls": []}
    args = sys.argv[1:]
    assert args[0] == "api", args
    method = args[args.index("--method") + 1] if "--method" in args else "GET"
    body = json.loads(Path(args[args.index("--input") + 1]).read_text()) if "--input" in args else None
    path = next(arg for arg in args[1:] if arg.startswith("repos/"))
    state["calls"].append([method, path.split("?")[0]])
    state_file.write_text(json.dumps(state))
    if os.environ.get("FAKE_GH_FAIL") == "auth":
        sys.exit("To get started with GitHub CLI, please run:  gh auth login" + chr(10) + "Alternatively, set GH_TOKEN")
    if os.environ.get("FAKE_GH_FAIL") == "plan":  # GitHub Free, private repository: no rulesets
        message = "Upgrade to GitHub Pro or make this repository public to enable this feature."
        print(json.dumps({"message": message, "status": "403"}))
        sys.exit(f"gh: {message} (HTTP 403)")
    if os.environ.get("FAKE_GH_FAIL") == "403":
        print('{"message":"Resource not accessible by integration","status":"403"}')
        sys.exit("gh: Resource not accessible by integration (HTTP 403)")
    match = re.fullmatch(r"repos/[^/]+/[^/]+/rulesets(?:/(\\d+))?(?:\\?.*)?", path)
    assert match, path
    ruleset_id = int(match.group(1)) if match.group(1) else None
    if method == "GET" and ruleset_id is None:
        answer = [{"id": r["id"], "name": r["name"], "source_type": "Repository"} for r in state["rulesets"]]
    elif method == "POST" and ruleset_id is None:
        answer = {**body, "id": 1 + max((r["id"] for r in state["rulesets"]), default=100)}
        state["rulesets"].append(answer)
    elif method == "PUT" and ruleset_id is not None:
        index = next(i for i, r in enumerate(state["rulesets"]) if r["id"] == ruleset_id)
        answer = state["rulesets"][index] = {**body, "id": ruleset_id}
    else:
        sys.exit(f"gh: unexpected {method} {path} (HTTP 404)")
    state_file.write_text(json.dumps(state))
    print(json.dumps(answer))
    """
)


@pytest.fixture
def fake_gh(tmp_path: Path) -> dict[str, str]:
    """Environment with the fake `gh` first on PATH; its state file is FAKE_GH_STATE."""
    bin_dir = fake_command(tmp_path / "bin", "gh", FAKE_GH)
    return {"PATH": str(bin_dir), "FAKE_GH_STATE": str(tmp_path / "state.json"), "GITHUB_REPOSITORY": None}


def apply_rulesets(project: Path, env: dict[str, str | None], *args: str, check: bool = True):
    return run(sys.executable, "scripts/apply_rulesets.py", *args, cwd=project, env=env, check=check)


def test_apply_rulesets_creates_then_updates_by_id(project: Path, fake_gh: dict[str, str]) -> None:
    state_file = Path(fake_gh["FAKE_GH_STATE"])
    first = apply_rulesets(project, fake_gh, "--repo", f"{OWNER}/repo")
    assert first.stdout.count("created ruleset") == 2, first.stdout
    assert json.loads(state_file.read_text())["calls"] == [
        ["GET", f"repos/{OWNER}/repo/rulesets"],
        ["POST", f"repos/{OWNER}/repo/rulesets"],
        ["POST", f"repos/{OWNER}/repo/rulesets"],
    ]
    second = apply_rulesets(project, fake_gh | {"GITHUB_REPOSITORY": f"{OWNER}/repo"})
    assert second.stdout.count("updated ruleset") == 2, second.stdout
    state = json.loads(state_file.read_text())
    assert state["calls"][3:] == [
        ["GET", f"repos/{OWNER}/repo/rulesets"],
        ["PUT", f"repos/{OWNER}/repo/rulesets/101"],
        ["PUT", f"repos/{OWNER}/repo/rulesets/102"],
    ]
    on_server = {ruleset.pop("id"): ruleset for ruleset in state["rulesets"]}
    assert sorted(on_server) == [101, 102], "no duplicates"
    assert sorted(on_server.values(), key=lambda r: r["name"]) == [ruleset(project, n) for n in ("main", "model-tags")]


def one_line_error(result) -> str:
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_apply_rulesets_without_admin_rights_names_the_admin_token(project: Path, fake_gh: dict[str, str]) -> None:
    error = one_line_error(apply_rulesets(project, fake_gh | {"FAKE_GH_FAIL": "403"}, "--repo", "o/r", check=False))
    assert "HTTP 403" in error
    assert "Administration write" in error
    assert "RULESETS_ADMIN_TOKEN" in error


def test_apply_rulesets_on_a_plan_without_rulesets_passes_github_message_through(
    project: Path, fake_gh: dict[str, str]
) -> None:
    """A private repository on GitHub Free gets a 403 that no token can fix: say so, blame no token."""
    error = one_line_error(apply_rulesets(project, fake_gh | {"FAKE_GH_FAIL": "plan"}, "--repo", "o/r", check=False))
    assert "Upgrade to GitHub Pro or make this repository public to enable this feature. (HTTP 403)" in error
    assert "paid plan" in error
    assert "RULESETS_ADMIN_TOKEN" not in error and "Administration write" not in error


def test_readme_says_which_features_need_a_paid_plan(project: Path) -> None:
    """Where the manual sends users to apply rulesets and to protect `prod`, it names the plan they need."""
    review = " ".join((project / "docs/review-and-ci.md").read_text().split())
    rulesets = review[review.index("**Code owners and rulesets.**") :].split("**Dependabot**")[0]
    assert "paid plan" in rulesets and "private" in rulesets
    lifecycle = " ".join((project / "docs/lifecycle.md").read_text().split())
    prod = lifecycle[lifecycle.index("give the `prod` environment required reviewers") - 400 :][:900]
    assert "paid plan" in prod and "private" in prod


def test_apply_rulesets_other_errors_are_one_line(project: Path, fake_gh: dict[str, str], tmp_path: Path) -> None:
    error = one_line_error(apply_rulesets(project, fake_gh | {"FAKE_GH_FAIL": "auth"}, "--repo", "o/r", check=False))
    assert "gh auth login" in error
    no_gh = fake_gh | {"PATH": str(tmp_path / "empty")}
    assert "gh not found" in one_line_error(apply_rulesets(project, no_gh, "--repo", "o/r", check=False))
    assert "--repo" in one_line_error(apply_rulesets(project, fake_gh, check=False))
