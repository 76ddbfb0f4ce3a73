"""The sections of the pull-request report, each a list of Markdown lines."""

from collections.abc import Mapping

import pandas as pd

from ..contract import DATA_SUMMARY, PLOTS_DIR, importance_measure
from ..markdown import cell, code, table
from .inputs import Comparison

TOP_FEATURES = 15  # rows of the importance table

DECIMALS = 4  # as the verdict's table
# Bars in plain text: one to eight eighths of a character cell; the largest value is BAR_WIDTH cells.
BAR_EIGHTHS = "▏▎▍▌▋▊▉█"
BAR_WIDTH = 10
# Classes shown in the confusion and per-class tables: a matrix grows with their square.
MAX_CLASSES = 20
MAX_PARAMS = 50  # rows of the parameter changes shown
EMPTY = (None, [], {}, "")  # a parameter set to nothing reads as one that is not there
MAX_PATHS = 20  # paths of each kind of data change shown


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


def importance_section(base: pd.DataFrame | None, head: pd.DataFrame | None, base_name: str) -> list[str]:
    """The head's top features by importance, with the base's where it is measured the same way."""
    if head is None:
        return []
    measure = importance_measure(head)
    top = list(head.nlargest(TOP_FEATURES, "importance").feature)
    columns = {"this PR": head}
    if base is not None and importance_measure(base) == measure:
        columns = {f"`{base_name}`": base, "this PR": head}
    largest = max(float(frame.importance.max()) for frame in columns.values())
    rows = []
    for rank, feature in enumerate(top, start=1):
        shown = []
        for frame in columns.values():
            value = frame.set_index("feature").importance.reindex([feature]).iloc[0]
            shown.append("—" if pd.isna(value) else f"{value:.{DECIMALS}f} {bar(value, largest)}")
        rows.append([str(rank), cell(feature), *shown])
    said = f"{cell(measure).capitalize()}, per input column, on the test split (permutation importance)."
    if base is not None and len(columns) == 1:
        said += f" `{base_name}` measured importance another way, so it is not shown beside."
    said += f" All columns are in `{PLOTS_DIR}/feature_importance.csv`."
    return [said, "", *table(["#", "feature", *columns], rows, "rl")]


def params_changes(base: Mapping[str, object] | None, head: Mapping[str, object] | None) -> dict[str, tuple]:
    """Each parameter (by dotted key) whose value differs: (base's, head's); empty values count as absent."""
    before, after = _leaves(base or {}), _leaves(head or {})
    changed = {}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old in EMPTY and new in EMPTY:
            continue
        if old != new:
            changed[key] = (old, new)
    return changed


def _leaves(tree: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping) and value:
            flat.update(_leaves(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _value(value: object) -> str:
    if value in EMPTY:
        return "—"
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return code(shown)


def params_section(changes: dict[str, tuple], base_name: str) -> list[str]:
    """The changed parameters of params.yaml, names and values as code (so `_target_` reads as written)."""
    if not changes:
        return ["No parameter changes."]
    rows = [[code(key), _value(old), _value(new)] for key, (old, new) in list(changes.items())[:MAX_PARAMS]]
    lines = table(["parameter", f"`{base_name}`", "this PR"], rows)
    if len(changes) > MAX_PARAMS:
        lines += ["", f"{len(changes) - MAX_PARAMS} more changed parameters left out: `dvc params diff {base_name}`."]
    return lines


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
        lines += table(["value", f"`{c.base}`", "this PR", "change"], rows, "lrrr")
        lines += ["", f"From `{DATA_SUMMARY}`, which `prepare` writes."]
    return lines


def _signed(delta: float) -> str:
    return f"{delta:+.0f}" if float(delta).is_integer() else f"{delta:+.{DECIMALS}f}"
