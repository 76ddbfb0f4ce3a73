"""The pipeline's work as one bare script: the yardstick for DVC's and the stages' overhead.

Reads a baked project's params.yaml, loads the same data, makes the same seeded
split, fits the same scikit-learn Pipeline and writes the same metrics as the
project's prepare, train and evaluate stages, in one process with no DVC.
Classification only (the benchmark's bakes).

Usage, in the project directory with its environment's Python:
    python bare.py params.yaml metrics.json
Prints {"fit_seconds": ...} as JSON.
"""

import json
import sys
import time
from importlib import import_module
from pathlib import Path

import pandas as pd
import yaml
from sklearn import metrics
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def load(data: dict) -> pd.DataFrame:
    if data["source"] == "csv":
        return pd.read_csv(data["path"])
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{data['name']}")(as_frame=True)
    frame = bunch.frame.rename(columns={"target": data["target"]})
    frame[data["target"]] = bunch.target_names[bunch.target]
    return frame


def pipeline(model: dict) -> Pipeline:
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    preprocess = ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )
    module, _, name = model["_target_"].rpartition(".")
    hyperparameters = {key: value for key, value in model.items() if key not in ("name", "_target_")}
    return Pipeline([("preprocess", preprocess), ("model", getattr(import_module(module), name)(**hyperparameters))])


def scores(fitted: Pipeline, features: pd.DataFrame, labels: pd.Series) -> dict[str, float]:
    classes = fitted.classes_
    predicted = fitted.predict(features)
    probabilities = fitted.predict_proba(features)
    return {
        "accuracy": float(metrics.accuracy_score(labels, predicted)),
        "f1": float(metrics.f1_score(labels, predicted, pos_label=classes[1])),
        "roc_auc": float(metrics.roc_auc_score(labels, probabilities[:, 1])),
    }


def main(params_path: str, out: str) -> None:
    params = yaml.safe_load(Path(params_path).read_text(encoding="utf-8"))
    data, split = params["data"], params["data"]["split"]
    frame = load(data)
    target = data["target"]
    train, test = train_test_split(
        frame,
        test_size=split["test_size"],
        random_state=split["seed"],
        stratify=frame[target] if split["stratify"] else None,
    )
    fitted = pipeline(params["model"])
    start = time.perf_counter()
    fitted.fit(train.drop(columns=target), train[target])
    fit_seconds = time.perf_counter() - start
    result = scores(fitted, test.drop(columns=target), test[target])
    Path(out).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps({"fit_seconds": fit_seconds}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
