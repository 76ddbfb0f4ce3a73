"""What every command shares: help grouped by who runs it, and errors as one line."""

import sys
from pathlib import Path
from typing import Any

import click

from ..contract import ProjectError, missing_dependency

# Exit codes (documented in `--help`): a check that found a problem, and bad input or usage.
CHECK_FAILED = 1
BAD_INPUT = 2

LOOP = "The daily loop"
LIFECYCLE = "The model's lifecycle"
SECTIONS = [LOOP, LIFECYCLE, "Commands"]  # the order of `--help`


class Command(click.Command):
    """A command whose ProjectError (or missing dependency) ends it with `error: ...` on one line.

    `section` names the heading it is listed under; `failure` is the exit code of its
    ProjectError: BAD_INPUT for commands that act, CHECK_FAILED for those that check.
    """

    def __init__(self, *args: Any, section: str = "Commands", failure: int = BAD_INPUT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section, self.failure = section, failure

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except (ProjectError, ModuleNotFoundError) as err:
            message = str(err) if isinstance(err, ProjectError) else missing_dependency(err)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            ctx.exit(self.failure)
        if code:
            ctx.exit(code)
        return code


class Group(click.Group):
    """A group that lists its commands under their sections, in the order they were defined."""

    command_class = Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        for name in self.list_commands(ctx):
            command = self.commands[name]
            if not command.hidden:
                section = getattr(command, "section", "Commands")
                sections.setdefault(section, []).append((name, command.get_short_help_str(limit=90)))
        for section, rows in sorted(sections.items(), key=lambda item: SECTIONS.index(item[0])):
            with formatter.section(section):
                formatter.write_dl(rows)


Group.group_class = Group


class Program(Group):
    """The root group: as click's, but a usage error is one line naming the help to read."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> None:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as err:
            where = err.ctx.command_path if err.ctx else (prog_name or self.name)
            click.echo(f"error: {err.format_message()} (see `{where} --help`)", err=True)
            sys.exit(BAD_INPUT)
        except click.ClickException as err:
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(CHECK_FAILED)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=Program, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Train, review, release and monitor this project's model.

    \b
    Exit codes: 0 success; 1 a check found a problem (drift, the quality gate,
    a stale params.yaml or dvc.lock, a failed stage); 2 bad input or usage.
    """
    from ..ci.remote import google_credentials

    ctx.with_resource(google_credentials())  # CI's GCS secret, as a file for this command only


def blank_is_none(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """An option given as "" (a make variable left empty) counts as not given."""
    return None if value == "" else value


def path_or_none(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """A path option; "" (a make variable left empty) counts as not given."""
    return Path(value) if value else None


def run_tool(*command: str) -> int:
    """Run DVC or another tool with the terminal as its output; its exit code (1 for a failure)."""
    import subprocess

    code = subprocess.run(command, check=False).returncode
    return CHECK_FAILED if code else 0
