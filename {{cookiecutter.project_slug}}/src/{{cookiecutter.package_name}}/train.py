"""Stage `train`: fit the configured model on the training split.

Reads: params `data.target` and `model`; data/prepared/train.parquet.
Writes: models/model.skops (preprocessing and estimator in one Pipeline, in skops: model_file.py).
"""

import pandas as pd
from sklearn.pipeline import Pipeline

from .errors import ConfigError, run_stage
from .features import build_pipeline
from .model_file import save_model
from .params import ModelParams, load_params
from .paths import MODEL, TRAIN


def train(frame: pd.DataFrame, target: str, model: ModelParams) -> Pipeline:
    pipeline = build_pipeline(model)
    try:
        pipeline.fit(frame.drop(columns=target), frame[target])
    except ValueError as err:  # includes scikit-learn's checks of hyperparameter values
        raise ConfigError(f"training model {model.name} failed: {err}") from None
    return pipeline


def main() -> None:
    params = load_params()
    pipeline = train(pd.read_parquet(TRAIN), params.data.target, params.model)
    save_model(pipeline, MODEL)
    print(f"train: fitted {params.model.name} ({params.model.target}), saved to {MODEL}")


if __name__ == "__main__":
    run_stage(main)
