"""What a bake produces, for a pruned matrix of answers.

`task` and `dataset` interact, so every valid pair is baked; the independent
options (remote, license, Python version) are cycled across those bakes so
that each value is baked at least once.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from importlib.metadata import version
from itertools import cycle
from pathlib import Path

import pytest
import yaml

from conftest import DEFAULTS, TEMPLATE, run, tracked_files

PAIRS = [
    ("classification", "breast_cancer"),
    ("classification", "wine"),
    ("classification", "csv"),
    ("regression", "diabetes"),
    ("regression", "csv"),
]
REMOTES = ["local", "s3", "gs", "azure", "none"]
LICENSES = ["MIT", "BSD-3-Clause", "Apache-2.0", "Proprietary"]
PYTHONS = ["3.11", "3.12", "3.13"]
MATRIX = [
    {"task": task, "dataset": dataset, "dvc_remote": remote, "license": license_, "python_version": python}
    for (task, dataset), remote, license_, python in zip(PAIRS, REMOTES, cycle(LICENSES), cycle(PYTHONS))
]
# One bake with awkward text answers: quotes and an ampersand must survive TOML and YAML.
MATRIX[1] |= {"project_name": "Wine Quality", "description": 'Predicts "cultivar" & more', "author_name": "O'Neil"}
# One bake trains on self-hosted GPU runners.
MATRIX[2] |= {"runner_labels": "self-hosted, linux, gpu"}
IDS = ["-".join((a["task"], a["dataset"], a["dvc_remote"], a["license"], "py" + a["python_version"])) for a in MATRIX]

REMOTE_EXTRAS = {"s3": "dvc-s3", "gs": "dvc-gs", "azure": "dvc-azure"}
# `cookiecutter.x` as a variable, not the `.cookiecutter.json` answers file.
JINJA_LEFTOVER = re.compile(r"{{|}}|{%|%}|(?<![\w.])cookiecutter\.")
# A `runs-on:` line that post_gen_project.py fills from the runner_labels answer.
RUNS_ON = re.compile(r"(runs-on:) \S.*?( # runner_labels)")


def expected_files(answers: dict[str, str], package: str) -> set[str]:
    """The exact set of files git tracks in a fresh bake."""
    files = {
        ".cookiecutter.json",
        ".cruft.json",
        ".dvc/.gitignore",
        ".dvc/config",
        ".dvcignore",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".secrets.baseline",
        ".python-version",
        "Makefile",
        "README.md",
        "conf/config.yaml",
        f"conf/data/{answers['dataset']}.yaml",
        "conf/experiment/deep_forest.yaml",
        "conf/experiment/slow_boosting.yaml",
        "conf/model/gradient_boosting.yaml",
        "conf/model/random_forest.yaml",
        "conf/model/logistic_regression.yaml" if answers["task"] == "classification" else "conf/model/ridge.yaml",
        "conf/monitor/default.yaml",
        "data/incoming/README.md",
        # The manual; the README is the guide that links it.
        "docs/getting-started.md",
        "docs/experiments.md",
        "docs/your-data.md",
        "docs/review-and-ci.md",
        "docs/lifecycle.md",
        "docs/updating.md",
        "data/labelled/README.md",
        ".gto",
        "dvc.yaml",
        "params.yaml",
        "pyproject.toml",
        "uv.lock",
    }
    # The user's room: the stages and the modules they use.
    stages = ["__init__", "prepare", "data", "train", "features", "evaluate", "metrics", "plots", "figures", "zoom"]
    stages += ["params", "paths", "errors", "model_file"]
    files |= {f"src/{package}/{module}.py" for module in stages}
    # The template's room, ops/: params composition, CI checks, the PR report; after training, the gate,
    # the GTO registry, bundles, and the command that uses them.
    # The toolkit, in rooms: one folder per concern, each module one job.
    toolkit = ["__init__", "contract", "markdown", "commands", "gate", "checked", "outputs"]
    rooms = {
        "cli": ["base", "loop", "lifecycle", "ci", "ci_proposals", "ci_sweep"],
        "config": ["compose", "lock", "adopt"],
        "experiments": ["grid", "ranking", "keep"],
        "review": [
            "inputs",
            "rescore",
            "scoring",
            "sides",
            "verdict",
            "sections",
            "classes",
            "charts",
            "links",
            "report",
            "plots",
            "verify",
        ],
        "registry": ["tags", "bundle", "archive", "model_card", "image"],
        "serving": [
            "predict",
            "schema",
            "requests",
            "models",
            "batching",
            "body_limit",
            "app",
            "telemetry",
            "served_log",
            "server",
        ],
        "monitoring": ["drift", "report", "absorb"],
        "ci": ["steps", "remote", "proposals", "github", "images"],
    }
    toolkit += [f"{room}/{module}" for room, modules in rooms.items() for module in ["__init__", *modules]]
    files |= {f"src/{package}/ops/{module}.py" for module in toolkit}
    template_tests = TEMPLATE / "{{cookiecutter.project_slug}}" / "tests"
    files |= {f"tests/{path.relative_to(template_tests)}" for path in template_tests.rglob("*.py")}
    # Review rules: code owners, rulesets and how to apply them, templates, Dependabot.
    files |= {
        ".github/CODEOWNERS",
        ".github/ISSUE_TEMPLATE/bug_report.yml",
        ".github/ISSUE_TEMPLATE/config.yml",
        ".github/ISSUE_TEMPLATE/experiment_proposal.yml",
        ".github/dependabot.yml",
        ".github/pull_request_template.md",
        ".github/rulesets/main.json",
        ".github/rulesets/model-tags.json",
        ".github/workflows/ci.yml",
        ".github/workflows/monitor.yml",
        ".github/workflows/pr-report.yml",
        ".github/workflows/publish.yml",
        ".github/workflows/retrain.yml",
        ".github/workflows/reproduce.yml",
        ".github/workflows/rulesets.yml",
        ".github/workflows/sweep.yml",
        ".github/workflows/template-sync.yml",
        "scripts/apply_rulesets.py",
    }
    # Serving beyond one machine: Kubernetes and KServe manifests, and the schema that checks the latter.
    files |= {
        "Containerfile",
        "deploy/kubernetes/deployment.yaml",
        "deploy/kubernetes/service.yaml",
        "deploy/kserve/inferenceservice.yaml",
        "deploy/schemas/README.md",
        "deploy/schemas/inferenceservice_v1beta1.json",
    }
    if answers["license"] != "Proprietary":
        files.add("LICENSE")
    if answers["dataset"] == "csv":
        files |= {"data/raw/.gitignore", "data/raw/data.csv.dvc"}
    if answers["runner_labels"] != DEFAULTS["runner_labels"]:  # the matrix's other answer has a custom label, gpu
        files.add(".github/actionlint.yaml")
    return files


@pytest.fixture(scope="module", params=MATRIX, ids=IDS)
def baked(request, cookies_session) -> tuple[dict[str, str], Path]:
    result = cookies_session.bake(extra_context=request.param)
    assert result.exception is None, result.exception
    return result.context, Path(result.project_path)


def test_exact_file_set(baked) -> None:
    answers, project = baked
    assert tracked_files(project) == expected_files(answers, answers["package_name"])


def test_no_jinja_left_and_interpolations_kept(baked) -> None:
    answers, project = baked
    workflows = {name for name in tracked_files(project) if name.startswith(".github/workflows/")}
    schema = "deploy/schemas/inferenceservice_v1beta1.json"  # vendored JSON, copied as it is: `}}` is JSON there
    assert (project / schema).read_bytes() == (TEMPLATE / "{{cookiecutter.project_slug}}" / schema).read_bytes()
    for name in tracked_files(project) - {"uv.lock", schema} - workflows:
        text = (project / name).read_text(encoding="utf-8")
        assert not JINJA_LEFTOVER.search(text), f"unrendered Jinja in {name}"
    # Workflows are copied without rendering: their GitHub expressions come out exactly as written,
    # only the `runs-on:` lines marked `# runner_labels` take that answer, and the project's command
    # is written where they call it.
    labels = [label.strip() for label in answers["runner_labels"].split(",")]
    runs_on = labels[0] if len(labels) == 1 else labels
    for name in workflows:
        baked_text = (project / name).read_text()
        template_text = (TEMPLATE / "{{cookiecutter.project_slug}}" / name).read_text()
        template_text = template_text.replace("__project_slug__", answers["project_slug"])
        assert re.sub(RUNS_ON, r"\1 ubuntu-latest\2", baked_text) == template_text
        assert "__project_slug__" not in baked_text
        assert "${{ " in baked_text
    # The jobs that train, and those that need the DVC remote.
    jobs = {"reproduce": "reproduce", "retrain": "retrain", "monitor": "monitor", "publish": "publish"}
    for workflow, job in {**jobs, "sweep": "experiment"}.items():  # each job named as its workflow, but sweep's
        definition = yaml.safe_load((project / f".github/workflows/{workflow}.yml").read_text())
        assert definition["jobs"][job]["runs-on"] == runs_on
    # Hydra's ${...} interpolations are not Jinja and must come out intact.
    assert "seed: ${seed}" in (project / f"conf/data/{answers['dataset']}.yaml").read_text()


def test_committed_clean_repository(baked) -> None:
    _, project = baked
    assert run("git", "rev-list", "--count", "HEAD", cwd=project).stdout.strip() == "1"
    assert run("git", "branch", "--show-current", cwd=project).stdout.strip() == "main"
    assert run("git", "status", "--porcelain", cwd=project).stdout == ""


def test_dvc_remote_and_hydra_configured(baked) -> None:
    answers, project = baked
    listed = run("dvc", "config", "--list", "--project", cwd=project).stdout.splitlines()
    config = dict(line.split("=", 1) for line in listed)
    assert config["hydra.enabled"] == "true"
    assert config["hydra.config_dir"] == "conf"
    assert config["core.analytics"] == "false"  # committed, so every clone and runner sends none
    remote = answers["dvc_remote"]
    if remote == "none":
        assert not [key for key in config if key.startswith("remote.") or key == "core.remote"]
        return
    assert config["core.remote"] == remote
    url = config[f"remote.{remote}.url"]
    if remote == "local":
        # Stored relative to .dvc/, pointing beside the project, outside the repository.
        assert (project / ".dvc" / url).resolve() == (project.parent / f"{answers['project_slug']}-dvc-remote")
    else:
        assert url == answers["dvc_remote_url"]


def test_params_is_the_composition_of_conf(baked) -> None:
    _, project = baked
    from dvc.utils.hydra import compose_and_dump

    composed = project.parent / "composed.yaml"
    compose_and_dump(composed, str(project / "conf"), None, "config", "", [])
    assert (project / "params.yaml").read_text() == composed.read_text()


def test_pyproject_dependencies_follow_the_answers(baked) -> None:
    answers, project = baked
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert pyproject["name"] == answers["project_slug"]
    assert pyproject["description"] == answers["description"]
    assert pyproject["authors"] == [{"name": answers["author_name"], "email": answers["author_email"]}]
    assert pyproject["requires-python"] == f">={answers['python_version']}"
    assert pyproject.get("license") == (None if answers["license"] == "Proprietary" else answers["license"])
    dvc_requirement = next(dep for dep in pyproject["dependencies"] if dep.startswith("dvc"))
    lock = (project / "uv.lock").read_text()
    extra = REMOTE_EXTRAS.get(answers["dvc_remote"])
    if extra:
        assert dvc_requirement.startswith(f"dvc[{answers['dvc_remote']}]")
        assert f'name = "{extra}"' in lock
    else:
        assert dvc_requirement.startswith("dvc>=")
        assert not any(f'name = "{name}"' in lock for name in REMOTE_EXTRAS.values())
    assert (project / ".python-version").read_text().strip() == answers["python_version"]


def test_the_shipped_lock_is_current_for_the_answers(baked) -> None:
    """uv.lock comes from the template, not a resolver, and uv finds it current for pyproject.toml:
    `make setup`'s `uv sync --locked` takes it as it is (the end-to-end tests run that)."""
    _, project = baked
    run("uv", "lock", "--check", "--offline", cwd=project)
    assert not (project / ".locks").exists()


def test_a_bake_needs_no_package_index(tmp_path: Path) -> None:
    """Offline, with an empty uv cache and no uv on PATH: the bake writes the shipped lock, resolving nothing."""
    tools = tmp_path / "bin"  # git, and no uv
    tools.mkdir()
    (tools / "git").symlink_to(shutil.which("git"))
    env = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache"), "PATH": str(tools)}
    bake = [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "--output-dir", str(tmp_path)]
    run(*bake, "python_version=3.12", cwd=tmp_path, env=env)
    lock = (tmp_path / "my-ml-project/uv.lock").read_text()
    assert '\nrequires-python = ">=3.12"\n' in lock and '[[package]]\nname = "my-ml-project"\n' in lock
    assert not (tmp_path / "empty-cache").exists() or not any((tmp_path / "empty-cache").iterdir())


def test_cruft_skips_what_tools_regenerate(baked) -> None:
    """`.cruft.json` (written by the hook) and pyproject's [tool.cruft] (for `cruft create`) agree."""
    _, project = baked
    cruft = json.loads((project / ".cruft.json").read_text())
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert cruft["skip"] == pyproject["tool"]["cruft"]["skip"]
    assert {"uv.lock", "params.yaml", "dvc.lock", ".git"} <= set(cruft["skip"])


def test_answers_file_records_the_answers(baked) -> None:
    answers, project = baked
    recorded = json.loads((project / ".cookiecutter.json").read_text())
    public = {key: value for key, value in answers.items() if not key.startswith("_")}
    assert {key: value for key, value in recorded.items() if key != "_template"} == public
    assert recorded["_template"] == str(TEMPLATE)


def test_models_and_pipeline_fit_the_task(baked) -> None:
    answers, project = baked
    params = yaml.safe_load((project / "params.yaml").read_text())
    classification = answers["task"] == "classification"
    assert params["task"] == answers["task"]
    assert params["data"]["name"] == answers["dataset"]
    assert params["model"]["name"] == ("logistic_regression" if classification else "ridge")
    forest = yaml.safe_load((project / "conf/model/random_forest.yaml").read_text())
    assert forest["_target_"].endswith("Classifier" if classification else "Regressor")
    stages = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["prepare", "train", "evaluate"]
    if answers["dataset"] == "csv":  # the raw file comes from params, so `make data` needs no dvc.yaml edit
        assert "${data.path}" in stages["prepare"]["deps"]
        assert params["data"]["path"] == "data/raw/data.csv"
    else:
        assert f"data/raw/{answers['dataset']}.csv" in stages["prepare"]["outs"]


def test_csv_bake_puts_the_file_under_dvc(baked) -> None:
    answers, project = baked
    if answers["dataset"] != "csv":
        pytest.skip("only csv bakes carry a user file")
    tracked = yaml.safe_load((project / "data/raw/data.csv.dvc").read_text())
    assert tracked["outs"][0]["path"] == "data.csv"
    header = (project / "data/raw/data.csv").read_text().splitlines()[0].split(",")
    assert header[-1] == "target"
    text_column = "clinic" if answers["task"] == "classification" else "sex"
    assert text_column in header, "the sample should exercise one-hot encoding"


def test_license_text(baked) -> None:
    answers, project = baked
    first_line = {"MIT": "MIT License", "BSD-3-Clause": "BSD 3-Clause License", "Apache-2.0": "Apache License"}
    if answers["license"] == "Proprietary":
        assert not (project / "LICENSE").exists()
    else:
        license_text = (project / "LICENSE").read_text()
        assert license_text.strip().splitlines()[0].strip() == first_line[answers["license"]]
        if answers["license"] != "Apache-2.0":
            assert answers["author_name"] in license_text


# What the README teaches; CI's plumbing is `<project_slug> ci ...`, in no target.
MAKE_TARGETS = ["help", "setup", "test", "lint", "data", "params", "repro", "exp", "exps", "sweep", "pr-report"]
MAKE_TARGETS += ["release", "promote", "bundle", "image", "inspect", "serve", "monitor", "absorb", "verify", "gate"]


def test_make_help_lists_the_aliases_and_no_plumbing(baked) -> None:
    answers, project = baked
    listed = run("make", "help", cwd=project).stdout
    targets = re.findall(r"^([a-z][a-z-]*):", (project / "Makefile").read_text(), re.MULTILINE)
    assert targets == MAKE_TARGETS
    assert [line.split()[1] for line in listed.splitlines()] == MAKE_TARGETS, listed
    assert not re.search(r"\bci\b|check-|pull-|plumbing", listed), listed


def test_make_recipes_are_one_command_with_quoted_environment_values(baked) -> None:
    """No recipe pastes a make variable's value into shell text: values go through the
    environment, as "$VAR" (or a list split on spaces, with globbing off)."""
    _, project = baked
    makefile = (project / "Makefile").read_text()
    recipes = re.findall(r"^\t(.*)$", makefile, re.MULTILINE)
    # The Makefile's own settings may stand in a recipe; a variable a user or CI sets may not.
    own = r"CLI|UV|UV_BOOTSTRAP|UV_VERSION|VENV|MAKEFILE_LIST|abspath \$\(VENV\)"
    pasted = [line for line in recipes if re.search(rf"\$\((?!({own})\))", line)]
    assert pasted == [], pasted
    assert ".SHELLFLAGS := -ef -o pipefail -c" in makefile  # -f: a list value is split, never globbed


def test_make_n_of_every_target_runs_nothing(baked) -> None:
    """`make -n` prints each recipe and runs none of it, whatever the variables hold."""
    _, project = baked
    env = {name: f"$(touch m-{name})`touch m-{name}-b`" for name in ("VERSION", "STAGE", "MODEL", "ARGS", "FILE")}
    for target in MAKE_TARGETS:
        run("make", "-n", target, cwd=project, env=env)
    assert not list(project.glob("m-*")), "make -n ran a value as code"


def test_setup_without_uv_installs_the_pinned_uv(bake, tmp_path: Path) -> None:
    """A machine with Python, git and make but no uv: `make setup` installs the pinned uv, then syncs,
    compiling the bytecode even where PYTHONDONTWRITEBYTECODE is set (as in many CI images)."""
    project, venv = bake(), tmp_path / "venv"
    tools = tmp_path / "bin"  # exactly what the Makefile and its recipes call, and no uv
    tools.mkdir()
    for tool in ("bash", "make", "git"):
        (tools / tool).symlink_to(shutil.which(tool))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (tools / "python3").symlink_to(Path(sys.base_prefix) / "bin" / version)  # not the harness's venv
    env = {"PATH": str(tools), "UV": None, "PYTHONDONTWRITEBYTECODE": "1"}  # `uv run` sets UV, which make would take
    set_up = run("make", "setup", f"VENV={venv}", cwd=project, env=env)
    assert "uv is not on PATH: installing uv" in set_up.stdout
    pinned = re.search(r"^UV_VERSION := (\S+)$", (TEMPLATE / "Makefile").read_text(), re.MULTILINE).group(1)
    assert run(str(project / ".venv-uv/bin/uv"), "--version", cwd=project).stdout.split()[1] == pinned
    for workflow in (project / ".github/workflows").glob("*.yml"):  # CI installs the same uv
        assert set(re.findall(r"uv==(\S+)", workflow.read_text())) <= {pinned}, workflow.name
    # The environment works: composing params.yaml imports the package, DVC and Hydra from it.
    run(str(venv / "bin" / project.name), "ci", "check-params", cwd=project, env=env)
    compiled = {path.name.split(".")[0] for path in venv.glob("lib/python*/site-packages/sklearn/**/__pycache__/*.pyc")}
    assert {"__init__", "pipeline", "_forest", "_logistic"} <= compiled, "make setup left scikit-learn uncompiled"
    assert run("git", "status", "--porcelain", cwd=project).stdout == "", ".venv-uv/ is ignored"


def test_bake_without_git_identity(tmp_path: Path) -> None:
    """A machine where git has no user: the first commit is made as the author."""
    empty = tmp_path / "empty-gitconfig"
    empty.touch()
    env: dict[str, str | None] = {"GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {var: None for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")}
    out = tmp_path / "out"
    run(
        "cookiecutter",
        "--no-input",
        str(TEMPLATE),
        "author_name=Ada",
        "author_email=ada@example.com",
        "-o",
        str(out),
        cwd=tmp_path,
        env=env,
    )
    author = run(
        "git", "log", "-1", "--format=%an <%ae>", cwd=out / DEFAULTS["project_name"].lower().replace(" ", "-"), env=env
    ).stdout.strip()
    assert author == "Ada <ada@example.com>"


def test_bake_ends_with_the_next_steps(tmp_path: Path) -> None:
    """Under --no-input too, the bake's last lines say where the project is and what to run first."""
    # Started from a shell in tmp_path, as a user would: the shell sets PWD.
    result = run("cookiecutter", "--no-input", str(TEMPLATE), "dvc_remote=s3", cwd=tmp_path, env={"PWD": str(tmp_path)})
    lines = [line.split("#")[0].strip() for line in result.stdout.splitlines()]
    steps = lines[lines.index("Next steps:") :]
    assert steps[1:4] == ["cd my-ml-project", "make setup", "make repro"], result.stdout
    assert any(line.startswith("git add --all && git commit -m") for line in steps), result.stdout
    assert any("README.md, then docs/your-data.md for the DVC remote" in line for line in steps), result.stdout


# Names that move where lines break (1, 6, 7, 8 and 40 characters, digits): the generated Python
# is the same code whatever the name, so ruff must find it formatted and clean on every one.
NAMES = ["Q", "Credit", "Titanic", "Forecast", "Model 2048", "A Very Long Project Name For Testing Xyz"]


@pytest.mark.parametrize("name", NAMES)
def test_the_generated_python_passes_ruff_whatever_the_name(cookies_session, name: str) -> None:
    result = cookies_session.bake(extra_context={"project_name": name})
    assert result.exception is None, result.exception
    project = Path(result.project_path)
    pinned = re.search(r'"ruff==([0-9.]+)"', (project / ".pre-commit-config.yaml").read_text())
    assert pinned and pinned[1] == version("ruff"), "the harness runs the ruff the hooks pin"
    run(sys.executable, "-m", "ruff", "check", "--no-cache", ".", cwd=project)
    run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".", cwd=project)
