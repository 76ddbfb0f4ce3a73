"""Write a pull-request report: how the pull request's model compares with the base's, as Markdown.

    {{ cookiecutter.project_slug }} report --base origin/main --repro-log reports/repro.log --out pr-report

`<out>/report.md` opens with a verdict (verdict.py): ⛔ the quality gate fails or the
comparison is not like for like, ⚠️ something got worse, ✅ otherwise. Every model is scored
on the pull request's own test rows: the base's and production's (the registry's `prod`
stage) are fetched or rebuilt for it (rescore.py), and each change carries a paired bootstrap
interval (scoring.py). Under the key table: what changed in the test set, the noise, the
model; a Mermaid chart (ROC zoomed where the curves differ, or the residuals), which GitHub
draws in the comment; then collapsed sections: confusion and per-class scores, feature
importance, every metric (and a chart of the scores), the parameters changed, the data, the
stages, the PNG figures.

report.md embeds no image: CI posts it as a pull-request comment and a job summary, where a
relative image path resolves against the pull request's page and breaks, `data:` images are
stripped, and there is no API to upload an image. The PNGs (base under the pull request)
travel in the `pr-report` artifact of the CI run (reproduce.yml uploads <out>).
"""

import json
from pathlib import Path

from ..contract import AVERAGING, DATA_SUMMARY, METRICS, PLOTS_DIR, TASK_METRICS, load_params
from ..gate import read_metrics, required
from ..markdown import code
from .charts import importance_chart, residual_chart, roc_chart, scores_chart
from .classes import classification_sections
from .inputs import (
    Comparison,
    data_changes,
    json_or_none,
    parse_repro_log,
    production_model,
    read_base_file,
    read_tables,
    resolve_revision,
)
from .links import head_line, head_links
from .plots import PLOT_TITLES, render_plots
from .sections import code_names, data_section, importance_section, params_changes, params_section
from .sides import compared, head_model
from .verdict import DECIMALS, Review, change_cell, key_rows, metric_changes, verdict

# The first line of report.md, hidden when GitHub renders it. pr-report.yml finds the one
# comment it keeps up to date on a pull request by this line: the two must stay equal.
PR_REPORT_MARKER = "<!-- reproduce-pr-report -->"
# Where CI puts the PNGs: reproduce.yml uploads the report directory as this artifact.
ARTIFACT_NAME = "pr-report"
# GitHub cuts a comment or a pull request's body at 65,536 characters. pr-report.yml counts the
# bytes (never fewer than the characters) and adds a line: the report keeps well under.
MAX_BYTES = 60_000


def fit(report: str, limit: int = MAX_BYTES) -> str:
    """The report if it fits in `limit` bytes of UTF-8; else its first lines that do, and a line naming what was cut."""
    if len(report.encode()) <= limit:
        return report
    lines, kept, size = report.splitlines(), 0, 500  # room for the closing line
    while size + len(lines[kept].encode()) + 1 <= limit:
        size += len(lines[kept].encode()) + 1
        kept += 1
    dropped = [line.removeprefix("<details><summary>").removesuffix("</summary>") for line in lines[kept:]
               if line.startswith("<details><summary>")]  # fmt: skip
    cut = ", ".join(["the rest of this section", *dropped])
    # Close a collapsed section left open, so the closing line shows.
    closing = (
        ["</details>"]
        if "\n".join(lines[:kept]).count("<details>") > "\n".join(lines[:kept]).count("</details>")
        else []
    )
    return "\n".join([*lines[:kept], "", *closing, "", f"**Cut to fit a pull-request comment:** {cut}."])


def details(summary: str, lines: list[str]) -> list[str]:
    """A collapsed section: GitHub shows the summary, a click the rest (Markdown inside needs the blank lines)."""
    return [f"<details><summary>{summary}</summary>", "", *lines, "", "</details>", ""] if lines else []


def _percent(shares: dict[str, float]) -> str:
    return ", ".join(f"{label} {share * 100:.0f} %" for label, share in shares.items())


def notes(review: Review, c: Comparison) -> list[str]:
    """The paragraph under the key table: the test rows, the noise, production, the model."""
    base, head = review.base, review.head
    rows = len(head.test)
    said = []
    if base.same_test:
        said.append(f"Test set unchanged ({rows} rows, the same split).")
    elif base.test_rows is not None:
        said.append(f"**Test set changed**: {base.test_rows} → {rows} rows")
        if head.shares:
            said[-1] += f" ({_percent(base.test_shares)} → {_percent(head.shares)})"
        said[-1] += f"; every model is scored on this PR's {rows} rows."
        if base.head_on_its_rows and base.own_on_its_rows:
            main = TASK_METRICS[review.task][0]
            said.append(
                f"On `{base.short}`'s own {base.test_rows} rows, {main} is {base.own_on_its_rows[main]:.{DECIMALS}f} "
                f"for `{base.short}` and {base.head_on_its_rows[main]:.{DECIMALS}f} for this PR."
            )
    if base.scored is None:
        said.append(
            f"`{base.short}`'s model could not be scored here ({base.problem}): its committed metrics are shown."
        )
    elif base.rebuilt:
        said.append(
            f"`{base.short}`'s model was in no DVC cache or remote here: `dvc repro train` rebuilt it from its commit."
        )
    if base.intervals:
        main = TASK_METRICS[review.task][0]
        one_row = f" one row moves {main} by {1 / rows:.{DECIMALS}f};" if review.task == "classification" else ""
        said.append(
            f"Noise:{one_row} the intervals are 95 % paired bootstrap intervals of the change over the test rows."
        )
    if c.base_metrics:
        main = TASK_METRICS[review.task][0]
        before, after = (
            required(c.base_metrics, review.gate).get(main),
            required(review.head_metrics, review.gate).get(main),
        )
        if before is not None and after is not None and round(before, DECIMALS) != round(after, DECIMALS):
            said.append(
                f"The gate's bound on {main} moved with the test set: {before:.{DECIMALS}f} → {after:.{DECIMALS}f}."
            )
    if review.production is not None:
        shipped = review.production
        where = "scored on the same rows" if shipped.scored is not None else f"not scored: {shipped.problem}"
        said.append(f"Production is `{shipped.short}` (commit `{shipped.commit[:7]}`), {where}.")
    model = {key: value for key, value in c.params_changes.items() if key == "model.name"}
    if model:
        old, new = model["model.name"]
        said.append(f"Model: {code(old or '—')} → {code(new or '—')} ({len(c.params_changes)} parameters changed).")
    elif c.params_changes:
        said.append(f"{len(c.params_changes)} parameters changed.")
    return [" ".join(said)] if said else []


def chart(review: Review) -> list[str]:
    """The inline chart: the ROC curves (classification) or the residuals (regression) of the base's
    model and this PR's, both on this PR's test rows."""
    import pandas as pd

    from ..contract import curves

    scorer, sides = review.head.scorer, [review.base.scored, review.head.scored]
    if review.task == "regression":
        truth = scorer.target.to_numpy()
        base, head = [None if side is None else pd.DataFrame({"residual": truth - side.predicted}) for side in sides]
        return residual_chart(base, head, review.base.short)  # type: ignore[arg-type]
    if review.head.scored.probabilities is None:
        return []
    base, head = [
        None if side is None or side.probabilities is None
        else curves(scorer.target, side.probabilities, scorer.classes, scorer.positive)["roc"]
        for side in sides
    ]  # fmt: skip
    return roc_chart(base, head, review.base.short)  # type: ignore[arg-type]


def all_metrics(review: Review) -> list[str]:
    """Every metric and every class's recall of each side and this PR, on this PR's test rows."""
    from ..markdown import cell, table

    sides = [side for side in (review.base, review.production) if side is not None and side.scored is not None]
    rows = []
    for change in metric_changes(review, review.base):
        name = change.name
        values = []
        for side in sides:
            value = side.scored.metrics.get(name)  # type: ignore[union-attr]
            values.append("—" if value is None else f"{value:.{DECIMALS}f}")
        rows.append([cell(name), *values, f"{change.after:.{DECIMALS}f}", change_cell(change)])
    if not rows:
        return []
    header = ["metric", *(f"`{side.short}`" for side in sides), "this PR", f"change against `{review.base.short}`"]
    legend = f"On this PR's {len(review.head.test)} test rows. Averaging: {AVERAGING}."
    return [*scores(review), *table(header, rows, "l" + "r" * (len(header) - 2) + "l"), "", legend]


def scores(review: Review) -> list[str]:
    """The base's scores (line) and this PR's (bars) as one chart: those that share the main metric's direction."""
    changes = metric_changes(review, review.base)
    if not changes:
        return []
    direction = changes[0].higher_is_better  # the main metric's: every score, or the errors in the target's units
    shown = {change.name: (change.before, change.after) for change in changes if change.higher_is_better == direction}
    drawn = scores_chart(shown, review.base.short, direction)
    return [*drawn, ""] if drawn else []


def confusion(review: Review) -> list[str]:
    import pandas as pd

    if review.task != "classification":
        return []
    target = review.head.scorer.target.to_numpy()
    head = pd.DataFrame({"actual": target, "predicted": review.head.scored.predicted})
    base = None
    if review.base.scored is not None:
        base = pd.DataFrame({"actual": target, "predicted": review.base.scored.predicted})
    return classification_sections(base, head)


def stages(c: Comparison) -> list[str]:
    if c.stages is None:
        return [f"No `dvc repro` log at `{c.repro_log}`: run `make repro 2>&1 | tee {c.repro_log}` first."]
    return [
        f"From the `dvc repro` log `{c.repro_log}`:",
        "",
        f"- Ran: {code_names(c.stages.ran, c.stages.seconds)}",
        # No time for these: restoring is not training, and the log cannot say how long it took.
        f"- Restored from the run-cache: {code_names(c.stages.cached)}",
        f"- Unchanged: {code_names(c.stages.unchanged)}",
    ]


def figures(c: Comparison) -> list[str]:
    if not c.plots:
        return [f"No plot tables under `{PLOTS_DIR}/`."]
    lines = [
        f"PNGs of `{c.base}` (grey) under this PR (blue) are in `plots/` beside this report; in CI, in the "
        f"`{ARTIFACT_NAME}` artifact of the workflow run (a comment cannot show them).",
        "",
    ]
    for name in c.plots:
        note = f" {c.plot_notes[name]}" if name in c.plot_notes else ""
        lines.append(f"- {PLOT_TITLES[name]}: `plots/{name}.png`.{note}")
    return lines


def render_markdown(comparison: Comparison) -> str:
    """The report: marker, verdict, head, key table, notes, chart, then the collapsed sections."""
    c, review = comparison, comparison.review
    lines = [PR_REPORT_MARKER]
    if review is None:
        lines += [f"### ⛔ No model or metrics in this PR's workspace: run `make repro` to write `{METRICS}`", ""]
        return "\n".join(lines)
    lines += [verdict(review), "", head_line(review.base.short, review.base.commit, c.head_commit, c.links), ""]
    if c.note:
        lines += [f"> **Note:** {c.note}", ""]
    lines += [*key_rows(review), "", *notes(review, c), ""]
    lines += chart(review) + [""]
    lines += details("Confusion matrix and per-class scores", confusion(review))
    base_importance, head_importance = c.tables("feature_importance")
    importance = []
    if head_importance is not None:
        from ..contract import importance_measure

        importance = importance_chart(head_importance, importance_measure(head_importance)) + [""]
        importance += importance_section(base_importance, head_importance, review.base.short)
    lines += details("Feature importance", importance)
    lines += details("Every metric", all_metrics(review))
    lines += details(
        f"Parameters ({len(c.params_changes)} changed)", params_section(c.params_changes, review.base.short)
    )
    lines += details("Data", data_section(c))
    lines += details("Stages", stages(c))
    lines += details("PNG figures", figures(c))
    return fit("\n".join(lines))


def write_report(base: str, repro_log: Path, out: Path, note: str | None = None, head: str | None = None) -> Path:
    """Compare the workspace with base and write out/report.md (and its figures); its path."""
    base_commit = resolve_revision(base)  # fail fast, before any slow work
    head_commit = head or resolve_revision("HEAD")
    params = load_params()
    base_tables, head_tables = read_tables(base)
    plots = render_plots(base_tables, head_tables, out / "plots", base_label=base)
    base_params = read_base_file(base, Path("params.yaml"))
    comparison = Comparison(
        base=base,
        base_commit=base_commit,
        task=params.task,
        gate=params.gate,
        head_metrics=read_metrics() if METRICS.exists() else None,
        base_metrics=json_or_none(read_base_file(base, METRICS)),
        params_changes=params_changes(_yaml(base_params), _yaml(Path("params.yaml").read_text(encoding="utf-8"))),
        stages=parse_repro_log(repro_log.read_text(encoding="utf-8", errors="replace"))
        if repro_log.is_file()
        else None,
        repro_log=repro_log,
        base_tables=base_tables,
        head_tables=head_tables,
        plots=plots,
        base_data=json_or_none(read_base_file(base, DATA_SUMMARY)),
        head_data=json.loads(DATA_SUMMARY.read_text(encoding="utf-8")) if DATA_SUMMARY.exists() else None,
        data_changes=data_changes(base),
        plot_notes={
            name: f"Only {'this PR' if name in head_tables else base} has `{PLOTS_DIR}/{name}.csv`."
            for name in plots
            if (name in base_tables) != (name in head_tables)
        },
        note=note,
        head_commit=head_commit,
        links=head_links(base_commit, head_commit),
    )
    comparison.review = _review(comparison, params)
    written = out / "report.md"
    written.write_text(render_markdown(comparison), encoding="utf-8")
    return written


def _yaml(text: str | None) -> dict[str, object] | None:
    import yaml

    return None if text is None else yaml.safe_load(text)


def _review(c: Comparison, params: object) -> Review | None:
    """The head scored, and the base and production on its rows; None without a model or metrics."""
    from ..contract import MODEL

    if c.head_metrics is None or not MODEL.exists():
        return None
    target = params.data.target  # type: ignore[attr-defined]
    head = head_model()
    short = c.base.removeprefix("origin/")
    base = compared(head, f"`{short}`", short, c.base_commit, target)
    if base.same_test is None and c.base_data and c.head_data:
        # No test split of the base to compare: prepare's summary of both (rows, class shares) decides.
        base.same_test = c.base_data.get("test") == c.head_data.get("test")
    production = production_model()
    shipped = None
    if production is not None:
        shipped = compared(head, f"production `{production.version}`", production.version, production.commit, target)
    return Review(
        task=c.task,
        gate=c.gate,
        head=head,
        head_metrics=c.head_metrics,
        head_label=f"this PR @ {c.head_commit[:7]}",
        base=base,
        production=shipped,
        base_metrics=c.base_metrics,
    )
