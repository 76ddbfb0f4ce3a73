"""make image: the engine and base image are checked before anything is built."""

import pytest

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
