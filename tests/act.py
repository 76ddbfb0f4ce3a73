"""Play a baked project's GitHub workflows under act (nektos/act), on this host, as GitHub would.

act runs each job of the workflow on this machine (`-P <label>=-self-hosted`):
it evaluates expressions, `if:`, `needs`, job outputs, matrices, env and
output files and step summaries, with GitHub's default shell (`bash -e {0}`,
no pipefail). What act cannot reach here is replaced, and only that:

- github.com: a bare repository, the "origin". A global git config maps
  `https://github.com/<repo>` to it (`url.insteadOf`), so workflows see
  GitHub's URL and push to the origin.
- Third-party actions: stand-ins in tests/actions/ (see its README), mapped by
  the exact pinned `OWNER/REPO@SHA` of each `uses:` with `--local-repository`.
- GitHub's API: the fake `gh` of tests/fake_gh.py, which records each call and
  keeps the repository's issues, comments, PRs and releases.
- The runner's Python: a scratch venv, so a workflow's `pip install` stays in
  the test's temporary directory.

act does not apply `on.push` branch and tag filters (nektos/act#2489), so
`starts()` decides from the workflow's `on:` whether GitHub would start it,
following GitHub's filter-pattern rules, before act plays it.

Jobs run in a copy under `<root>/act/<hash>/hostexecutor`: a relative path
such as the default local DVC remote `../<slug>-dvc-remote` does not exist
there, exactly as on a GitHub-hosted runner.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import yaml

from conftest import HARNESS_BIN, fake_command, run

STAND_INS = Path(__file__).parent / "actions"
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<repo>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})", re.MULTILINE)
# The job's environment on a runner: no git identity, no harness variables.
DROPPED_ENV = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "VIRTUAL_ENV")
PLAY_TIMEOUT = 1200
# Who pushed (github.actor) and the job's token (github.token), as act hands them to every job.
ACTOR, TOKEN = "octocat", "ghs_stand_in_token"


@dataclass(repr=False)
class Job:
    """One job of a played workflow: how it ended and what it printed."""

    name: str
    result: str = "skipped"  # success, failure, or skipped (its `if:` was false, or a need failed)
    steps: dict[str, str] = field(default_factory=dict)  # step name -> success / failure / skipped
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> its outputs
    output: str = ""
    summary: str = ""

    def step(self, name: str) -> str:
        assert name in self.steps, f"no step {name!r} in job {self.name}: {list(self.steps)}"
        return self.steps[name]

    def __str__(self) -> str:
        steps = "\n".join(f"  {status:8} {name}" for name, status in self.steps.items())
        return f"job {self.name}: {self.result}\n{steps}\n{self.output[-6000:]}"

    __repr__ = __str__


@dataclass(repr=False)
class Play:
    """A workflow played for one event: whether GitHub starts it, and each job's result."""

    workflow: str
    started: bool
    run_id: int = 0  # github.run_id: the upload-artifact stand-in files artifacts under it
    jobs: dict[str, Job] = field(default_factory=dict)
    log: str = ""

    def job(self, name: str) -> Job:
        assert self.started, f"{self.workflow} did not start"
        return self.jobs[name]

    def results(self) -> dict[str, str]:
        return {name: job.result for name, job in self.jobs.items()}

    def __str__(self) -> str:
        return f"{self.workflow}: " + "\n".join(str(job) for job in self.jobs.values())

    __repr__ = __str__


# --- Which events start a workflow -------------------------------------------------


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """GitHub's filter patterns: `*` is any run of characters but `/`, `**` any run at all,
    `?` `+` repeat the previous character, `[...]` a class, `\\` escapes the next one."""
    out, index = "", 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out, index = out + ".*", index + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char in "?+":
            out += char
        elif char == "[":
            end = pattern.index("]", index)
            out, index = out + pattern[index : end + 1], end + 1
            continue
        elif char == "\\" and index + 1 < len(pattern):
            out, index = out + re.escape(pattern[index + 1]), index + 2
            continue
        else:
            out += re.escape(char)
        index += 1
    return re.compile(out)


def matches(patterns: list[str], name: str) -> bool:
    """Patterns in order; a later `!pattern` excludes what earlier ones matched, and the reverse."""
    matched = False
    for pattern in patterns:
        negative = pattern.startswith("!")
        if pattern_regex(pattern[1:] if negative else pattern).fullmatch(name):
            matched = not negative
    return matched


def filter_allows(config: dict[str, Any], kind: str, name: str) -> bool:
    """`branches`/`branches-ignore` (or tags) of a push or pull_request trigger for one ref name."""
    if kind in config:
        return matches([str(p) for p in config[kind]], name)
    if f"{kind}-ignore" in config:
        return not matches([str(p) for p in config[f"{kind}-ignore"]], name)
    return True


def starts(workflow: dict[str, Any], event: str, payload: dict[str, Any]) -> bool:
    """Would GitHub start this workflow for the event? (PyYAML reads the key `on` as True.)"""
    triggers = workflow[True]
    if isinstance(triggers, str | list):
        return event in ([triggers] if isinstance(triggers, str) else triggers)
    if event not in triggers:
        return False
    config = triggers[event] or {}
    if event == "push":
        ref = payload["ref"]
        kind, other = ("tags", "branches") if ref.startswith("refs/tags/") else ("branches", "tags")
        name = ref.split("/", 2)[2]
        filtered = {key for key in ("branches", "tags") if key in config or f"{key}-ignore" in config}
        if filtered == {other}:  # only the other kind filtered: this kind never starts it
            return False
        return filter_allows(config, kind, name)
    if event in ("pull_request", "pull_request_target"):
        types = config.get("types", ["opened", "synchronize", "reopened"])
        return payload.get("action", "opened") in types and filter_allows(
            config, "branches", payload["pull_request"]["base"]["ref"]
        )
    if event == "workflow_run":
        run_ = payload["workflow_run"]
        return run_["name"] in config["workflows"] and payload.get("action", "completed") in config.get(
            "types", ["completed", "requested"]
        )
    return True


# --- The world a workflow runs in ----------------------------------------------------


class GitHub:
    """One repository on a stand-in GitHub: origin, API state, artifact store, runner Python."""

    def __init__(self, root: Path, runner_python: Path, repository: str = "octo-lab/my-ml-project") -> None:
        self.root, self.repository = root, repository
        root.mkdir(parents=True, exist_ok=True)
        self.origin = root / "origin.git"
        self.api_dir = root / "api"
        self.artifacts = root / "artifacts"
        for directory in (self.api_dir, self.artifacts):
            directory.mkdir(exist_ok=True)
        run("git", "init", "--quiet", "--bare", "--initial-branch=main", str(self.origin), cwd=root)
        self.gitconfig = root / "gitconfig"
        self.gitconfig.write_text(f'[url "{self.origin}"]\n\tinsteadOf = {self.url}\n')
        fake_gh = Path(__file__).with_name("fake_gh.py")
        self.bin = fake_command(
            root / "bin", "gh", f"import runpy\nrunpy.run_path({str(fake_gh)!r}, run_name='__main__')\n"
        )
        self.runner_python = runner_python
        # The runner's project environment: every job's `make setup` syncs this one from uv.lock
        # instead of building its own (seconds, not a minute), so jobs run one at a time. It sits
        # beside the runner's python, so every world of a pytest worker shares it (and its compiled
        # bytecode). It is not the harness's: a job installs the project from its own workspace,
        # which act then deletes.
        self.venv = runner_python.parents[2] / "runner-project-venv"
        self.run_ids = count(4242)
        # Every play's repository variables (`vars.*`) and runner environment, beside each play's own.
        self.variables: dict[str, str] = {}
        self.env: dict[str, str] = {}

    def map_url(self, url: str, path: Path) -> None:
        """Serve another repository (e.g. the template) at its GitHub URL, for git on the runner and here."""
        with self.gitconfig.open("a") as config:
            config.write(f'[url "{path}"]\n\tinsteadOf = {url}\n')

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repository}"

    # The API state, as the fake gh keeps it.
    def state(self) -> dict[str, Any]:
        path = self.api_dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def set_state(self, state: dict[str, Any]) -> None:
        (self.api_dir / "state.json").write_text(json.dumps(state))

    def gh_calls(self) -> list[list[str]]:
        path = self.api_dir / "calls.jsonl"
        return [json.loads(line)["argv"] for line in path.read_text().splitlines()] if path.exists() else []

    def add_remote(self, project: Path) -> None:
        """The project's `origin` is the repository's GitHub URL (mapped to the bare origin)."""
        run("git", "remote", "add", "origin", self.url, cwd=project, env=self.git_env)
        run("git", "config", "--local", f"url.{self.origin}.insteadOf", self.url, cwd=project)

    @property
    def git_env(self) -> dict[str, str]:
        return {"GIT_CONFIG_GLOBAL": str(self.gitconfig)}

    def sha(self, ref: str) -> str:
        return run("git", "rev-parse", ref, cwd=self.origin).stdout.strip()

    def open_pull_request(self, number: int, head: str, base: str = "main") -> dict[str, Any]:
        """What GitHub does when a PR opens: refs/pull/N/head and a test merge commit refs/pull/N/merge."""
        work = self.root / f"merge-{number}"
        run("git", "clone", "--quiet", "--branch", base, str(self.origin), str(work), cwd=self.root)
        run("git", "fetch", "--quiet", "origin", head, cwd=work)
        identity = ["-c", "user.name=GitHub", "-c", "user.email=noreply@github.com"]
        run(
            "git",
            *identity,
            "merge",
            "--quiet",
            "--no-ff",
            "--no-edit",
            "-m",
            f"Merge {head} into {base}",
            "FETCH_HEAD",
            cwd=work,
        )
        head_sha, base_sha = self.sha(f"refs/heads/{head}"), self.sha(f"refs/heads/{base}")
        run(
            "git",
            "push",
            "--quiet",
            "origin",
            f"{head_sha}:refs/pull/{number}/head",
            f"HEAD:refs/pull/{number}/merge",
            cwd=work,
        )
        pull = {
            "number": number,
            "head": {"ref": head, "sha": head_sha, "repo": {"full_name": self.repository}},
            "base": {"ref": base, "sha": base_sha, "repo": {"full_name": self.repository}},
            "state": "open",
            "title": f"{head} into {base}",
        }
        state = self.state() or {"pulls": {}}
        state.setdefault("pulls", {})[str(number)] = pull
        self.set_state(state)
        return {"action": "opened", "number": number, "pull_request": pull}

    def play(
        self,
        workflow: str,
        event: str,
        ref: str = "refs/heads/main",
        payload: dict[str, Any] | None = None,
        inputs: dict[str, str] | None = None,
        secrets: dict[str, str] | None = None,
        variables: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        ignore_filters: bool = False,
        job: str | None = None,
        concurrent_jobs: int = 1,
    ) -> Play:
        """Play `.github/workflows/<workflow>` for an event on `ref`, as GitHub would start it.

        The workflow file is read from the commit the event is for (the merge
        commit of a PR), like GitHub does. `github.token` always exists (a fork PR's
        is read-only, which only GitHub enforces); other secrets only when given.
        `ignore_filters` plays it even where `on:` would not start it, to test the
        jobs' own `if:` guards; `job` plays only that job and those it needs (act's `--job`).
        With `concurrent_jobs` above 1, each job sets up its own `.venv` in its workspace, as
        on GitHub: jobs at once would race on the shared project environment.
        """
        payload = dict(payload or {})
        if concurrent_jobs > 1:
            env = {"VENV": ".venv", **(env or {})}
        if event == "push":
            payload.setdefault("ref", ref)
        if event == "pull_request":
            ref = f"refs/pull/{payload['number']}/merge"
        if event == "workflow_dispatch":
            payload.setdefault("inputs", inputs or {})
        run_id = next(self.run_ids)
        checkout = self.root / "plays" / f"{run_id}"
        run("git", "init", "--quiet", str(checkout), cwd=self.root)
        run("git", "remote", "add", "origin", self.url, cwd=checkout)
        run("git", "fetch", "--quiet", "origin", ref, cwd=checkout, env=self.git_env)
        run("git", "checkout", "--quiet", "--detach", "FETCH_HEAD", cwd=checkout)
        if ref.startswith("refs/heads/"):  # act names github.ref from the checked-out branch
            run("git", "checkout", "--quiet", "-B", ref.removeprefix("refs/heads/"), cwd=checkout)
        path = checkout / ".github/workflows" / workflow
        definition = yaml.safe_load(path.read_text())
        if not ignore_filters and not starts(definition, event, payload):
            return Play(workflow, started=False, run_id=run_id)
        (checkout.parent / f"{run_id}.json").write_text(json.dumps(payload))
        command = [
            str(HARNESS_BIN / "act"), event, "-W", str(path), "-e", str(checkout.parent / f"{run_id}.json"),
            "--json", "--no-skip-checkout", "--action-cache-path", str(self.root / "act"),
            "--env", f"GITHUB_RUN_ID={run_id}", "-s", f"GITHUB_TOKEN={TOKEN}", "--actor", ACTOR,
            "--concurrent-jobs", str(concurrent_jobs),
        ]  # fmt: skip
        if job:
            command += ["--job", job]
        for label in runner_labels(definition):
            command += ["-P", f"{label}=-self-hosted"]
        for action, sha in sorted(set(USES.findall(path.read_text()))):
            command += ["--local-repository", f"{action}@{sha}={STAND_INS / action.split('/')[1]}"]
        variables = self.variables | (variables or {})
        for flag, values in (("--input", inputs), ("-s", secrets), ("--var", variables)):
            for key, value in (values or {}).items():
                command += [flag, f"{key}={value}"]
        result = subprocess.run(
            command, cwd=checkout, env=self.runner_env(env), capture_output=True, text=True, timeout=PLAY_TIMEOUT
        )
        play = parse(workflow, definition, result.stdout + result.stderr, needed(definition, job) if job else ())
        play.run_id = run_id
        return play

    def runner_env(self, extra: dict[str, str] | None) -> dict[str, str]:
        system_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
        env.update(
            PATH=os.pathsep.join([str(self.bin), str(self.runner_python.parent), system_path]),
            GIT_CONFIG_GLOBAL=str(self.gitconfig),
            FAKE_GH_DIR=str(self.api_dir),
            ACT_ARTIFACTS=str(self.artifacts),
            DVC_NO_ANALYTICS="1",
            VENV=str(self.venv),
        )
        return env | self.env | (extra or {})


def needed(workflow: dict[str, Any], job: str) -> tuple[str, ...]:
    """A job and every job it needs, directly or not: what act's `--job` plays."""
    needs = workflow["jobs"][job].get("needs", [])
    found = (job,)
    for need in [needs] if isinstance(needs, str) else needs:
        found += needed(workflow, need)
    return found


def runner_labels(workflow: dict[str, Any]) -> set[str]:
    labels: set[str] = set()
    for job in workflow["jobs"].values():
        runs_on = job.get("runs-on", "ubuntu-latest")
        labels.update([runs_on] if isinstance(runs_on, str) else runs_on)
    return labels


def parse(workflow: str, definition: dict[str, Any], log: str, only: tuple[str, ...] = ()) -> Play:
    """Each job's and step's result from act's JSON log; a declared job or step it never ran was skipped."""
    play = Play(workflow, started=True, log=log)
    for name, job in definition["jobs"].items():
        if only and name not in only:
            continue
        steps = {step_name(step): "skipped" for step in job.get("steps", [])}
        play.jobs[name] = Job(name, steps=steps)
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        job = play.jobs.get(entry.get("jobID", ""))
        if job is None:
            continue
        if "jobResult" in entry:
            job.result = entry["jobResult"]
        elif entry.get("raw_output"):
            job.output += entry["msg"]
        elif entry.get("command") == "summary":
            job.summary += entry["content"]
        elif entry.get("command") == "set-output":
            job.outputs.setdefault(entry["stepID"][0], {})[entry["name"]] = entry["arg"]
        elif "stepResult" in entry and entry.get("stage") == "Main":
            job.steps[entry["step"]] = entry["stepResult"]
        elif entry.get("level") == "error" or entry.get("msg", "").startswith("::"):
            job.output += entry.get("msg", "") + "\n"
    return play


def step_name(step: dict[str, Any]) -> str:
    """The name act logs for a step: its name, else `uses` or `run` as written."""
    if "name" in step:
        return step["name"]
    return step.get("uses") or step["run"]


def runner_python(root: Path) -> Path:
    """A scratch venv whose `python` (with pip) stands for the runner's."""
    venv = root / "runner-python"
    run(sys.executable, "-m", "venv", str(venv), cwd=root)
    return venv / "bin" / "python"
