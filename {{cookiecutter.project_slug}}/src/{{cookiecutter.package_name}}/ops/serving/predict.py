"""`{{ cookiecutter.project_slug }} predict`: score new rows with a published model.

    {{ cookiecutter.project_slug }} predict --model MODEL --input new.csv --output predictions.csv [--keep id]

MODEL is a bundle (dist/{{ cookiecutter.project_slug }}-v1.2.0.tar.gz) or a registry
version: {{ cookiecutter.project_slug }}@v1.2.0, or {{ cookiecutter.project_slug }}#prod for
the version in a stage. The bundle's checksums are verified and the input's columns
and types checked against the training schema before anything is written. --keep copies
input columns (an ID, say; they need not be features) into the output, to join it back.
"""

from pathlib import Path

import pandas as pd

from ..contract import DataError, read_csv
from .schema import check_features


def predictions(bundle: "object", rows: pd.DataFrame) -> pd.DataFrame:
    """One row per input row: the prediction, and each class's probability for classifiers."""
    model = bundle.model  # type: ignore[attr-defined]
    scored = pd.DataFrame({"prediction": model.predict(rows)}, index=rows.index)
    if hasattr(model, "predict_proba"):
        probabilities = model.predict_proba(rows)
        for index, label in enumerate(model.classes_):
            scored[f"probability_{label}"] = probabilities[:, index]
    return scored


def kept_columns(frame: pd.DataFrame, keep: list[str], source: str) -> pd.DataFrame:
    """The columns named in keep (each item may list several, separated by commas)."""
    names = [name.strip() for item in keep for name in item.split(",") if name.strip()]
    unknown = [name for name in names if name not in frame.columns]
    if unknown:
        columns = ", ".join(map(str, frame.columns))
        raise DataError(f"--keep: {source} has no column {', '.join(unknown)}; its columns are {columns}")
    return frame[list(dict.fromkeys(names))]


def predict_file(model: str, source: Path, output: Path, keep: list[str]) -> str:
    """Score the rows of source with model into output; the line that says so."""
    from ..registry.bundle import load_model

    frame = read_csv(source, "check the path")
    kept = kept_columns(frame, keep, str(source))  # before loading: a typo fails fast
    bundle = load_model(model)
    rows = check_features(frame, bundle.features, str(source))
    scored = predictions(bundle, rows)
    clashes = {name: f"{name}_predicted" for name in scored.columns if name in kept.columns}
    scored = pd.concat([kept, scored.rename(columns=clashes)], axis=1)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")  # never a half-written output
    scored.to_csv(partial, index=False)
    partial.replace(output)
    name = f"{bundle.manifest['artifact']} {bundle.manifest['version']}"
    return f"predict: {len(scored)} rows scored by {name} → {output}"
