"""PNG figures for the pull-request report: the base's plot tables drawn under the pull request's.

figures.py (yours, through the contract) draws them, as evaluate draws the workspace's alone
under reports/figures/. They travel in the CI run's `pr-report` artifact; the comment carries
Mermaid charts instead (charts.py), since it cannot show an image.
"""

from pathlib import Path

import pandas as pd

from ..contract import FIGURE_TITLES, draw_figures

PLOT_TITLES = FIGURE_TITLES  # the plot tables the report reads, by name, in report order
HEAD_LABEL = "this PR"


def render_plots(
    base_tables: dict[str, pd.DataFrame], head_tables: dict[str, pd.DataFrame], out_dir: Path, base_label: str
) -> list[str]:
    """Write out_dir/<name>.png for every plot with a base or head table; the names written."""
    return draw_figures(head_tables, out_dir, base_tables, base_label, HEAD_LABEL)
