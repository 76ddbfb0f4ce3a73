"""Stage `evaluate`: score the model on the test split and write DVC metrics, plots and figures.

Reads: params `task`, `data.target` and `data.positive`; models/model.skops;
data/prepared/test.parquet, and the targets of data/prepared/train.parquet, to fit the
trivial baseline the gate compares with and to find the minority class.
Writes: reports/metrics.json (the model's scores, and the baseline's), one small CSV per plot
under reports/plots/ (plots.py bounds their size), and a PNG of each under reports/figures/.
"""

import json
import shutil

import pandas as pd

from .errors import run_stage
from .figures import draw_figures
from .metrics import baseline_scores, classification_scores, positive_class, predictions, regression_scores
from .model_file import load_model
from .params import load_params
from .paths import FIGURES_DIR, METRICS, MODEL, PLOTS_DIR, TEST, TRAIN
from .plots import classification_plots, feature_importance, regression_plots


def main() -> None:
    params = load_params()
    pipeline = load_model(MODEL)
    test = pd.read_parquet(TEST)
    features, target = test.drop(columns=params.data.target), test[params.data.target]
    train_targets = pd.read_parquet(TRAIN, columns=[params.data.target])[params.data.target]
    # The test set is predicted once, for the scores and the plot tables alike.
    predicted, probabilities = predictions(pipeline, features)
    if params.task == "classification":
        classes = list(pipeline.classes_)
        positive = positive_class(classes, train_targets, params.data.positive)
        scores = classification_scores(target, predicted, probabilities, classes, positive)
        tables = classification_plots(target, predicted, probabilities, classes, positive)
    else:
        scores = regression_scores(target, predicted)
        tables = regression_plots(target, predicted)
    tables["feature_importance"] = feature_importance(pipeline, features, target, params.task)
    scores |= baseline_scores(params.task, train_targets, target)

    METRICS.parent.mkdir(parents=True, exist_ok=True)
    METRICS.write_text(json.dumps(scores, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for folder in (PLOTS_DIR, FIGURES_DIR):
        shutil.rmtree(folder, ignore_errors=True)  # no stale plot from an earlier model
    PLOTS_DIR.mkdir(parents=True)
    for name, table in tables.items():
        table.to_csv(PLOTS_DIR / f"{name}.csv", index=False)
    draw_figures(tables, FIGURES_DIR)
    print("evaluate: " + ", ".join(f"{name}={value:.4f}" for name, value in scores.items()))
    print(f"evaluate: figures in {FIGURES_DIR}/")


if __name__ == "__main__":
    run_stage(main)
