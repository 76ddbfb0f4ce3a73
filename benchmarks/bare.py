"""The pipeline's work as one bare script: the yardstick for DVC's and the stages' overhead.

Reads a baked project's params.yaml, loads the same data, makes the same seeded
split, fits the same scikit-learn Pipeline (the project's own preprocessor), and
computes the same accuracy, f1 (of the same positive class) and ROC AUC and the
same permutation importance (the project's plots.feature_importance) as its
prepare, train and evaluate stages, in one process with no DVC, no model file and
no figures. Classification only (the benchmark's bakes).

Usage, in the project directory with its environment's Python:
    python bare.py params.yaml metrics.json PACKAGE
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
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline


def load(data: dict) -> pd.DataFrame:
    if data["source"] == "csv":
        return pd.read_csv(data["path"])
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{data['name']}")(as_frame=True)
    frame = bunch.frame.rename(columns={"target": data["target"]})
    frame[data["target"]] = bunch.target_names[bunch.target]
    return frame


def pipeline(model: dict, preprocessor: ColumnTransformer) -> Pipeline:
    module, _, name = model["_target_"].rpartition(".")
    hyperparameters = {key: value for key, value in model.items() if key not in ("name", "_target_")}
    return Pipeline([("preprocess", preprocessor), ("model", getattr(import_module(module), name)(**hyperparameters))])


def scores(fitted: Pipeline, features: pd.DataFrame, labels: pd.Series, positive: object) -> dict[str, float]:
    classes = list(fitted.classes_)
    predicted = fitted.predict(features)
    probabilities = fitted.predict_proba(features)
    return {
        "accuracy": float(metrics.accuracy_score(labels, predicted)),
        "f1": float(metrics.f1_score(labels, predicted, pos_label=positive)),
        "roc_auc": float(metrics.roc_auc_score(labels == positive, probabilities[:, classes.index(positive)])),
    }


def main(params_path: str, out: str, package: str) -> None:
    sys.path.insert(0, "src")  # the project's own modules, as its stages import them
    features = import_module(f"{package}.features")
    project_metrics = import_module(f"{package}.metrics")
    plots = import_module(f"{package}.plots")
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
    fitted = pipeline(params["model"], features.build_preprocessor())
    start = time.perf_counter()
    fitted.fit(train.drop(columns=target), train[target])
    fit_seconds = time.perf_counter() - start
    if "n_jobs" in fitted.named_steps["model"].get_params():  # as the project predicts with a loaded model
        fitted.set_params(model__n_jobs=1)
    positive = project_metrics.positive_class(fitted.classes_, train[target], data.get("positive"))
    result = scores(fitted, test.drop(columns=target), test[target], positive)
    plots.feature_importance(fitted, test.drop(columns=target), test[target], "classification")
    Path(out).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps({"fit_seconds": fit_seconds}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
