"""Markdown tables, as GitHub renders them: the PR report, the drift report and the sweep table share them."""

from collections.abc import Sequence


def cell(text: object) -> str:
    """Text that stays in its table cell: a `|` would end the cell, a newline the table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A Markdown table of cells already escaped (cell); `align` holds l or r per column (default: l)."""
    rule = ["---:" if side == "r" else "---" for side in align.ljust(len(header), "l")]
    return ["| " + " | ".join(row) + " |" for row in [list(header), rule, *rows]]


def code(text: object) -> str:
    """Text as a code span in a table cell: shown literally (`_target_` stays `_target_`), `|` escaped."""
    shown = cell(text)
    fence = "``" if "`" in shown else "`"
    return f"{fence} {shown} {fence}" if fence == "``" else f"`{shown}`"
