"""How the fitted model is written and read: skops, a format whose loading runs no code.

A pickle (joblib's format) runs whatever its bytes say when it is loaded, so a model
file from a cache, a remote or a download could run anything. skops stores the model
as data, lists the types it needs, and builds only the types it is told to trust.
Here that is every type under TRUSTED_PREFIXES and nothing else: a file that needs
another type, or is not skops at all, is refused before any of it is built.

If your model needs a type from another library (an XGBoost estimator, say), add that
library's prefix to TRUSTED_PREFIXES once you trust it.
"""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from skops.io import dumps, get_untrusted_types, loads

from .errors import ProjectError

# Modules whose types a model may need: scikit-learn, numpy, scipy, and this package (the
# functions of features.py). Each ends with a dot, so "sklearn_evil" matches none of them.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "{{ cookiecutter.package_name }}.")


class UntrustedModelError(ProjectError):
    """A model file is not skops, or needs a type that is not trusted."""


def model_types(data: bytes, source: str) -> list[str]:
    """The types the model in data needs beyond skops' own safe ones, each under TRUSTED_PREFIXES."""
    try:
        types = get_untrusted_types(data=data)
    except (zipfile.BadZipFile, KeyError, ValueError) as err:  # a pickle, say, or a truncated file
        raise UntrustedModelError(
            f"{source} is not a skops model file ({type(err).__name__}); refused without loading it"
        ) from None
    outside = sorted(name for name in types if not name.startswith(TRUSTED_PREFIXES))
    if outside:
        raise UntrustedModelError(
            f"{source} needs {', '.join(outside)}, outside the trusted {', '.join(TRUSTED_PREFIXES)}; "
            "refused without loading it (trust a library in model_file.py's TRUSTED_PREFIXES)"
        )
    return sorted(types)


def reproducible(data: bytes) -> bytes:
    """skops' file with the same bytes for the same model, run after run.

    skops names each array's file, and the `__id__` it memoises shared objects by, after
    the object's memory address, and stamps each zip entry with the time. Renumbered in
    order of appearance and dated 1980-01-01, two forced runs write identical files, so
    DVC's hash of the model proves a retrain reproduced it.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        files = {info.filename: source.read(info) for info in source.infolist()}
    ids: dict[Any, int] = {}
    names: dict[str, str] = {}

    def renumber(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: ids.setdefault(value, len(ids)) if key == "__id__" else renumber(value)
                    for key, value in node.items()}  # fmt: skip
        if isinstance(node, list):
            return [renumber(value) for value in node]
        if isinstance(node, str) and node in files:  # an array's file
            return names.setdefault(node, f"{len(names)}{Path(node).suffix}")
        return node

    schema = renumber(json.loads(files.pop("schema.json")))
    renamed = {"schema.json": json.dumps(schema, indent=2).encode()}
    renamed |= {names[name]: files[name] for name in names}  # in order of appearance
    renamed |= {name: content for name, content in sorted(files.items()) if name not in names}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in renamed.items():
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def model_bytes(model: Any) -> bytes:
    """The model as a skops file; refused if it needs an untrusted type, so nothing unloadable is written."""
    data = reproducible(dumps(model))
    model_types(data, "the fitted model")
    return data


def read_model(data: bytes, source: str, recorded: list[str] | None = None) -> Any:
    """The model in a skops file, built from trusted types only.

    recorded: the types a bundle's manifest lists for its model; a file that needs any
    other is refused, even a trusted one, since it is not the model the manifest describes.
    """
    types = model_types(data, source)
    if recorded is not None and not set(types) <= set(recorded):
        extra = ", ".join(sorted(set(types) - set(recorded)))
        raise UntrustedModelError(f"{source} needs {extra}, which its manifest does not record; refused")
    return predicting_with_one_job(loads(data, trusted=types))


def predicting_with_one_job(model: Any) -> Any:
    """The model with every `n_jobs` set to 1, so each load predicts the same digits.

    A forest predicting on several jobs sums its trees in the order they finish, which moves
    a score's last digit from run to run; training in parallel is exact (the trees are drawn
    from the seed first). A server runs requests side by side instead.
    """
    if hasattr(model, "get_params"):
        model.set_params(**{name: 1 for name in model.get_params() if name.endswith("n_jobs")})
    return model


def save_model(model: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model_bytes(model))


def load_model(path: Path) -> Any:
    return read_model(path.read_bytes(), str(path))
