"""The pull-request report as GitHub renders it, and the workflow that posts it.

A real report from a baked project (a committed baseline, a hyperparameter
change, `make repro`, `make pr-report`) goes through cmark-gfm, the renderer
GitHub uses for comments and job summaries. No image may reach GitHub: a
relative `src` resolves against the pull request's page and shows broken, a
`data:` URI is stripped, and GitHub offers no API to upload one. The PNGs stay
in the `pr-report` artifact, which the report names.

pr-report.yml keeps ONE comment per pull request: it finds it by the marker
that report.py writes as the first line of report.md (and by its author),
never by `gh pr comment --edit-last`, which edits whatever the bot said last.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
import yaml
from baked import Project
from cmarkgfm.cmark import Options

from conftest import run

pytestmark = pytest.mark.e2e

COMMENT_LIMIT = 65536  # characters GitHub accepts in one comment


@pytest.fixture(scope="module")
def project(cookies_session, shared_venv) -> Project:
    """A default bake with a committed baseline and an uncommitted, reproduced change of C."""
    result = cookies_session.bake(extra_context={})
    assert result.exception is None, result.exception
    project = Project(Path(result.project_path), result.context, shared_venv)
    project.make("setup", "repro")
    run("git", "add", "--all", cwd=project.path)
    run("git", "commit", "--quiet", "-m", "Train the baseline", cwd=project.path)
    model = project.path / "conf/model/logistic_regression.yaml"
    text = model.read_text()
    assert re.search(r"^C: ", text, re.MULTILINE), text
    model.write_text(re.sub(r"^C: .*$", "C: 0.05", text, flags=re.MULTILINE))
    _, output = project.repro()
    (project.path / "reports/repro.log").write_text(output)
    project.make("pr-report", "BASE=main")
    return project


@pytest.fixture(scope="module")
def report(project: Project) -> str:
    return (project.path / "pr-report/report.md").read_text(encoding="utf-8")


def marker(project: Project) -> str:
    """PR_REPORT_MARKER, read from the generated report.py."""
    tree = ast.parse((project.path / "src/my_ml_project/report.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["PR_REPORT_MARKER"]:
            return ast.literal_eval(node.value)
    raise AssertionError("report.py defines no PR_REPORT_MARKER")


class Images(HTMLParser):
    """Every <img> in rendered HTML, with its src."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def render(markdown: str) -> str:
    """GitHub-flavoured Markdown to HTML, raw HTML kept (GitHub keeps a sanitized subset, <img> included)."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def test_the_report_is_a_real_comparison(report: str) -> None:
    assert "model.C" in report and "0.05" in report, "the changed hyperparameter"
    assert "accuracy" in report, "a metrics delta"
    assert "- Ran: " in report and "`train`" in report


def test_no_image_reaches_github(project: Project, report: str) -> None:
    html = render(report)
    parser = Images()
    parser.feed(html)
    broken = [src for src in parser.sources if not src.startswith("https://")]
    assert not broken, f"images that GitHub would show broken (relative or data:): {broken}"
    assert "<img" not in html
    assert not re.search(r"!\[[^\]]*\]\(", report), "no Markdown image syntax, even escaped into text"


def test_the_plots_are_pngs_in_the_artifact_and_named(project: Project, report: str) -> None:
    pngs = sorted((project.path / "pr-report/plots").glob("*.png"))
    assert pngs, "the PNGs stay, for the artifact"
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG")
        assert f"`plots/{png.name}`" in report, f"{png.name} is named in the report"
    assert "`pr-report` artifact" in report, "the report (and so the job summary) names the artifact"
    reproduce = yaml.safe_load((project.path / ".github/workflows/reproduce.yml").read_text())
    uploads = [s for s in reproduce["jobs"]["reproduce"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert [(s["with"]["name"], s["with"]["path"].rstrip("/")) for s in uploads] == [("pr-report", "pr-report")]


def test_tables_render_and_the_comment_fits(report: str) -> None:
    html = render(report)
    assert html.count("<table>") >= 2, "params and metrics diffs render as tables"
    assert "|---" not in html, "no table left as text"
    comment = (
        report + "\nPlots as PNG: the `pr-report` artifact of [this run](https://github.com/o/r/actions/runs/1).\n"
    )
    assert len(comment) < COMMENT_LIMIT


def test_the_marker_is_the_hidden_first_line(project: Project, report: str) -> None:
    value = marker(project)
    assert re.fullmatch(r"<!-- [\w-]+-pr-report -->", value), value
    assert report.splitlines()[0] == value
    html = render(report)
    assert html.startswith(value), "an HTML comment: GitHub shows nothing for it"
    assert "<h1>Pull-request report" in html


# --- pr-report.yml ---------------------------------------------------------------------------------


def pr_report_workflow(project: Project) -> dict:
    """pr-report.yml with every scalar a string (BaseLoader keeps `on:` a key, not True)."""
    return yaml.load((project.path / ".github/workflows/pr-report.yml").read_text(), Loader=yaml.BaseLoader)


def test_the_comment_is_found_by_its_marker_not_edit_last(project: Project) -> None:
    workflow = pr_report_workflow(project)
    job = workflow["jobs"]["comment"]
    script = next(step["run"] for step in job["steps"] if step.get("name") == "Post or update the comment")
    assert "--edit-last" not in script and "--create-if-none" not in script and "gh pr comment" not in script
    assert job["env"]["MARKER"] == marker(project), "the same constant as report.py's PR_REPORT_MARKER"
    assert job["env"]["BOT"] == "github-actions[bot]"
    assert "--paginate" in script and "startswith(env.MARKER)" in script and "env.BOT" in script
    assert "--method PATCH" in script and "--method POST" in script and "body=@comment.md" in script
    assert not any("checkout" in step.get("uses", "") for step in job["steps"]), "no PR code"
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    group = workflow["concurrency"]["group"]
    assert "workflow_run.head_branch" in group and "workflow_run.head_repository" in group
    assert workflow["concurrency"]["cancel-in-progress"] == "false"
