"""The contract between your code and the toolkit: ops/ uses your modules through ops/contract.py alone."""

import ast
import inspect
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.ops import contract

PACKAGE = {{ cookiecutter.package_name }}.__name__
OPS = Path({{ cookiecutter.package_name }}.__file__).parent / "ops"
YOURS = {"errors", "paths", "params", "metrics", "data", "features", "prepare", "train", "evaluate", "plots"}


def imported_modules(path: Path) -> set[str]:
    """The package's own top-level modules a file of ops/ imports, however it spells them."""
    depth = len(path.relative_to(OPS).parts)  # 1 for ops/x.py, 2 for ops/cli/x.py
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == depth + 1 or (node.level == 0 and module.startswith(f"{PACKAGE}.")):
                found.add(module.removeprefix(f"{PACKAGE}.").partition(".")[0])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith(f"{PACKAGE}.")}
    return found


@pytest.mark.parametrize("path", sorted(OPS.rglob("*.py")), ids=lambda path: str(path.relative_to(OPS)))
def test_the_toolkit_imports_your_modules_only_through_the_contract(path: Path) -> None:
    if path.name == "contract.py":
        return
    assert imported_modules(path) & YOURS == set(), f"{path.name}: import it through ops/contract.py"


def test_every_name_of_the_contract_is_there_and_of_its_kind() -> None:
    for name in contract.SOURCE:
        value = getattr(contract, name)
        if name.isupper():
            assert not callable(value), name
        elif name[0].isupper():
            assert inspect.isclass(value), name
        else:
            assert inspect.isfunction(value), name
    assert issubclass(contract.ConfigError, contract.ProjectError)
    assert issubclass(contract.DataError, contract.ProjectError)
    assert list(contract.TASK_METRICS) == ["classification", "regression"]


def test_a_name_outside_the_contract_is_an_error_that_says_where_to_add_it() -> None:
    with pytest.raises(AttributeError, match="add it to NEEDED"):
        contract.build_estimator  # noqa: B018
