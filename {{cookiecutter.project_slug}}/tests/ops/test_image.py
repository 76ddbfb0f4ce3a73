"""make image and publish.yml's image steps: what comes from outside is checked before anything runs."""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.ops.checked import RefusedValue
from {{ cookiecutter.package_name }}.ops.ci.images import image_name, stage_image
from {{ cookiecutter.package_name }}.ops.registry import image
from {{ cookiecutter.package_name }}.ops.registry.image import ImageError, checked_base, engine


def test_container_engine_must_be_docker_or_podman(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTAINER_ENGINE", "sh -c id")
    with pytest.raises(ImageError, match="is not docker or podman"):
        engine()
    monkeypatch.setenv("CONTAINER_ENGINE", "/usr/bin/podman")
    assert engine() == "/usr/bin/podman"


def test_without_an_engine_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTAINER_ENGINE", raising=False)
    monkeypatch.setattr(image.shutil, "which", lambda name: None)
    with pytest.raises(ImageError, match="neither a docker daemon nor podman"):
        engine()


@pytest.mark.parametrize("base", ["python:3.12-slim", "localhost/my-python", "registry.example.com:5000/team/py:3"])
def test_base_images_are_references(base: str) -> None:
    assert checked_base(base) == base


@pytest.mark.parametrize("base", ["python:3.12-slim; id", "--network=host", "Python:3", "a b"])
def test_anything_else_is_refused(base: str) -> None:
    with pytest.raises(ImageError, match="is not an image reference"):
        checked_base(base)


# publish.yml's image steps: the registry, repository and the pinned reference are checked first.
def test_the_image_name_is_the_registry_and_the_lowercased_repository() -> None:
    assert image_name("ghcr.io", "Octo-Lab/My.Project") == "ghcr.io/octo-lab/my.project"
    assert image_name("127.0.0.1:5000", "octo-lab/p") == "127.0.0.1:5000/octo-lab/p"


@pytest.mark.parametrize(
    ("registry", "repository"),
    [("ghcr.io --tls-verify=false", "o/p"), ("-ghcr.io", "o/p"), ("ghcr.io", "o/p;id"), ("ghcr.io", "../p")],
)
def test_a_registry_or_repository_with_anything_else_is_refused(registry: str, repository: str) -> None:
    with pytest.raises(RefusedValue, match="refused"):
        image_name(registry, repository)


@pytest.mark.parametrize(
    "text", ["ghcr.io/o/p:prod", "ghcr.io/o/p@sha256:abc", "ghcr.io/o/p@sha256:" + "0" * 64 + " x"]
)
def test_staging_needs_an_image_pinned_by_its_digest(text: str, tmp_path: Path) -> None:
    pinned = tmp_path / "image.txt"
    pinned.write_text(text)
    with pytest.raises(ImageError, match="not <registry>/<repository>@sha256:<digest>"):
        stage_image(pinned, "prod", "octo-lab")
