"""Release bundles: a model with its manifest and model card, in one verifiable archive.

`dist/<artifact>-vX.Y.Z.tar.gz` holds

- model.skops: the fitted scikit-learn Pipeline, in skops (model_file.py: loading runs no code);
- manifest.json: version, git commit, the dvc.lock hashes of data and model,
  params, metrics, the training schema, Python and package versions, the types
  the model needs trusted, and the sha256 of every other file in the bundle;
- MODEL_CARD.md: a Hugging Face style model card.

Only a registered version is bundled, and always from the commit its tag
names, whatever is checked out: every file is read at that commit through DVC
(git files from git, data and models from the DVC cache or remote), so a
version's bundle never holds another commit's model. The packages the manifest
records come from this environment, so they must be the ones uv.lock pinned at the tag.

    {{ cookiecutter.project_slug }} bundle 1.2.0   # make bundle VERSION=1.2.0
"""

import hashlib
import io
import json
import platform
import tarfile
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from ..contract import METRICS, MODEL, PARAMS, TRAIN, ProjectError, model_types, read_model
from .archive import read_members
from .tags import ARTIFACT, Version, is_reference, parse_version, resolve

DIST = Path("dist")
MODEL_FILE, MANIFEST_FILE, CARD_FILE = "model.skops", "manifest.json", "MODEL_CARD.md"
UV_LOCK = "uv.lock"
# Recorded in the manifest: what the model needs to load and behave the same.
PACKAGES = ("scikit-learn", "numpy", "scipy", "pandas", "skops", "{{ cookiecutter.project_slug }}")


class BundleError(ProjectError):
    """A bundle cannot be built, or does not verify."""


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: dict[str, Any]
    model: Any  # the fitted Pipeline: predict, and predict_proba for classifiers

    @property
    def features(self) -> list[dict[str, str]]:
        return self.manifest["features"]


def bundle_path(version: str, out: Path = DIST) -> Path:
    return out / f"{ARTIFACT}-{version}.tar.gz"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def feature_schema(train: "Any", target: str) -> list[dict[str, str]]:
    """Each feature column of the training frame, and how the model treats it: numeric, date or categorical."""
    from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

    def kind(dtype: "Any") -> str:
        # prepare stores the columns it found to hold dates as dates (data.date_columns).
        return "numeric" if is_numeric_dtype(dtype) else "date" if is_datetime64_any_dtype(dtype) else "categorical"

    return [
        {"name": str(name), "kind": kind(dtype), "dtype": str(dtype)}
        for name, dtype in train.dtypes.items()
        if name != target
    ]


def lock_hashes(lock: dict[str, Any]) -> dict[str, str]:
    """The md5 dvc.lock records for every data and model file the pipeline reads or writes."""
    return {
        entry["path"]: entry["md5"]
        for stage in lock["stages"].values()
        for entry in [*stage.get("deps", []), *stage.get("outs", [])]
        if entry["path"].startswith(("data/", "models/"))
    }


def environment() -> dict[str, Any]:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"python": platform.python_version(), "packages": versions}


def check_environment(packages: dict[str, str | None], uv_lock: bytes, version: Version) -> None:
    """Refuse when this environment's packages are not the ones uv.lock pinned at the tag.

    The manifest records them as what the model needs to load and behave the same, so
    they must be the ones it was trained with. uv.lock may pin a package at several
    versions, one per range of Python versions: any of them matches.
    """
    locked: dict[str, set[str]] = {}
    for package in tomllib.loads(uv_lock.decode())["package"]:
        if "version" in package:  # a project with a dynamic version has none
            locked.setdefault(package["name"], set()).add(package["version"])
    differ = [
        f"{name} {' or '.join(sorted(locked[name]))} (here {installed})"
        for name, installed in packages.items()
        if name in locked and installed not in locked[name]
    ]
    if differ:
        raise BundleError(
            f"{version.tag} was trained with {', '.join(differ)}: check out {version.tag} and `make setup`, "
            "then bundle it there"
        )


def read_commit(version: Version) -> dict[str, bytes]:
    """The files a bundle is made from, as they are at the commit the version's tag names."""
    from dvc.api import DVCFileSystem
    from dvc.exceptions import DvcException

    paths = [str(path) for path in (PARAMS, METRICS, MODEL, TRAIN)] + ["dvc.lock", UV_LOCK]
    files = {}
    try:
        fs = DVCFileSystem(".", rev=version.commit)
        for path in paths:
            files[path] = fs.read_bytes(path)
    except (DvcException, FileNotFoundError) as err:
        raise BundleError(
            f"cannot read {path} at {version.tag} ({version.commit[:12]}): {err}. "
            "Is the DVC remote reachable (`dvc pull` it), and was the pipeline reproduced and committed?"
        ) from None
    return files


def registered(version_text: str) -> Version:
    """A registered version of the artifact; RegistryError, naming `make release`, if it is not."""
    return resolve(f"{ARTIFACT}@{parse_version(version_text)}")


def build_bundle(version: Version, out: Path = DIST) -> Path:
    """Write dist/<artifact>-vX.Y.Z.tar.gz of the version's tagged commit (and the model card beside it)."""
    import pandas as pd

    from .model_card import render_card

    files = read_commit(version)
    env = environment()
    check_environment(env["packages"], files[UV_LOCK], version)
    params = yaml.safe_load(files[str(PARAMS)])
    target = params["data"]["target"]
    train = pd.read_parquet(io.BytesIO(files[str(TRAIN)]))
    manifest: dict[str, Any] = {
        "artifact": ARTIFACT,
        "version": version.version,
        "git_commit": version.commit,
        "task": params["task"],
        "target": target,
        "features": feature_schema(train, target),
        "training_rows": len(train),
        "classes": sorted(map(str, train[target].unique())) if params["task"] == "classification" else None,
        # What the model needs trusted to load (model_file.py): consumers trust these types and no other.
        "model_types": model_types(files[str(MODEL)], f"{MODEL} at {version.tag}"),
        "dvc_lock": lock_hashes(yaml.safe_load(files["dvc.lock"])),
        "params": params,
        "metrics": json.loads(files[str(METRICS)]),
        "environment": env,
    }
    card = render_card(manifest).encode()
    contents = {MODEL_FILE: files[str(MODEL)], CARD_FILE: card}
    manifest["files"] = {name: sha256(data) for name, data in contents.items()}
    contents[MANIFEST_FILE] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()

    out.mkdir(parents=True, exist_ok=True)
    path = bundle_path(version.version, out)
    partial = path.with_name(path.name + ".partial")  # no half-written bundle under the real name
    with tarfile.open(partial, "w:gz") as archive:
        for name, data in sorted(contents.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    partial.replace(path)
    (out / CARD_FILE).write_bytes(card)
    return path


def check_bundle(path: Path) -> tuple[dict[str, Any], bytes]:
    """Manifest and model bytes of a bundle whose files match its manifest, read within bounds (archive.py).

    Nothing is loaded. The checksums prove what the files are, not who made them: attestations do that.
    """
    if not path.is_file():
        raise BundleError(f"{path} not found; build it with `make bundle VERSION=...` or download a release")
    contents = read_members(path, (MODEL_FILE, MANIFEST_FILE, CARD_FILE))
    try:
        manifest = json.loads(contents[MANIFEST_FILE])
        expected = manifest["files"]
    except (KeyError, TypeError, ValueError) as err:
        raise BundleError(f"{path} has no readable manifest ({type(err).__name__}: {err}); get it again") from None
    if not isinstance(manifest.get("model_types"), list):
        raise BundleError(f"{path}: its manifest records no model_types (an older bundle?); rebuild it, `make bundle`")
    if set(contents) != {*expected, MANIFEST_FILE}:
        raise BundleError(f"{path}: files {sorted(contents)} differ from the manifest's {sorted(expected)}")
    for name, digest in expected.items():
        if sha256(contents[name]) != digest:
            raise BundleError(f"{path}: {name} does not match its sha256 in the manifest; the bundle is corrupt")
    return manifest, contents[MODEL_FILE]


def located(spec: str) -> tuple[Path, dict[str, Any], bytes]:
    """Path, manifest and model bytes of a bundle whose checksums match, from a path or a reference.

    A reference (`name@v1.2.0`, `name#prod`) resolves through the registry, never as a file name.
    """
    if not is_reference(spec):
        return (Path(spec), *check_bundle(Path(spec)))
    version = resolve(spec)
    path = bundle_path(version.version)
    if not path.exists():  # a registered version is bundled from its tagged commit the first time
        build_bundle(version)
    manifest, model = check_bundle(path)
    if manifest.get("git_commit") != version.commit:
        raise BundleError(f"{path} was built from another commit than {version.tag}; delete it and retry")
    return path, manifest, model


def inspect_model(spec: str) -> tuple[Path, dict[str, Any], bytes]:
    """A located bundle whose model needs only trusted types: a pickle is refused. Nothing is loaded."""
    path, manifest, model = located(spec)
    model_types(model, f"{path}: {MODEL_FILE}")
    return path, manifest, model


def load_model(spec: str) -> Bundle:
    """A located bundle and its model, built from the types its manifest records (listed once, by read_model)."""
    path, manifest, model = located(spec)
    return Bundle(path, manifest, read_model(model, f"{path}: {MODEL_FILE}", manifest["model_types"]))
