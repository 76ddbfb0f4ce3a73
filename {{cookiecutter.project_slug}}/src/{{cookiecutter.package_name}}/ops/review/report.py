"""Write a pull-request report: what changed against a base revision, as Markdown, and its plots as PNGs.

    {{ cookiecutter.project_slug }} report --base origin/main --repro-log reports/repro.log --out pr-report

`<out>/report.md` opens with a verdict: does the workspace pass the quality gate (params.yaml
`gate`, from conf/), and is it better, the same or worse than the base on the task's main
metric, and than the model in production (the registry's `prod` stage, when one is assigned:
its metrics as committed at the version's tag, nothing retrained). Then the metrics of all
three, each change against the base judged by the metric's direction; `dvc params diff`
against the base; the data: DVC-tracked files changed (`dvc diff`) and each split's rows
and class shares or target range (reports/data.json, from prepare); for classification, the
confusion matrix and per-class scores; the top features by importance, with bars in plain
text; the stages that the saved `dvc repro` output shows as run (with durations when
stamped), restored from the run-cache or unchanged; an optional `--note`; and the list of
PNG plots under `<out>/plots/` that overlay the base's plot tables on the workspace's. PNGs
rather than `dvc plots` HTML, because that HTML loads vega from a CDN and shows nothing offline
or in a CI artifact. The base's metrics and plot tables (reports/, kept in git) are read with
`git show`. Long tables are cut, so that the report fits in a comment.

report.md names the plots but embeds none: CI posts it as a pull-request comment and a job
summary, where a relative image path resolves against the pull request's page and breaks,
`data:` images are stripped, and there is no API to upload an image. The PNGs travel in the
`pr-report` artifact of the CI run instead (reproduce.yml uploads the whole <out> directory).
"""

import json
from pathlib import Path

from ..contract import DATA_SUMMARY, METRICS, PLOTS_DIR, TASK_METRICS, load_params
from ..gate import gate_failures, read_metrics
from .classes import classification_sections
from .inputs import (
    Comparison,
    data_changes,
    json_or_none,
    params_diff,
    parse_repro_log,
    production_model,
    read_base_file,
    read_tables,
    resolve_revision,
)
from .plots import PLOT_TITLES, render_plots
from .sections import (
    DECIMALS,
    code_names,
    data_section,
    importance_section,
    metrics_section,
    outcome,
    params_section,
)

# The first line of report.md, hidden when GitHub renders it. pr-report.yml finds the one
# comment it keeps up to date on a pull request by this line: the two must stay equal.
PR_REPORT_MARKER = "<!-- reproduce-pr-report -->"
# Where CI puts the PNGs: reproduce.yml uploads the report directory as this artifact.
ARTIFACT_NAME = "pr-report"
# GitHub cuts a comment or a pull request's body at 65,536 characters. pr-report.yml counts the
# bytes (never fewer than the characters) and adds a line: the report keeps well under.
MAX_BYTES = 60_000


def _against(main: str, head: dict[str, float], other: dict[str, float] | None, name: str) -> tuple[str | None, str]:
    """How the workspace compares with `other` on the main metric: (better/same/worse or None, the words)."""
    if main not in head or main not in (other or {}):
        lacking = "the workspace" if main not in head else name
        return None, f"{lacking} has no {main} to compare"
    said = outcome(main, other[main], head[main])
    against = "the same as" if said == "same" else f"{said} than"
    return said, f"{against} {name} on {main} ({other[main]:.{DECIMALS}f} → {head[main]:.{DECIMALS}f})"


def verdict(comparison: Comparison) -> str:
    """One line: the quality gate's outcome, then the task's main metric against the base and production."""
    head, gate, production = comparison.head_metrics, comparison.gate, comparison.production
    if head is None:
        return f"### ❔ No metrics in the workspace: run `make repro` to write `{METRICS}`"
    failures = gate_failures(head, gate)
    gate_says = "Passes the quality gate" if gate else "No quality gate is set"
    if failures:
        gate_says = f"Fails the quality gate ({'; '.join(failures)})"
    main = TASK_METRICS[comparison.task][0]  # accuracy, or rmse
    said, compared = _against(main, head, comparison.base_metrics, f"`{comparison.base}`")
    outcomes = [said]
    if production is not None:
        said, words = _against(main, head, production.metrics, f"production `{production.version}`")
        outcomes.append(said)
        compared += f"; {words}"
    # Passing but worse than the base or production is worth a reviewer's second look.
    icon = "❌" if failures else "⚠️" if "worse" in outcomes else "✅"
    return f"### {icon} {gate_says}; {compared}"


def fit(report: str, limit: int = MAX_BYTES) -> str:
    """The report if it fits in `limit` bytes of UTF-8; else its first lines that do, and a line naming what was cut."""
    if len(report.encode()) <= limit:
        return report
    lines, kept, size = report.splitlines(), 0, 500  # room for the closing line
    while size + len(lines[kept].encode()) + 1 <= limit:
        size += len(lines[kept].encode()) + 1
        kept += 1
    dropped = [line.removeprefix("## ") for line in lines[kept:] if line.startswith("## ")]
    cut = ", ".join(["the rest of this section", *dropped])
    return "\n".join([*lines[:kept], "", f"**Cut to fit a pull-request comment:** {cut}."])


def render_markdown(comparison: Comparison) -> str:
    """The report: marker, verdict, note, metrics, parameter changes, stages, then the plots' files."""
    c = comparison
    lines = [PR_REPORT_MARKER, verdict(c), ""]
    against = f"base `{c.base}`, commit `{c.base_commit[:12]}`"
    if c.production is not None:
        against += f", and production `{c.production.version}`, commit `{c.production.commit[:12]}`"
    lines += [f"Pull-request report: the workspace against {against}.", ""]
    if c.note:
        lines += [f"> **Note:** {c.note}", ""]
    lines += ["## Metrics", "", *metrics_section(c), ""]
    lines += ["## Parameters", "", *params_section(c.params_diff, c.base), ""]
    data = data_section(c)
    if data:
        lines += ["## Data", "", *data, ""]
    lines += classification_sections(*c.tables("confusion"))
    features = importance_section(*c.tables("feature_importance"), c.base)
    if features:
        lines += ["## Top features", "", *features, ""]
    lines += ["## Stages", ""]
    if c.stages is None:
        lines += [f"No `dvc repro` log at `{c.repro_log}`: run `make repro 2>&1 | tee {c.repro_log}` first.", ""]
    else:
        lines += [
            f"From the `dvc repro` log `{c.repro_log}`:",
            "",
            f"- Ran: {code_names(c.stages.ran, c.stages.seconds)}",
            # No time for these: restoring is not training, and the log cannot say how long it took.
            f"- Restored from the run-cache: {code_names(c.stages.cached)}",
            f"- Unchanged: {code_names(c.stages.unchanged)}",
            "",
        ]
    lines += ["## Plots", ""]
    if not c.plots:
        lines += [f"No plot tables under `{PLOTS_DIR}/`.", ""]
    else:
        # Named, never embedded: an image in a comment or job summary would show as broken.
        lines += [
            "PNG plots of the base against the workspace are in `plots/` beside this report; in CI, "
            f"download them from the `{ARTIFACT_NAME}` artifact of the workflow run (a pull-request "
            "comment cannot show them).",
            "",
        ]
        for name in c.plots:
            note = f" {c.plot_notes[name]}" if name in c.plot_notes else ""
            lines.append(f"- {PLOT_TITLES[name]}: `plots/{name}.png`.{note}")
        lines.append("")
    return fit("\n".join(lines))


def write_report(base: str, repro_log: Path, out: Path, note: str | None = None) -> Path:
    """Compare the workspace with base and write out/report.md (and its plots); its path."""
    commit = resolve_revision(base)  # fail fast, before any slow work
    params = load_params()
    log = repro_log
    base_tables, head_tables = read_tables(base)
    plots = render_plots(base_tables, head_tables, out / "plots", base_label=f"base ({base})")
    comparison = Comparison(
        base=base,
        base_commit=commit,
        task=params.task,
        gate=params.gate,
        head_metrics=read_metrics() if METRICS.exists() else None,
        base_metrics=json_or_none(read_base_file(base, METRICS)),
        params_diff=params_diff(base),
        stages=parse_repro_log(log.read_text(encoding="utf-8", errors="replace")) if log.is_file() else None,
        repro_log=log,
        base_tables=base_tables,
        head_tables=head_tables,
        plots=plots,
        base_data=json_or_none(read_base_file(base, DATA_SUMMARY)),
        head_data=json.loads(DATA_SUMMARY.read_text(encoding="utf-8")) if DATA_SUMMARY.exists() else None,
        data_changes=data_changes(base),
        plot_notes={
            name: f"Only the {'workspace' if name in head_tables else 'base'} has `{PLOTS_DIR}/{name}.csv`."
            for name in plots
            if (name in base_tables) != (name in head_tables)
        },
        note=note,
        production=production_model(),
    )
    written = out / "report.md"
    written.write_text(render_markdown(comparison), encoding="utf-8")
    return written
