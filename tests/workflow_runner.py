"""Run a GitHub Actions job's `run:` steps locally, in order, as a runner would.

Enough of the runner to prove a workflow's shell logic offline: `${{ }}`
expressions in `if:`, `env:` and `run:`, step outputs through GITHUB_OUTPUT,
GITHUB_ENV, GITHUB_STEP_SUMMARY, and bash with `-eo pipefail`. `uses:` steps
(actions fetched from GitHub) are not run; the test provides what they would
(the checkout, a Python), and names any `run:` step it skips.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONTEXT_PATH = re.compile(r"\b(?:github|steps|needs|secrets|env|runner|inputs|vars)(?:\.[A-Za-z_*][\w-]*)+")


@dataclass
class StepResult:
    name: str
    status: str  # "success", "failure", "skipped" (if: false), "not run" (uses:, or skipped by the test)
    output: str = ""


@dataclass
class JobRun:
    steps: list[StepResult] = field(default_factory=list)
    summary: str = ""

    @property
    def succeeded(self) -> bool:
        return all(step.status != "failure" for step in self.steps)

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)


def load_workflow(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); nothing here needs the triggers.
    return yaml.safe_load(path.read_text())


def step_name(step: dict[str, Any]) -> str:
    return step.get("name") or step.get("uses") or step["run"].splitlines()[0]


class Runner:
    """One job's execution context: the `github`, `secrets` and `needs` values it sees."""

    def __init__(
        self,
        github: dict[str, Any],
        secrets: dict[str, str] | None = None,
        needs: dict | None = None,
        inputs: dict[str, str] | None = None,
        variables: dict[str, str] | None = None,
    ):
        self.context: dict[str, Any] = {
            "github": github,
            "secrets": secrets or {},
            "needs": needs or {},
            "inputs": inputs or {},
            "vars": variables or {},
            "steps": {},
        }

    def lookup(self, path: str) -> Any:
        head, *rest = path.split(".")
        value: Any = self.context.get(head, {})
        for index, part in enumerate(rest):
            if part == "*":  # needs.*.result: that value of every job, as a list
                tail = ".".join(rest[index + 1 :])
                return [self._dig(item, tail) for item in value.values()]
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    @staticmethod
    def _dig(value: Any, dotted: str) -> Any:
        for part in filter(None, dotted.split(".")):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    def evaluate(self, expression: str) -> Any:
        """The subset of the expression language the generated workflows use."""
        python = expression.replace("&&", " and ").replace("||", " or ").replace("!=", " __NE__ ")
        python = python.replace("!", " not ").replace(" __NE__ ", " != ")
        python = CONTEXT_PATH.sub(lambda match: f"_lookup({match.group(0)!r})", python)
        functions = {
            "_lookup": self.lookup,
            "always": lambda: True,
            "contains": lambda haystack, needle: str(needle) in haystack,
            "join": lambda values, separator=",": separator.join(str(value) for value in values),
        }
        return eval(python, {"__builtins__": {}}, functions)  # noqa: S307 - our own workflow files

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: str(self.evaluate(match.group(1))), text)

    def condition(self, step: dict[str, Any]) -> bool:
        if "if" not in step:
            return True
        expression = str(step["if"])
        match = EXPRESSION.fullmatch(expression.strip())
        return bool(self.evaluate(match.group(1) if match else expression))

    def run_job(
        self, job: dict[str, Any], workdir: Path, runner_dir: Path, env: dict[str, str], skip: set[str] = frozenset()
    ) -> JobRun:
        """Run the job's `run:` steps in workdir; files a runner provides live in runner_dir."""
        runner_dir.mkdir(parents=True, exist_ok=True)
        summary, github_env = runner_dir / "step_summary.md", runner_dir / "github_env"
        summary.write_text("")
        github_env.write_text("")
        job_env = {key: self.substitute(str(value)) for key, value in (job.get("env") or {}).items()}
        run = JobRun()
        for index, step in enumerate(job["steps"]):
            name = step_name(step)
            if "uses" in step or name in skip:
                run.steps.append(StepResult(name, "not run"))
                continue
            if not self.condition(step):
                run.steps.append(StepResult(name, "skipped"))
                continue
            outputs = runner_dir / f"output-{index}"
            outputs.write_text("")
            step_env = {key: self.substitute(str(value)) for key, value in (step.get("env") or {}).items()}
            script = runner_dir / f"step-{index}.sh"
            script.write_text(self.substitute(step["run"]))
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workdir,
                capture_output=True,
                text=True,
                env={
                    **os.environ,
                    **env,
                    **dict(_key_values(github_env.read_text())),
                    **job_env,
                    **step_env,
                    "CI": "true",
                    "GITHUB_ACTIONS": "true",
                    "GITHUB_OUTPUT": str(outputs),
                    "GITHUB_ENV": str(github_env),
                    "GITHUB_STEP_SUMMARY": str(summary),
                    "RUNNER_TEMP": str(runner_dir),
                },
                check=False,
                timeout=900,
            )
            if "id" in step:
                self.context["steps"][step["id"]] = {"outputs": dict(_key_values(outputs.read_text()))}
            status = "success" if result.returncode == 0 else "failure"
            run.steps.append(StepResult(name, status, result.stdout + result.stderr))
            if status == "failure":
                break  # later steps would need `if: failure()`, which these workflows do not use
        run.summary = summary.read_text()
        return run


def _key_values(text: str) -> list[tuple[str, str]]:
    """`key=value` lines, as steps write to GITHUB_OUTPUT and GITHUB_ENV."""
    return [tuple(line.split("=", 1)) for line in text.splitlines() if "=" in line]  # type: ignore[misc]
