"""The one command line: grouped help, the hidden CI group, exit codes, values refused by name."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from {{ cookiecutter.package_name }}.ops.checked import RefusedValue, checked
from {{ cookiecutter.package_name }}.ops.ci.github import set_outputs
from {{ cookiecutter.package_name }}.ops.cli import main
from {{ cookiecutter.package_name }}.ops.config import compose
from {{ cookiecutter.package_name }}.paths import PARAMS

DAILY = ["data", "params", "repro", "exp", "exps", "sweep", "keep", "report"]
LIFECYCLE = ["release", "promote", "bundle", "image", "inspect", "predict", "serve"]
LIFECYCLE += ["monitor", "absorb", "verify", "gate"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_commands_by_who_runs_them_and_hides_ci() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    daily, lifecycle = out.index("The daily loop:"), out.index("The model's lifecycle:")
    assert daily < lifecycle
    rows = out[daily:].splitlines()
    listed = [line.split()[0] for line in rows if line.startswith("  ") and not line.startswith("   ")]
    assert listed == DAILY + LIFECYCLE
    assert "ci " not in out and "check-params" not in out


def test_the_ci_group_lists_its_own_commands() -> None:
    code, out, _ = invoke("ci", "--help")
    assert code == 0 and "check-params" in out and "monitor" in out and "allow" in out


def test_every_command_has_help() -> None:
    for name in DAILY + LIFECYCLE:
        code, out, _ = invoke(name, "--help")
        assert code == 0 and out.startswith(f"Usage: main {name}"), name


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("reason", "drift in `id`"),
        ("reason", "x $(touch /tmp/marker)"),
        ("reason", "a'; touch x; '"),
        ("batch", "z$(id>X)x`id>Y`.csv"),
        ("batch", "../outside.csv"),
        ("tag", "name@v1`{touch,x}`"),
        ("model", "name#prod; id"),
        ("revision", "--output=/tmp/x"),
        ("experiment", "sweep-1\nbest=evil"),
    ],
)
def test_values_from_outside_are_refused_in_one_line_naming_them(kind: str, value: str) -> None:
    with pytest.raises(RefusedValue, match=r"^refused ") as refused:
        checked(kind, value)
    assert repr(value) in str(refused.value) and "\n" not in str(refused.value).replace(repr(value), "")
    code, _, err = invoke("ci", "allow", kind, "--", value)
    assert code == 2 and err.startswith("error: refused ")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("reason", "drift in data/incoming/2026-11-01.csv"),
        ("batch", "2026-11-01.csv"),
        ("tag", "name@v1.2.0"),
        ("tag", "name#prod#3"),
        ("tag", "name#prod!#4"),
        ("model", "name#prod"),
        ("model", "dist/name-v1.2.0.tar.gz"),
        ("revision", "origin/main"),
        ("experiment", "sweep-12-3"),
    ],
)
def test_ordinary_values_pass(kind: str, value: str) -> None:
    assert checked(kind, value) == value


def test_outputs_are_heredocs_that_no_value_can_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    set_outputs({"best": "a\nother=injected", "count": "2"})
    lines = output.read_text().splitlines()
    delimiter = lines[0].partition("<<")[2]
    assert lines == [f"best<<{delimiter}", "a", "other=injected", delimiter, lines[4], "2", lines[4].partition("<<")[2]]
    assert delimiter.startswith("ghadelimiter_") and len(delimiter) > 20 and lines[4].startswith("count<<")


def test_a_bad_version_is_one_line_and_exit_2() -> None:
    code, out, err = invoke("release", "")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: '' is not a version")


def test_a_usage_error_is_one_line_naming_the_help() -> None:
    code, _, err = invoke("promote", "1.0.0")
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("error: Missing argument 'STAGE'.") and "--help`)" in err


def test_overrides_stick_until_params_runs_without_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`params model=...` then `repro`: the override is kept, and says so; `params` alone drops it."""
    composed: list[list[str]] = []

    def write_params(overrides: list[str], params: Path = PARAMS) -> bool:
        composed.append(list(overrides))
        params.write_text(json.dumps(overrides))
        return True

    monkeypatch.setattr(compose, "write_params", write_params)
    params, store = tmp_path / "params.yaml", tmp_path / "overrides.json"
    assert "with model=random_forest (kept until" in compose.apply(["model=random_forest"], params, store)
    assert "(kept from the last `params`)" in compose.apply(None, params, store)
    assert composed[-1] == ["model=random_forest"]
    params.write_text("changed by dvc exp run")
    assert "alone: it changed since it was composed with model=random_forest" in compose.apply(None, params, store)
    assert composed[-1] == [] and not store.exists()
    compose.apply(["seed=1"], params, store)
    compose.apply([], params, store)
    assert composed[-1] == [] and not store.exists()
