"""Errors that stop a stage with a one-line message instead of a traceback."""

import sys
from collections.abc import Callable


class ProjectError(Exception):
    """A problem the user can fix; the message says what and how."""


class ConfigError(ProjectError):
    """params.yaml or conf/ holds a value the pipeline cannot use."""


class DataError(ProjectError):
    """The input data cannot be used as it is."""


class ReportError(ProjectError):
    """The pull-request report cannot be made: a bad base revision, or git or DVC failed."""


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's main; report a ProjectError as `error: ...` and exit 1."""
    try:
        main()
    except ProjectError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from None
