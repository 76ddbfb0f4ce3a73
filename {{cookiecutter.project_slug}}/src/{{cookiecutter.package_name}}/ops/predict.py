"""`{{ cookiecutter.project_slug }} predict`: score new rows with a published model.

    {{ cookiecutter.project_slug }} predict --model MODEL --input new.csv --output predictions.csv [--keep id]

MODEL is a bundle (dist/{{ cookiecutter.project_slug }}-v1.2.0.tar.gz) or a registry
version: {{ cookiecutter.project_slug }}@v1.2.0, or {{ cookiecutter.project_slug }}#prod for
the version in a stage. The bundle's checksums are verified and the input's columns
and types checked against the training schema before anything is written. --keep copies
input columns (an ID, say; they need not be features) into the output, to join it back.
"""

import argparse
from pathlib import Path

import pandas as pd

from ..data import read_csv
from ..errors import DataError
from .schema import check_features


def add_parser(commands: "argparse._SubParsersAction") -> None:
    parser = commands.add_parser("predict", help="predict new rows with a release bundle", description=__doc__)
    parser.add_argument(
        "--model", required=True, help="a bundle .tar.gz, or a registry version: name@v1.2.0, name#prod"
    )
    parser.add_argument("--input", required=True, type=Path, help="CSV with the training feature columns")
    parser.add_argument("--output", required=True, type=Path, help="CSV to write the predictions to")
    parser.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="COLUMN",
        help="input column to copy into the output before the predictions; repeat it, or separate by commas",
    )
    parser.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
    from .bundle import load_model

    frame = read_csv(args.input, "check the path")
    kept = kept_columns(frame, args.keep, str(args.input))  # before loading: a typo fails fast
    bundle = load_model(args.model)
    rows = check_features(frame, bundle.features, str(args.input))
    scored = kept.join(predictions(bundle, rows), rsuffix="_predicted")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_name(args.output.name + ".partial")  # never a half-written output
    scored.to_csv(partial, index=False)
    partial.replace(args.output)
    name = f"{bundle.manifest['artifact']} {bundle.manifest['version']}"
    print(f"predict: {len(scored)} rows scored by {name} → {args.output}")
    return 0
