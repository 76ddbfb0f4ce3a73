"""The data scientist's daily loop: data, params, repro, experiments, sweeps, the PR report."""

from pathlib import Path

import click

from .base import LOOP, blank_is_none, main, path_or_none, run_tool

# DVC's options pass through untouched: `exp -S model=random_forest`, `exps --md`.
PASS_THROUGH = {"ignore_unknown_options": True, "allow_interspersed_args": False}
OVERRIDES = click.argument("overrides", nargs=-1, metavar="[OVERRIDE]...")


class BlankableInt(click.ParamType):
    """A whole number, or "" for the default (a make variable left empty)."""

    name = "integer"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int | None:
        if value in ("", None):
            return None
        try:
            return int(value)  # type: ignore[arg-type]
        except ValueError:
            self.fail(f"{value!r} is not a whole number", param, ctx)


@main.command(section=LOOP)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--target", default="", help="The column to predict (required).")
@click.option("--drop", multiple=True, help="Columns kept out of the features, separated by spaces or commas.")
@click.option("--name", default="", help="The config's name, conf/data/NAME.yaml [the file's name].")
def data(file: Path, target: str, drop: tuple[str, ...], name: str) -> None:
    """Bring your own table into the pipeline.

    Checks FILE (.csv or .parquet), copies it under data/raw/ with `dvc add`,
    writes and selects conf/data/NAME.yaml and recomposes params.yaml. When a
    step fails, every file it wrote is put back.
    """
    from ..config.adopt import adopt, default_name
    from ..contract import CONF_DIR, CONFIG, PARAMS

    columns = [column for item in drop for column in item.replace(",", " ").split()]
    dest = adopt(file, target, columns, name or default_name(file))
    conf = CONF_DIR / "data" / f"{dest.stem}.yaml"
    print(f"data: {dest} tracked by DVC; {conf} selected in {CONFIG}; {PARAMS} recomposed")
    print(f"Next: make repro, then commit it all (git add --all; {dest} itself stays in DVC, under {dest}.dvc)")


@main.command(section=LOOP)
@OVERRIDES
def params(overrides: tuple[str, ...]) -> None:
    """Compose conf/ into params.yaml, with Hydra overrides.

    OVERRIDEs as Hydra takes them: model=random_forest. They stick: `repro` keeps them until `params` runs again without
    any (or params.yaml is changed by something else, such as `dvc exp run`).
    CI's check wants params.yaml to be conf/'s alone: put lasting changes in conf/.
    """
    from ..config.compose import apply

    print(f"params: {apply(overrides)}")


@main.command(section=LOOP)
@OVERRIDES
def repro(overrides: tuple[str, ...]) -> int:
    """Compose params.yaml, then run the stages that changed.

    `dvc repro` runs the stages whose inputs changed. With OVERRIDEs, as
    `params OVERRIDE...` first; without, the overrides of the last `params`
    stay (it says so). When a stage fails or is stopped, the outputs DVC
    removed before running it are put back as dvc.lock records them.
    """
    from ..config.compose import apply
    from ..outputs import guarded_repro

    print(f"params: {apply(overrides or None)}", flush=True)
    return guarded_repro()


@main.command(section=LOOP, context_settings=PASS_THROUGH)
@click.argument("dvc_args", nargs=-1, type=click.UNPROCESSED, metavar="[DVC EXP RUN OPTIONS]...")
def exp(dvc_args: tuple[str, ...]) -> int:
    """Run a DVC experiment (dvc exp run).

    The options are `dvc exp run`'s, e.g. `exp -S model=random_forest`.
    """
    return run_tool("dvc", "exp", "run", *dvc_args)


@main.command(section=LOOP, context_settings=PASS_THROUGH)
@click.argument("dvc_args", nargs=-1, type=click.UNPROCESSED, metavar="[DVC EXP SHOW OPTIONS]...")
def exps(dvc_args: tuple[str, ...]) -> int:
    """Compare experiments: metrics and the params that differ.

    `dvc exp show` without hashes and dates; more of its options pass through (--md).
    """
    hidden = r"Created|State|Executor|model\._target_|^(src|data|models)/"
    return run_tool("dvc", "exp", "show", "--only-changed", "--drop", hidden, "--no-pager", *dvc_args)


@main.command(section=LOOP)
@OVERRIDES
@click.option("--max", "limit", type=BlankableInt(), help="Most combinations [20].")
@click.option("--jobs", type=BlankableInt(), help="Experiments run at a time [2].")
def sweep(overrides: tuple[str, ...], limit: int | None, jobs: int | None) -> int:
    """Run a grid of experiments here, then rank them.

    They run in the DVC queue, JOBS at a time.
    The OVERRIDEs are the sweep as `dvc exp run -S` takes it: `model.C=0.1,1,10`
    sweeps C. Without any, the variable PARAMS holds them (`make sweep PARAMS=...`).
    Checked first, as the sweep workflow checks it: a key the config lacks fails here.
    """
    import time

    from ..experiments.grid import DEFAULT_MAX, overrides_or_env, plan
    from ..experiments.ranking import run_here

    name = time.strftime("sweep-%Y%m%d-%H%M%S")
    return run_here(plan(overrides_or_env(overrides), name, limit or DEFAULT_MAX), jobs or 2)


@main.command(section=LOOP)
@click.argument("experiment")
@OVERRIDES
def keep(experiment: str, overrides: tuple[str, ...]) -> None:
    """Carry a swept experiment into conf/.

    Writes conf/experiment/EXPERIMENT.yaml and selects it. The OVERRIDEs are
    the experiment's own (the sweep table prints the command); without any, the
    variable PARAMS holds them. params.yaml is recomposed and checked against
    the experiment's own, which must have run on HEAD.
    """
    from ..contract import CONFIG, PARAMS
    from ..experiments.grid import overrides_or_env
    from ..experiments.keep import experiment_params, promote

    chosen = overrides_or_env(overrides)
    conf = promote(experiment, chosen, experiment_params(experiment))
    print(f"{conf} ({' '.join(chosen)}) selected in {CONFIG}; {PARAMS} recomposed: the params of {experiment}")


@main.command(section=LOOP)
@click.option("--base", callback=blank_is_none, help="The git revision to compare with [origin/main].")
@click.option("--repro-log", callback=path_or_none, help="Saved `dvc repro` output.")
@click.option("--out", callback=path_or_none, help="Output directory [pr-report].")
@click.option("--note", callback=blank_is_none, help="A line to show at the top of the report.")
@click.option("--head", callback=blank_is_none, help="The commit to name as the PR's head [HEAD's].")
def report(base: str | None, repro_log: Path | None, out: Path | None, note: str | None, head: str | None) -> None:
    """Compare with a base revision, as the PR comment does.

    The models of BASE and production scored on this workspace's test rows, with a verdict,
    then params, data, stages and figures, in OUT/report.md.
    """
    from ..checked import checked
    from ..review.report import write_report

    revision = checked("revision", base or "origin/main")
    head = None if head is None else checked("commit", head, "--head")
    written = write_report(revision, repro_log or Path("reports/repro.log"), out or Path("pr-report"), note, head)
    print(f"report: wrote {written}")
