"""`ci` steps of the sweep workflow: plan the grid, run one experiment, rank them."""

import os

import click

from .base import CHECK_FAILED
from .ci import ci


@ci.command("sweep-plan")
@click.option("--max", "limit", type=int, default=20, show_default=True, help="Most combinations.")
@click.option("--name", default="sweep", show_default=True, help="Experiments are NAME-1, NAME-2, ...")
def sweep_plan(limit: int, name: str) -> None:
    """Expand and check the sweep in PARAMS.

    Its matrix JSON to stdout and the step's outputs.
    """
    import json

    from ..checked import checked
    from ..ci.github import set_outputs
    from ..experiments.grid import overrides_or_env, plan

    planned = plan(overrides_or_env(()), checked("experiment", name), limit)
    matrix = json.dumps(planned.matrix(), separators=(",", ":"))
    set_outputs({"matrix": matrix, "count": str(len(planned.experiments))})
    print(matrix)


@ci.command()
@click.argument("name")
def experiment(name: str) -> None:
    """Run one experiment of a sweep and push it.

    NAME with the overrides in PARAMS, one per line.
    """
    from ..ci.steps import run_experiment

    overrides = [line for line in os.environ.get("PARAMS", "").splitlines() if line]
    run_experiment(name, overrides, os.environ.get("GIT_PUSH_TOKEN", ""))


@ci.command("sweep-report")
@click.option("--proposed", is_flag=True, help="As the body of the pull request for the best.")
def sweep_report(proposed: bool) -> int:
    """Rank a sweep's experiments, in Markdown.

    The plan is SWEEP_MATRIX's, the experiments fetched from origin; the best's
    name and overrides go to the step's outputs.
    """
    import shlex

    from ..ci.github import set_outputs
    from ..experiments.ranking import plan_from_matrix, report

    text, finished = report(plan_from_matrix(os.environ.get("SWEEP_MATRIX", "")), True, proposed)
    if finished:
        best = finished[0].experiment
        set_outputs({"best": best.name, "overrides": shlex.join(best.overrides)})
    print(text)
    return 0 if finished else CHECK_FAILED
