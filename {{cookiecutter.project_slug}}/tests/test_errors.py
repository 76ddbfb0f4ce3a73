"""A stage run by a Python without the project's dependencies stops with one line that says what to do."""

import subprocess
import sys
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.errors import ConfigError, run_stage


def fail_with(err: Exception):
    def main() -> None:
        raise err

    return main


def test_a_project_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_stage(fail_with(ConfigError("params.yaml: bad")))
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "error: params.yaml: bad\n"


def test_ctrl_c_is_one_line_and_code_130(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_stage(fail_with(KeyboardInterrupt()))
    assert exit_.value.code == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_a_missing_dependency_says_to_use_the_venv(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_stage(fail_with(ModuleNotFoundError("No module named 'xgboost'", name="xgboost.sklearn")))
    assert exit_.value.code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {sys.executable} cannot import 'xgboost', which this project needs")
    assert "`make setup`" in line and "`source .venv/bin/activate`" in line and "`make repro`" in line


def test_a_missing_module_of_the_package_is_a_bug_with_its_traceback() -> None:
    missing = ModuleNotFoundError("No module named 'x'", name="{{ cookiecutter.package_name }}.featurs")
    with pytest.raises(ModuleNotFoundError):
        run_stage(fail_with(missing))


def test_a_stage_in_a_python_without_the_dependencies(tmp_path: Path) -> None:
    """As a dvc installed outside .venv runs it: a bare Python that finds the package but not pandas."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    src = Path({{ cookiecutter.package_name }}.__file__).parents[1]
    result = subprocess.run(
        [str(bare / "bin/python"), "-m", "{{ cookiecutter.package_name }}.prepare"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()  # no traceback
    assert line.startswith("error: ") and "cannot import 'pandas'" in line and "`make setup`" in line
