"""Errors that stop a stage with a one-line message instead of a traceback."""

import sys
from collections.abc import Callable
from types import TracebackType


class ProjectError(Exception):
    """A problem the user can fix; the message says what and how."""


class ConfigError(ProjectError):
    """params.yaml or conf/ holds a value the pipeline cannot use."""


class DataError(ProjectError):
    """The input data cannot be used as it is."""


def missing_dependency(err: BaseException) -> str | None:
    """The one line for a third-party module this Python cannot import; None for any other error.

    It means the code runs outside the project's synced virtual environment: a dvc
    installed elsewhere ran the stage, or .venv predates a dependency in uv.lock.
    """
    if not isinstance(err, ModuleNotFoundError) or not err.name:
        return None
    module = err.name.partition(".")[0]
    if module == __package__:  # a module of this package: a bug to see in full, not the environment
        return None
    return (
        f"{sys.executable} cannot import {module!r}, which this project needs: run `make setup`, then run dvc "
        "from the project's venv (`source .venv/bin/activate` first), or use `make repro` and `make exp`"
    )


def report_missing_dependencies() -> None:
    """From now on, an uncaught missing dependency ends the process with that one line.

    The package's __init__ calls this under `python -m`: a stage module's own imports
    (pandas, scikit-learn) run before run_stage can catch anything.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], err: BaseException, traceback: TracebackType | None) -> None:
        message = missing_dependency(err)
        if message is None:
            previous(kind, err, traceback)
        else:
            print(f"error: {message}", file=sys.stderr)

    sys.excepthook = hook


def run_stage(main: Callable[[], int | None], error_code: int = 1) -> None:
    """Run a stage's main; report a ProjectError, or a missing dependency, as `error: ...` and exit error_code.

    A main that returns a non-zero exit code exits with it; Ctrl-C stops it with one line, code 130.
    """
    try:
        code = main()
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except (ProjectError, ModuleNotFoundError) as err:
        message = str(err) if isinstance(err, ProjectError) else missing_dependency(err)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(error_code) from None
    if code:
        raise SystemExit(code)
