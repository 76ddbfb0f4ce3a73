"""A bundle runs no code: pickles and untrusted types are refused, archives are read within bounds."""

import io
import pickle
import tarfile
from pathlib import Path

import pytest
from serving_bundles import fitted, write_bundle
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.model_file import UntrustedModelError, model_bytes
from {{ cookiecutter.package_name }}.ops.registry import archive
from {{ cookiecutter.package_name }}.ops.registry.bundle import inspect_model, load_model
from {{ cookiecutter.package_name }}.ops.registry.tags import is_reference


class Payload:
    """What a crafted pickle does when it is loaded: here, create a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


def test_a_pickle_in_place_of_the_model_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    bundle = write_bundle(tmp_path / "evil.tar.gz", "v1.0.0", pickle.dumps(Payload(marker)))
    for opened in (inspect_model, load_model):
        with pytest.raises(UntrustedModelError, match=r"model\.skops is not a skops model file .*refused without"):
            opened(str(bundle))
    assert not marker.exists()


def test_a_model_needing_an_untrusted_type_is_refused(tmp_path: Path) -> None:
    import json

    model = make_pipeline(FunctionTransformer(json.dumps))  # any function outside the trusted modules
    with pytest.raises(UntrustedModelError, match=r"needs json\.dumps, outside the trusted sklearn\., numpy\."):
        model_bytes(model)


def test_a_model_needing_types_its_manifest_does_not_record_is_refused(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "model.tar.gz", "v1.0.0", model_types=[])
    inspect_model(str(bundle))  # the types are trusted ones...
    with pytest.raises(UntrustedModelError, match="which its manifest does not record; refused"):
        load_model(str(bundle))  # ...but not the ones this bundle says its model needs


def crafted(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data else None)
    return path


def member(name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, len(data) if kind == tarfile.REGTYPE else 0
    if kind == tarfile.SYMTYPE:
        info.linkname = "/etc/passwd"
    return info, data if kind == tarfile.REGTYPE else b""


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ([member("../model.skops")], "member '../model.skops' is not one of a bundle's files"),
        ([member("/tmp/manifest.json")], "member '/tmp/manifest.json' is not one of a bundle's files"),
        ([member("model.skops", kind=tarfile.SYMTYPE)], "member 'model.skops' is not a regular file"),
        ([member("manifest.json")] * 2, "member 'manifest.json' appears twice"),
        ([member("model.skops", b"x" * 2048)], "it would unpack to more than"),
        ([member("manifest.json"), member("model.skops")], "it has too many members"),
    ],
)
def test_a_crafted_archive_is_refused_before_it_is_read(
    tmp_path: Path, members: list, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_BYTES", 1024)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 1 if "too many" in problem else 8)
    path = crafted(tmp_path / "crafted.tar.gz", members)
    with pytest.raises(archive.ArchiveError, match=f"is refused: {problem}"):
        load_model(str(path))


def test_registry_references_are_never_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no git here: a reference cannot resolve
    write_bundle(tmp_path / "x.tar.gz", "v1.0.0", fitted())
    (tmp_path / "x.tar.gz").rename(tmp_path / "{{ cookiecutter.project_slug }}#prod")
    assert is_reference("{{ cookiecutter.project_slug }}#prod") and is_reference("other@v1.0.0")
    assert not is_reference("dist/{{ cookiecutter.project_slug }}@v1.0.0.tar.gz")
    with pytest.raises(ProjectError, match="the registry lives in the project's git tags"):
        load_model("{{ cookiecutter.project_slug }}#prod")
