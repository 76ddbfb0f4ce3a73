"""Running the tools the toolkit drives (dvc, git, gh): with their output on the terminal, or captured.

A tool that fails is a ProjectError naming the command, so a step ends in one line.
"""

import subprocess

from .contract import ProjectError


class ToolError(ProjectError):
    """A tool the toolkit ran failed; its own message is above, or in this one."""


def run(*command: str) -> None:
    """Run a tool with the terminal as its output; ToolError when it fails."""
    if subprocess.run(command, check=False).returncode != 0:
        raise ToolError(f"`{' '.join(command)}` failed (see its message above)")


def output(*command: str) -> str:
    """A tool's standard output, stripped; ToolError with the tool's own message when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = done.stderr.strip() or done.stdout.strip()
        raise ToolError(f"`{' '.join(command[:3])}` failed: {said}")
    return done.stdout.strip()
