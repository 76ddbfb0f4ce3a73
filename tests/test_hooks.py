"""Unit tests of the hooks' logic, on answers given as plain data."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hooks import post_gen, pre_gen

GOOD = {
    "project_name": "My ML Project",
    "project_slug": "my-ml-project",
    "package_name": "my_ml_project",
    "description": "d",
    "author_name": "Ada",
    "author_email": "ada@example.com",
    "github_owner": "ada-lab",
    "code_owners": "@ada-lab",
    "python_version": "3.11",
    "task": "classification",
    "dataset": "breast_cancer",
    "dvc_remote": "local",
    "dvc_remote_url": "../my-ml-project-dvc-remote",
    "license": "MIT",
    "runner_labels": "ubuntu-latest",
}
WORKFLOWS = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / ".github/workflows"


def test_default_style_answers_pass() -> None:
    pre_gen.validate(GOOD)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"project_slug": "My Project"}, "project_slug: 'My Project' is not valid"),
        ({"project_slug": "my--project"}, "project_slug"),
        ({"project_slug": "1project"}, "project_slug"),
        ({"package_name": "my-project"}, "package_name: 'my-project' is not valid"),
        ({"package_name": "class "}, "package_name"),
        ({"project_name": "  "}, "project_name: must not be empty; pass a name such as project_name='My ML Project'"),
        ({"project_slug": "2048-game"}, "starting with a letter"),
        ({"package_name": "class"}, "package_name: 'class' is a Python keyword, so `import class` fails; pass"),
        ({"package_name": "async"}, "package_name: 'async' is a Python keyword"),
        ({"package_name": "json"}, "package_name: 'json' is a module of Python's standard library"),
        ({"package_name": "os"}, "package_name: 'os' is a module of Python's standard library"),
        ({"author_email": "ada.example.com"}, "author_email: 'ada.example.com' is not valid"),
        ({"github_owner": "-ada"}, "github_owner"),
        ({"github_owner": "a" * 40}, "github_owner"),
        ({"code_owners": "ada-lab"}, "code_owners: 'ada-lab' is not valid; use owners separated by spaces, each @user"),
        ({"code_owners": "@ada, @bob"}, "code_owners: '@ada, @bob' is not valid"),
        ({"code_owners": "@ada-lab/"}, "an organisation needs a team"),
        ({"code_owners": "@ada-lab/ml team"}, "code_owners"),
        ({"code_owners": ""}, "code_owners: '' is not valid"),
        ({"python_version": "3.9"}, "python_version: '3.9' is not allowed; choose one of 3.11, 3.12, 3.13"),
        ({"task": "clustering"}, "task: 'clustering' is not allowed; choose one of classification, regression"),
        ({"dataset": "diabetes"}, "dataset: 'diabetes' is not allowed for task classification; choose one of"),
        ({"task": "regression", "dataset": "wine"}, "dataset: 'wine' is not allowed for task regression"),
        ({"dataset": "iris"}, "dataset: 'iris' is not allowed"),
        ({"dvc_remote": "ftp"}, "dvc_remote: 'ftp' is not allowed"),
        ({"dvc_remote": "s3", "dvc_remote_url": "gs://bucket/x"}, "use a URL starting with s3://"),
        ({"dvc_remote": "gs", "dvc_remote_url": ""}, "dvc_remote_url: must not be empty"),
        ({"dvc_remote_url": "inside-the-repo"}, "is not a directory outside the project"),
        ({"dvc_remote_url": "s3://bucket"}, "is not a directory outside the project"),
        ({"license": "GPL"}, "license: 'GPL' is not allowed"),
        ({"runner_labels": ""}, "runner_labels: '' is not valid; use runner labels separated by commas"),
        ({"runner_labels": "self hosted"}, "runner_labels: 'self hosted' is not valid"),
        ({"runner_labels": "self-hosted,,gpu"}, "runner_labels: 'self-hosted,,gpu' is not valid"),
        ({"runner_labels": "linux, gpu: a100"}, "runner_labels: 'linux, gpu: a100' is not valid"),
        ({"runner_labels": "[self-hosted]"}, "runner_labels: '[self-hosted]' is not valid"),
        ({"runner_labels": "self-hosted, GPU, gpu"}, "runner_labels: 'self-hosted, GPU, gpu' repeats gpu"),
        ({"runner_labels": "windows-latest"}, "runner_labels: 'windows-latest' picks a Windows runner"),
    ],
)
def test_each_bad_answer_is_named_with_what_is_allowed(changes: dict[str, str], message: str) -> None:
    with pytest.raises(pre_gen.AnswerError) as raised:
        pre_gen.validate({**GOOD, **changes})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Class", "package_name: 'class' (made from project_name 'Class') is a Python keyword"),
        ("Random", "package_name: 'random' (made from project_name 'Random') is a module of Python's standard library"),
        ("2048 Game", "project_slug: '2048-game' (made from project_name '2048 Game') is not valid"),
        ("!!!", "project_slug: '!!!' (made from project_name '!!!') is not valid"),
    ],
)
def test_a_name_derived_from_project_name_says_where_it_came_from(name: str, message: str) -> None:
    """The defaults derive the slug from project_name and the package from the slug, as cookiecutter.json does."""
    slug = name.lower().strip().replace(" ", "-").replace("_", "-")
    with pytest.raises(pre_gen.AnswerError) as raised:
        pre_gen.validate({**GOOD, "project_name": name, "project_slug": slug, "package_name": slug.replace("-", "_")})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("package", ["match", "case", "type", "my_class", "classes"])
def test_soft_keywords_and_names_containing_keywords_pass(package: str) -> None:
    """`match`, `case` and `type` are keywords only in some statements: `import match` works."""
    pre_gen.validate({**GOOD, "package_name": package})


@pytest.mark.parametrize("owners", ["@ada", "@ada-lab/ml-reviewers", "@Ada-Lab/ml_ops ada@example.com", " @a  @b/c "])
def test_code_owners_users_teams_and_emails_pass(owners: str) -> None:
    pre_gen.validate({**GOOD, "code_owners": owners})


@pytest.mark.parametrize("url", ["../remote", "/srv/dvc", "../../shared/dvc-store"])
def test_local_remote_outside_the_project_passes(url: str) -> None:
    pre_gen.validate({**GOOD, "dvc_remote_url": url})


@pytest.mark.parametrize(
    ("answer", "runs_on"),
    [
        ("ubuntu-latest", "ubuntu-latest"),
        (" ubuntu-24.04 ", "ubuntu-24.04"),
        ("self-hosted, linux, gpu", "[self-hosted, linux, gpu]"),
        ("self-hosted,linux,X64", "[self-hosted, linux, X64]"),
        # Labels YAML would read as a boolean or a number stay strings.
        ("self-hosted, on, 2.0", '[self-hosted, "on", "2.0"]'),
        ("true", '"true"'),
    ],
)
def test_runner_labels_become_one_string_or_a_list(answer: str, runs_on: str) -> None:
    pre_gen.validate({**GOOD, "runner_labels": answer})
    assert post_gen.runs_on(answer) == runs_on


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("ubuntu-latest", "ubuntu-latest"), ("self-hosted, linux, gpu, on", ["self-hosted", "linux", "gpu", "on"])],
)
def test_runner_labels_reach_the_training_jobs_and_only_them(tmp_path: Path, answer: str, expected) -> None:
    """The template's own workflows: the marked `runs-on` lines change, the files stay valid workflows."""
    import yaml

    workflows = tmp_path / ".github/workflows"
    workflows.mkdir(parents=True)
    for path in WORKFLOWS.glob("*.yml"):
        (workflows / path.name).write_text(path.read_text())
    assert "reproduce.yml" in post_gen.set_runner_labels({**GOOD, "runner_labels": answer}, workflows)
    for path in sorted(workflows.glob("*.yml")):
        marked = (WORKFLOWS / path.name).read_text().count("runs-on: ubuntu-latest # runner_labels")
        runners = [job["runs-on"] for job in yaml.safe_load(path.read_text())["jobs"].values()]
        assert all(runner in (expected, "ubuntu-latest") for runner in runners), path.name
        if expected != "ubuntu-latest":
            assert runners.count(expected) == marked, path.name
    assert yaml.safe_load((workflows / "reproduce.yml").read_text())["jobs"]["reproduce"]["runs-on"] == expected
    if answer == "ubuntu-latest":  # the default changes nothing
        assert all(path.read_text() == (WORKFLOWS / path.name).read_text() for path in workflows.glob("*.yml"))
    files = sorted(str(path) for path in workflows.glob("*.yml"))
    schema = subprocess.run(
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files], capture_output=True, text=True
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


@pytest.mark.parametrize(
    ("answer", "listed"),
    [
        ("ubuntu-latest", None),
        ("macos-14-large", None),
        ("ubuntu-24.04-arm", None),
        ("Self-Hosted, Linux, X64", None),
        ("self-hosted, linux, gpu", ["gpu"]),
        # Listed as answered (actionlint matches listed labels case-sensitively), quoted where YAML needs it.
        ("self-hosted, GPU-A100, on, 2.0", ["GPU-A100", "on", "2.0"]),
    ],
)
def test_custom_runner_labels_are_listed_for_actionlint(tmp_path: Path, answer: str, listed: list[str] | None) -> None:
    """actionlint's runner-label check knows GitHub's runners; only other labels need .github/actionlint.yaml."""
    import yaml

    config = tmp_path / "actionlint.yaml"
    assert post_gen.write_actionlint_config({**GOOD, "runner_labels": answer}, config) == (listed is not None)
    if listed is None:
        assert not config.exists()
    else:
        assert yaml.safe_load(config.read_text()) == {"self-hosted-runner": {"labels": listed}}


def test_a_template_without_a_marked_runner_line_fails_the_bake(tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text("jobs:\n  test:\n    runs-on: ubuntu-latest\n")
    with pytest.raises(post_gen.BakeError, match="runs-on: ubuntu-latest # runner_labels"):
        post_gen.set_runner_labels(GOOD, tmp_path)


def test_no_remote_needs_no_url() -> None:
    pre_gen.validate({**GOOD, "dvc_remote": "none", "dvc_remote_url": ""})


def test_missing_bake_tools_are_named_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pre_gen.shutil, "which", lambda exe: None)
    monkeypatch.setattr(pre_gen.importlib.util, "find_spec", lambda module: None)
    with pytest.raises(pre_gen.AnswerError, match=r"missing bake-time tools: git, dvc, hydra-core; .*uvx --with dvc"):
        pre_gen.check_bake_tools()


@pytest.mark.parametrize(
    ("changes", "removed", "kept"),
    [
        ({}, {"conf/data/wine.yaml", "conf/model/ridge.yaml", "data/raw/sample_classification.csv"}, {"LICENSE"}),
        (
            {"task": "regression", "dataset": "diabetes", "license": "Proprietary"},
            {"conf/data/breast_cancer.yaml", "conf/model/logistic_regression.yaml", "LICENSE"},
            {"conf/data/diabetes.yaml", "conf/model/ridge.yaml"},
        ),
        (
            {"dataset": "csv"},
            {"conf/data/breast_cancer.yaml", "data/raw/sample_regression.csv"},
            {"conf/data/csv.yaml", "data/raw/sample_classification.csv"},
        ),
    ],
)
def test_unused_paths_cover_the_options_not_chosen(changes: dict, removed: set[str], kept: set[str]) -> None:
    unused = set(post_gen.unused_paths({**GOOD, **changes}))
    assert removed <= unused
    assert not kept & unused


def test_answers_file_drops_machine_specific_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    post_gen.write_answers({**GOOD, "_template": "gh:org/tpl", "_output_dir": "/home/x", "_checkout": None})
    written = (tmp_path / ".cookiecutter.json").read_text()
    assert '"_template": "gh:org/tpl"' in written
    assert "_output_dir" not in written and "_checkout" not in written


def test_git_identity_falls_back_to_the_author(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "gitconfig"
    empty.touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    assert post_gen.git_identity(GOOD) == ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"]


def test_a_failing_bake_step_raises_with_its_output() -> None:
    with pytest.raises(post_gen.BakeError, match=r"`git frobnicate` failed:\n.*frobnicate"):
        post_gen.run("git", "frobnicate")


def git_repo(path: Path, directory: str = ".") -> str:
    """A git repository at path with a template in directory; returns its HEAD commit."""
    (path / directory).mkdir(parents=True, exist_ok=True)
    (path / directory / "cookiecutter.json").write_text("{}")
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "add", "--all"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-q", "--no-verify", "-m", "A"], check=True)
    return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


@pytest.fixture
def outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path, with git kept from finding a repository above it; the hook's cwd is elsewhere."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    return tmp_path


def test_cruft_state_records_a_local_template_and_its_commit(outside_git: Path) -> None:
    template = outside_git / "template"
    commit = git_repo(template)
    machine = {"_output_dir": "/home/x", "_repo_dir": str(template), "_checkout": None, "__prompts__": {}}
    state = post_gen.cruft_state({**GOOD, "_template": str(template), **machine})
    assert state["template"] == str(template.resolve())
    assert (state["commit"], state["checkout"], state["directory"]) == (commit, None, None)
    context = state["context"]["cookiecutter"]
    assert context == {**GOOD, "_template": state["template"], "_commit": commit}
    assert {".git", ".cruft.json", "uv.lock", "params.yaml", "dvc.lock"} <= set(state["skip"])


def test_cruft_state_of_a_cloned_template_names_the_url_it_came_from(outside_git: Path) -> None:
    """cookiecutter clones a URL (or gh:/gl: shorthand) into its cookiecutters_dir."""
    origin = outside_git / "origin"
    commit = git_repo(origin)
    clone = outside_git / "cookiecutters" / "origin"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    state = post_gen.cruft_state({**GOOD, "_template": "gh:ada-lab/origin", "_repo_dir": str(clone), "_checkout": "v1"})
    assert (state["template"], state["commit"], state["checkout"]) == (str(origin), commit, "v1")


def test_cruft_state_of_a_template_in_a_subdirectory_names_it(outside_git: Path) -> None:
    repo = outside_git / "repo"
    git_repo(repo, "templates/ml")
    template = str(repo / "templates/ml")
    state = post_gen.cruft_state({**GOOD, "_template": template, "_repo_dir": template})
    assert (state["template"], state["directory"]) == (str(repo.resolve()), "templates/ml")


def test_relative_template_path_counts_from_where_cookiecutter_started(
    outside_git: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = git_repo(outside_git / "template")
    monkeypatch.setenv("PWD", str(outside_git))
    state = post_gen.cruft_state({**GOOD, "_template": "template", "_repo_dir": "template"})
    assert (state["template"], state["commit"]) == (str((outside_git / "template").resolve()), commit)


def test_template_outside_git_has_no_commit(outside_git: Path) -> None:
    plain = outside_git / "plain"
    plain.mkdir()
    (plain / "cookiecutter.json").write_text("{}")
    state = post_gen.cruft_state({**GOOD, "_template": str(plain), "_repo_dir": str(plain)})
    assert (state["template"], state["commit"]) == (str(plain), None)


def test_cruft_render_keeps_the_template_and_commit_cruft_gives(outside_git: Path) -> None:
    """`cruft update` renders with `_template` and `_commit` of its own, and no `_repo_dir`."""
    answers = {**GOOD, "_template": "https://example.com/tpl.git", "_commit": "a" * 40, "_copy_without_render": []}
    post_gen.write_cruft_state(answers)
    state = json.loads(Path(".cruft.json").read_text())
    assert (state["template"], state["commit"]) == ("https://example.com/tpl.git", "a" * 40)
    assert "_copy_without_render" not in state["context"]["cookiecutter"]


@pytest.mark.parametrize(
    ("started_in", "cd"), [("/work", "cd my-ml-project"), ("/elsewhere", "cd /work/my-ml-project")]
)
def test_next_steps_cd_from_where_cookiecutter_started(started_in: str, cd: str) -> None:
    steps = post_gen.next_steps(GOOD, Path("/work/my-ml-project"), started_in)
    assert steps[1:3] == ["Next steps:", f"  {cd}"]
    assert steps[-1] == "Then read README.md."  # the local remote needs no set-up


@pytest.mark.parametrize(
    ("remote", "variant"), [("local", "plain"), ("none", "plain"), ("s3", "s3"), ("gs", "gs"), ("azure", "azure")]
)
def test_each_remote_takes_the_lock_of_its_dvc_extra(remote: str, variant: str) -> None:
    assert post_gen.lock_variant({**GOOD, "dvc_remote": remote}) == variant


def test_a_lock_of_another_project_is_refused_naming_make_locks(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(post_gen.RELOCK, raising=False)
    (tmp_path / ".locks").mkdir()
    (tmp_path / ".locks/plain.lock").write_text('requires-python = ">=3.11"\n[[package]]\nname = "other"\n')
    with pytest.raises(post_gen.BakeError, match="run `make locks`"):
        post_gen.place_lock(GOOD)
    assert not (tmp_path / "uv.lock").exists()
