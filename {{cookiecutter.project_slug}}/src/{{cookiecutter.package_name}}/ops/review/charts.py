"""Charts inside the comment: Mermaid `xychart-beta` blocks, which GitHub draws from text.

A pull-request comment cannot show an image it cannot fetch (a relative path breaks, `data:`
is stripped), but GitHub renders ```` ```mermaid ```` blocks in comments and job summaries.
What renders legibly (mermaid-cli, Mermaid 11): line and bar charts of at most ~11 x labels;
two bar series overlap, so the base is a line; legends are too new for GitHub's Mermaid, so
the title names each series' colour; `<` in a label would show as `&lt;`. Each block is a
few hundred bytes and at most MAX_BYTES.
"""

import json

import numpy as np
import pandas as pd

from ..contract import roc_window

POINTS = 11  # x labels of a chart: more collide
MAX_BYTES = 2_000
MAX_LABEL = 24  # characters of a feature name on an axis
GREY, BLUE = "#8c959f", "#0969da"  # the base's series and the pull request's, named in each title


def palette(*colours: str) -> str:
    """Mermaid's directive giving the chart's series these colours, in order."""
    chart = {"plotColorPalette": ", ".join(colours)}
    theme = {"xyChart": chart}
    return "%%{init: " + json.dumps({"themeVariables": theme}) + "}%%"


PALETTE, HEAD_ONLY = palette(GREY, BLUE), palette(BLUE)


def text(label: object, limit: int = 80) -> str:
    """A label Mermaid shows as written: no quote to end it, no markup character to escape, cut at `limit`."""
    cleaned = str(label).replace('"', "'").replace("<", "‹").replace(">", "›").replace("&", "+")
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.4g}"


def block(lines: list[str], palette: str = PALETTE, chart: str = "xychart-beta") -> list[str]:
    """A fenced Mermaid block, or nothing if it would exceed MAX_BYTES."""
    fenced = ["```mermaid", palette, chart, *lines, "```"]
    return fenced if len("\n".join(fenced).encode()) <= MAX_BYTES else []


def _series(values: list[float]) -> str:
    return "[" + ", ".join(_number(value) for value in values) + "]"


def tpr_at(table: pd.DataFrame, fpr: np.ndarray) -> list[float]:
    """The ROC curve's true-positive rate at each false-positive rate: the highest reached by then."""
    return [float(table.tpr[table.fpr <= x + 1e-12].max()) for x in fpr]


def roc_chart(base: pd.DataFrame | None, head: pd.DataFrame, base_name: str) -> list[str]:
    """The ROC curves of the base (grey) and the pull request (blue), zoomed where they differ."""
    tables = [table for table in (base, head) if table is not None]
    x_max, y_min = roc_window(tables)
    grid = np.linspace(0, x_max, POINTS)
    who = f"grey: {text(base_name)}, blue: this PR" if base is not None else "this PR"
    zoom = f", zoomed to FPR up to {x_max:g}" if x_max < 1 else ""
    lines = [
        f'    title "ROC{zoom} ({who})"',
        f'    x-axis "false positive rate" [{", ".join(f"{x:.3g}" for x in grid)}]',
        f'    y-axis "true positive rate" {y_min:g} --> 1',
    ]
    lines += [f"    line {_series(tpr_at(table, grid))}" for table in tables]
    return block(lines, PALETTE if base is not None else HEAD_ONLY)


def residual_chart(base: pd.DataFrame | None, head: pd.DataFrame, base_name: str) -> list[str]:
    """How far off the predictions are: a histogram of the pull request's residuals, the base's as a line."""
    tables = [table for table in (base, head) if table is not None]
    low = min(float(table.residual.min()) for table in tables)
    high = max(float(table.residual.max()) for table in tables)
    edges = np.linspace(low, high, POINTS + 1) if high > low else np.array([low - 0.5, high + 0.5])
    centres = (edges[:-1] + edges[1:]) / 2

    def shares(table: pd.DataFrame) -> list[float]:  # a share of the rows: the two splits may differ in size
        counts, _ = np.histogram(table.residual, bins=edges)
        return list(counts / max(len(table), 1))

    top = max(max(shares(table)) for table in tables)
    who = f"bars: this PR, line: {text(base_name)}" if base is not None else "this PR"
    lines = [
        f'    title "Residuals, actual minus predicted ({who})"',
        f'    x-axis "residual" [{", ".join(_number(value) for value in centres)}]',
        f'    y-axis "share of test rows" 0 --> {_number(top * 1.1 or 1)}',
        f"    bar {_series(shares(head))}",
    ]
    if base is not None:
        lines.append(f"    line {_series(shares(base))}")
    # One series each: the bar takes the first colour, so the head is blue and the base's line grey.
    return block(lines, palette(BLUE, GREY) if base is not None else HEAD_ONLY)


def scores_chart(scores: dict[str, tuple[float, float]], base_name: str, higher_is_better: bool) -> list[str]:
    """Each score of the base (grey line) and the pull request (blue bars) on the same rows, zoomed to their range.

    `scores` maps a name to (base, head); all share a direction and a scale (the task's scores,
    each class's recall; or the errors, in the target's units).
    """
    names = list(scores)[:POINTS]
    if len(names) < 2:
        return []  # one bar says no more than the key table
    values = [value for name in names for value in scores[name]]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, 0.005)
    floor = max(low - pad, 0.0) if low >= 0 else low - pad
    what, better = ("Scores", "higher") if higher_is_better else ("Errors", "lower")
    lines = [
        f'    title "{what} on the same test rows, {better} is better (bars: this PR, line: {text(base_name)})"',
        "    x-axis [" + ", ".join(f'"{text(name, MAX_LABEL)}"' for name in names) + "]",
        f'    y-axis "{what.lower()[:-1]}, zoomed" {_number(floor)} --> {_number(high + pad)}',
        f"    bar {_series([scores[name][1] for name in names])}",
        f"    line {_series([scores[name][0] for name in names])}",
    ]
    return block(lines, palette(BLUE, GREY), "xychart-beta horizontal")  # long names need the room


def importance_chart(head: pd.DataFrame, measure: str, top: int = 10) -> list[str]:
    """The pull request's most important input columns as horizontal bars, in the measure the title names."""
    ranked = head[head.importance > 0].nlargest(top, "importance")  # a column that never helps has no bar
    if ranked.empty:
        return []
    values = [float(value) for value in ranked.importance]
    lines = [
        f'    title "The {len(ranked)} most important input columns of this PR\'s model"',
        "    x-axis [" + ", ".join(f'"{text(name, MAX_LABEL)}"' for name in ranked.feature) + "]",
        f'    y-axis "{text(measure)}" 0 --> {_number(max(values) * 1.1 or 1)}',
        f"    bar {_series(values)}",
    ]
    return block(lines, HEAD_ONLY, "xychart-beta horizontal")
