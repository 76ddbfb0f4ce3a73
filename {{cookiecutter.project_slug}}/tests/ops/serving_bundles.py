"""Small real bundles for the serving tests: a fitted Pipeline in skops, with its manifest."""

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.features import build_preprocessor
from {{ cookiecutter.package_name }}.model_file import model_bytes, model_types
from {{ cookiecutter.package_name }}.ops.registry import bundle
from {{ cookiecutter.package_name }}.ops.registry.tags import ARTIFACT

TRAIN = pd.DataFrame(
    {
        "size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        "plan": ["free", "pro", "free", "pro", "free", "pro", "free", "pro"],
        "signed_up": pd.to_datetime([f"2024-01-0{day}" for day in range(1, 9)]),
        "churned": ["no", "no", "no", "yes", "no", "yes", "yes", "yes"],
    }
)


def fitted(frame: pd.DataFrame = TRAIN) -> Pipeline:
    pipeline = Pipeline([("preprocess", build_preprocessor()), ("model", LogisticRegression())])
    return pipeline.fit(frame.drop(columns="churned"), frame["churned"])


def write_bundle(path: Path, version: str, model: Any = None, frame: pd.DataFrame = TRAIN, **changes: Any) -> Path:
    """A bundle as `bundle` writes one: of model (a fitted Pipeline by default), or of raw model bytes."""
    data = model if isinstance(model, bytes) else model_bytes(model if model is not None else fitted(frame))
    files = {bundle.MODEL_FILE: data, bundle.CARD_FILE: b"# card\n"}
    manifest = {
        "artifact": ARTIFACT,
        "version": version,
        "git_commit": "0" * 40,
        "target": "churned",
        "features": bundle.feature_schema(frame, "churned"),
        "classes": ["no", "yes"],
        "model_types": [] if isinstance(model, bytes) else model_types(data, "the model"),
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
    } | changes
    files[bundle.MANIFEST_FILE] = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path
