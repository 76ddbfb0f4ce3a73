"""The `{{ cookiecutter.project_slug }}` command: the one entry point of the project's toolkit.

`{{ cookiecutter.project_slug }} --help` lists the commands by who runs them, and
`{{ cookiecutter.project_slug }} COMMAND --help` is each one's reference. The `ci`
group is the workflows' plumbing: hidden from the help,
listed by `{{ cookiecutter.project_slug }} ci --help`.

Exit codes: 0 success; 1 a check found a problem (drift, the quality gate, a stale
params.yaml or dvc.lock, a failed stage); 2 bad input or usage, with a one-line error.
"""

from . import ci, ci_proposals, ci_sweep, lifecycle, loop  # noqa: F401  (each registers its commands)
from .base import main

__all__ = ["main"]
