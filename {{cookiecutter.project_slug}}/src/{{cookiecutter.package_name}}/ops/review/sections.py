"""The sections of the pull-request report, each a list of Markdown lines."""

from collections.abc import Mapping

import pandas as pd

from ..contract import (
    AVERAGING,
    DATA_SUMMARY,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    METRICS,
    PLOTS_DIR,
    TASK_METRICS,
    bound_sign,
)
from ..gate import misses, required
from ..markdown import cell, table
from .inputs import Comparison
from .plots import TOP_FEATURES, importance_measure

# Metrics show with this many decimals; a change too small to show is "same".
DECIMALS = 4
# Bars in plain text: one to eight eighths of a character cell; the largest value is BAR_WIDTH cells.
BAR_EIGHTHS = "▏▎▍▌▋▊▉█"
BAR_WIDTH = 10
# Classes shown in the confusion and per-class tables: a matrix grows with their square.
MAX_CLASSES = 20
MAX_PARAMS = 50  # rows of the parameter changes shown
MAX_PATHS = 20  # paths of each kind of data change shown


def outcome(metric: str, base: float, head: float) -> str | None:
    """better, same or worse by the metric's direction; None for a metric of unknown direction."""
    delta = round(head - base, DECIMALS)
    if delta == 0:
        return "same"
    if metric not in HIGHER_IS_BETTER | LOWER_IS_BETTER:
        return None
    return "better" if (delta > 0) == (metric in HIGHER_IS_BETTER) else "worse"


def params_section(params_diff: str, base: str) -> list[str]:
    """DVC's table of changed parameters, its first MAX_PARAMS rows; a line when it has none."""
    table = [line for line in params_diff.splitlines() if line.startswith("|")]  # header, rule, rows
    if len(table) <= 2:
        return ["No parameter changes."]
    left_out = len(table) - 2 - MAX_PARAMS
    if left_out <= 0:
        return table
    return [*table[: 2 + MAX_PARAMS], "", f"{left_out} more changed parameters left out: `dvc params diff {base}`."]


def code_names(names: list[str], seconds: dict[str, float] | None = None) -> str:
    """`a`, `b` (12.3 s): each name, with its duration where `seconds` has one."""
    seconds = seconds or {}
    shown = [f"`{name}`" + (f" ({seconds[name]:.1f} s)" if name in seconds else "") for name in names]
    return ", ".join(shown) if names else "none"


def bar(value: float, largest: float) -> str:
    """value as a bar of eighth-character steps, BAR_WIDTH characters long at `largest`; empty if not positive."""
    if value <= 0 or largest <= 0:
        return ""
    eighths = round(value / largest * BAR_WIDTH * 8)
    return BAR_EIGHTHS[-1] * (eighths // 8) + (BAR_EIGHTHS[eighths % 8 - 1] if eighths % 8 else "")


def _gate_cell(metric: str, head: dict[str, float], gate: dict[str, float]) -> str:
    """The metric's bound in the gate (or what beats the baseline), marked when missed; empty if it has none."""
    bounds = required(head, gate)
    if metric not in bounds:
        return ""
    shown = f"{bounds[metric]:.{DECIMALS}f}".rstrip("0").rstrip(".")  # 0.85 stays 0.85, 25000 stays 25000
    bound = f"{bound_sign(metric)} {shown}"
    missed = metric not in head or misses(metric, head[metric], bounds[metric])
    return f"**fails** {bound}" if missed else bound


def metrics_section(comparison: Comparison) -> list[str]:
    """Each metric: base, production (if any), workspace, the change by the metric's direction, its gate bound."""
    head, base = comparison.head_metrics or {}, comparison.base_metrics or {}
    production = comparison.production
    shown_sides = [base] if production is None else [base, production.metrics or {}]
    if not head and not base:
        return [f"No `{METRICS}` in the base or the workspace."]
    names, task_metrics = head.keys() | base.keys(), TASK_METRICS[comparison.task]
    rows = []
    # The task's metrics first, the main one on top (accuracy, or rmse), then any others.
    for metric in [name for name in task_metrics if name in names] + sorted(names - set(task_metrics)):
        arrow = " ↑" if metric in HIGHER_IS_BETTER else " ↓" if metric in LOWER_IS_BETTER else ""
        shown = [f"{values[metric]:.{DECIMALS}f}" if metric in values else "—" for values in (*shown_sides, head)]
        difference = ""
        if metric in base and metric in head:
            delta = head[metric] - base[metric]
            said = outcome(metric, base[metric], head[metric])
            difference = said if said == "same" else f"{said or ''} {delta:+.{DECIMALS}f}".strip()
        rows.append([metric + arrow, *shown, difference, _gate_cell(metric, head, comparison.gate)])
    header = ["metric", f"base `{comparison.base}`", "workspace", "change", "gate"]
    if production is not None:  # its values beside the base's; the change column stays against the base
        header.insert(2, f"production `{production.version}`")
    legend = f"From `{METRICS}`. ↑ higher is better, ↓ lower is better; the gate is `gate` in `conf/config.yaml`."
    if production is not None:
        legend += " The change is the workspace's against the base."
    if names & {"roc_auc", "average_precision"}:
        legend += f" Averaging: {AVERAGING}; the multiclass PNG curves pool every class (micro)."
    return [*table(header, rows, "l" + "r" * len(shown_sides) + "rll"), "", legend]


def _importance(value: float, largest: float) -> str:
    return "—" if pd.isna(value) else f"{value:.{DECIMALS}f} {bar(value, largest)}"


def importance_section(base: pd.DataFrame | None, head: pd.DataFrame | None, base_name: str) -> list[str]:
    """The top features by importance, each version's as a number and a bar; the header names the measure."""
    labelled = {f"base `{base_name}`": base, "workspace": head}
    tables = {label: table for label, table in labelled.items() if table is not None}
    if not tables:
        return []
    ranked = list(tables.values())[-1]  # the workspace's ranking, or the base's if the workspace has none
    top = list(ranked.nlargest(TOP_FEATURES, "importance").feature)
    columns = {label: table.set_index("feature").importance.reindex(top) for label, table in tables.items()}
    measures = {label: importance_measure(table) for label, table in tables.items()}
    largest = {label: values.max() for label, values in columns.items()}
    if len(set(measures.values())) == 1:  # one measure: one scale, so the bars of both compare
        largest = dict.fromkeys(largest, pd.concat(columns.values()).max())
    rows = [
        [str(rank), cell(feature), *(_importance(columns[label][feature], largest[label]) for label in columns)]
        for rank, feature in enumerate(top, start=1)
    ]
    header = ["#", "feature", *(f"{label}: {cell(measures[label])}" for label in columns)]
    said = f"All {len(top)} features, most important first."
    if len(ranked) > len(top):
        said = (
            f"The {len(top)} most important of {len(ranked)} features; "
            f"{len(ranked) - len(top)} left out (all are in `{PLOTS_DIR}/feature_importance.csv`)."
        )
    return [said, "", *table(header, rows, "rl")]


def flatten(tree: Mapping[str, object], prefix: str = "") -> dict[str, float]:
    """The numbers of nested JSON by dotted key, as `dvc metrics diff` names them: `train.class_share.a`."""
    flat: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float):
            flat[f"{prefix}{key}"] = float(value)
    return flat


def _number(value: float | None) -> str:
    """A count as a whole number, anything else to DECIMALS; — when absent."""
    if value is None:
        return "—"
    return f"{value:.0f}" if value.is_integer() else f"{value:.{DECIMALS}f}"


def data_section(comparison: Comparison) -> list[str]:
    """The DVC-tracked files changed against the base, then rows and class shares or target range of each split."""
    c, lines = comparison, []
    if isinstance(c.data_changes, str):
        lines += [c.data_changes, ""]
    elif c.data_changes is not None:
        changed = {kind: paths for kind, paths in c.data_changes.items() if paths}
        lines.append("DVC-tracked files against the base (`dvc diff`):" if changed else "No DVC-tracked file changed.")
        for kind, paths in changed.items():
            more = f" and {len(paths) - MAX_PATHS} more" if len(paths) > MAX_PATHS else ""
            lines.append(f"- {kind.capitalize()}: {code_names(paths[:MAX_PATHS])}{more}")
        lines.append("")
    base, head = flatten(c.base_data or {}), flatten(c.head_data or {})
    if base or head:
        rows = []
        for key in list(head) + [key for key in base if key not in head]:
            before, after = base.get(key), head.get(key)
            delta = "" if before is None or after is None else ("same" if before == after else _signed(after - before))
            rows.append([cell(key), _number(before), _number(after), delta])
        lines += table(["value", f"base `{c.base}`", "workspace", "change"], rows, "lrrr")
        lines += ["", f"From `{DATA_SUMMARY}`, which `prepare` writes."]
    return lines


def _signed(delta: float) -> str:
    return f"{delta:+.0f}" if float(delta).is_integer() else f"{delta:+.{DECIMALS}f}"
