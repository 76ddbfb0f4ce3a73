"""MODEL_CARD.md for a release bundle, written from the real params and metrics.

The front matter follows the Hugging Face model card metadata (library_name,
license, tags, model-index), so the card renders and indexes there too.
"""

from typing import Any

import yaml

from ..contract import BASELINE_PREFIX

# SPDX identifier in lower case, as the Hugging Face metadata expects; "other" for proprietary code.
LICENSE = "{{ {'MIT': 'mit', 'BSD-3-Clause': 'bsd-3-clause', 'Apache-2.0': 'apache-2.0'}.get(cookiecutter.license, 'other') }}"


def model_metrics(manifest: dict[str, Any]) -> dict[str, float]:
    """The model's own scores: the trivial baseline's (evaluate.py) are not the model's."""
    return {name: value for name, value in manifest["metrics"].items() if not name.startswith(BASELINE_PREFIX)}


def baseline_lines(manifest: dict[str, Any]) -> list[str]:
    """What a model that ignores the features scores, then a blank line; nothing when evaluate wrote no baseline."""
    scores = [
        f"{name.removeprefix(BASELINE_PREFIX)} {value:.4f}"
        for name, value in manifest["metrics"].items()
        if name.startswith(BASELINE_PREFIX)
    ]
    if not scores:
        return []
    guess = "the most frequent class" if manifest["task"] == "classification" else "the mean"
    return [f"A trivial baseline fitted on the same split, always predicting {guess}, scores {', '.join(scores)}.", ""]


def front_matter(manifest: dict[str, Any]) -> str:
    task = f"tabular-{manifest['task']}"
    data = manifest["params"]["data"]
    metadata = {
        "library_name": "sklearn",
        "license": LICENSE,
        "tags": [task, "sklearn", "dvc", "gto"],
        "model-index": [
            {
                "name": f"{manifest['artifact']}@{manifest['version']}",
                "results": [
                    {
                        "task": {"type": task},
                        "dataset": {"name": data["name"], "type": data["source"]},
                        "metrics": [
                            {"type": name, "value": round(value, 6)} for name, value in model_metrics(manifest).items()
                        ],
                    }
                ],
            }
        ],
    }
    return "---\n" + yaml.safe_dump(metadata, sort_keys=False) + "---\n"


def render_card(manifest: dict[str, Any]) -> str:
    params, model = manifest["params"], manifest["params"]["model"]
    data, split = params["data"], params["data"]["split"]
    hyperparameters = {key: value for key, value in model.items() if key not in ("name", "_target_")}
    numeric = [feature["name"] for feature in manifest["features"] if feature["kind"] == "numeric"]
    # Dates are stored as dates by prepare: the model sees their parts as numbers.
    dates = [feature["name"] for feature in manifest["features"] if feature["kind"] == "date"]
    categorical = [feature["name"] for feature in manifest["features"] if feature["kind"] == "categorical"]
    lines = [
        front_matter(manifest),
        f"# {manifest['artifact']} {manifest['version']}",
        "",
        f"A scikit-learn {manifest['task']} model: `{model['_target_']}` ({model['name']}) after imputation, "
        "scaling of numeric columns and of the parts of dates, and one-hot encoding of the others, in one Pipeline.",
        "",
        "## Training data",
        "",
        f"- Dataset: `{data['name']}` ({data['source']}{', ' + data['path'] if data.get('path') else ''}), "
        f"plus the labelled batches in data/labelled/; target column `{manifest['target']}`.",
        f"- {manifest['training_rows']} training rows; a held-out test split of {round(split['test_size'] * 100)}% "
        f"(seed {split['seed']}{', stratified' if split['stratify'] else ''}).",
        f"- Numeric features ({len(numeric)}): {', '.join(numeric) or 'none'}.",
        f"- Categorical features ({len(categorical)}): {', '.join(categorical) or 'none'}.",
        f"- Date features ({len(dates)}), seen as year, month, day of year and weekday: {', '.join(dates) or 'none'}.",
        "",
        "## Hyperparameters",
        "",
        *[f"- `{key}`: {value}" for key, value in hyperparameters.items()],
        "",
        "## Metrics",
        "",
        "On the held-out test split:",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {name} | {value:.4f} |" for name, value in model_metrics(manifest).items()],
        "",
        *baseline_lines(manifest),
        "## Intended use",
        "",
        f"Predicting `{manifest['target']}` for new rows with the same columns as the training data, "
        f"through `{manifest['artifact']} predict --model <this bundle> --input rows.csv --output predictions.csv`, "
        "which checks the columns and their types first.",
        "",
        "## Limits",
        "",
        "- Trained and evaluated on the data above only: rows from another population may be scored poorly "
        f"without warning. Watch for drift with `{manifest['artifact']} monitor`.",
        "- The metrics come from one held-out split, not from production traffic.",
        "- Categories unseen in training are ignored by the encoder, not rejected.",
        "- The model is a skops file: loading it builds only the types the manifest records. Check a downloaded "
        "bundle's attestation first (`gh attestation verify <bundle> --owner <owner>`).",
        "",
        "## Provenance",
        "",
        f"- Git commit: `{manifest['git_commit']}`",
        f"- Python {manifest['environment']['python']}; "
        + ", ".join(f"{name} {version}" for name, version in manifest["environment"]["packages"].items() if version),
        *[f"- `{path}`: md5 `{digest}` (dvc.lock)" for path, digest in manifest["dvc_lock"].items()],
        "",
    ]
    return "\n".join(lines)
