"""Versions and registry references, as `make release` and `--model` read them; registry tags, as CI reads them."""

import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.ops.registry.tags import (
    ARTIFACT,
    RegistryError,
    event,
    is_reference,
    parse_version,
)


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


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch git repository with one commit and the project's stages in .gto."""
    monkeypatch.chdir(tmp_path)
    for var, value in {"NAME": "Test", "EMAIL": "test@example.com"}.items():
        monkeypatch.setenv(f"GIT_AUTHOR_{var}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{var}", value)
    (tmp_path / ".gto").write_text("stages: [dev, staging, prod]\n", encoding="utf-8")
    for command in (
        ["init", "--quiet"],
        ["add", ".gto"],
        ["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "x"],
    ):
        subprocess.run(["git", *command], check=True, capture_output=True)
    return tmp_path


def test_ci_acts_only_on_registrations_and_assignments(registry: Path) -> None:
    """The four tags GTO writes for a version and a stage, and their undoing by `gto deprecate`."""
    import gto.api

    gto.api.register(".", ARTIFACT, ref="HEAD", version="v0.1.0")
    assigned = gto.api.assign(".", ARTIFACT, "prod", version="v0.1.0").tag
    unassigned = gto.api.unassign(".", ARTIFACT, version="v0.1.0", stage="prod").tag  # gto deprecate NAME v0.1.0 prod
    deregistered = gto.api.deregister(".", ARTIFACT, version="v0.1.0").tag  # gto deprecate NAME v0.1.0
    assert (assigned, unassigned, deregistered) == (f"{ARTIFACT}#prod#1", f"{ARTIFACT}#prod!#2", f"{ARTIFACT}@v0.1.0!")

    common = {"artifact": ARTIFACT, "version": "v0.1.0"}
    assert event(f"{ARTIFACT}@v0.1.0") == {"event": "registration", **common, "stage": "", "ci": "publish"}
    assert event(assigned) == {"event": "assignment", **common, "stage": "prod", "ci": "deploy"}
    assert event(unassigned) == {"event": "unassignment", **common, "stage": "prod", "ci": "none"}
    assert event(deregistered) == {"event": "deregistration", **common, "stage": "", "ci": "none"}
    retired = gto.api.deprecate(".", ARTIFACT).tag  # gto deprecate NAME: the whole artifact
    assert event(retired) == {"event": "deprecation", "artifact": ARTIFACT, "version": "", "stage": "", "ci": "none"}


def test_a_lightweight_or_foreign_tag_is_no_registry_event(registry: Path) -> None:
    subprocess.run(["git", "tag", f"{ARTIFACT}@v0.2.0"], check=True)  # lightweight: GTO ignores it
    for ref in (f"{ARTIFACT}@v0.2.0", "v1.0", f"{ARTIFACT}@v9.9.9"):
        with pytest.raises(RegistryError, match="is not a registry tag"):
            event(ref)
