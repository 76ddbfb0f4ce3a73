"""Errors that stop a stage with a one-line message instead of a traceback."""

import sys
from collections.abc import Callable


class ProjectError(Exception):
    """A problem the user can fix; the message says what and how."""


class ConfigError(ProjectError):
    """params.yaml or conf/ holds a value the pipeline cannot use."""


class DataError(ProjectError):
    """The input data cannot be used as it is."""


def run_stage(main: Callable[[], int | None], error_code: int = 1) -> None:
    """Run a stage's main; report a ProjectError as `error: ...` and exit error_code.

    A main that returns a non-zero exit code exits with it.
    """
    try:
        code = main()
    except ProjectError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(error_code) from None
    if code:
        raise SystemExit(code)
