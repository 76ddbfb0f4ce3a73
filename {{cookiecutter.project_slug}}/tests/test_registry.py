"""Versions and registry references, as `make release` and `--model` read them."""

import pytest

from {{ cookiecutter.package_name }}.registry import ARTIFACT, RegistryError, is_reference, parse_version


@pytest.mark.parametrize(("text", "version"), [("1.2.0", "v1.2.0"), ("v0.1.10", "v0.1.10")])
def test_versions_are_semantic(text: str, version: str) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["", "1.2", "01.2.0", "1.2.0-rc1", "latest", "v1.2.0.0"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(RegistryError, match="is not a version: use MAJOR.MINOR.PATCH"):
        parse_version(text)


def test_references_name_a_version_or_a_stage() -> None:
    for reference in (f"{ARTIFACT}@v1.2.0", f"{ARTIFACT}#prod", f"{ARTIFACT}@latest"):
        assert is_reference(reference)
    assert not is_reference(f"dist/{ARTIFACT}-v1.2.0.tar.gz")
