"""`serve --log-dir DIR`: a sample of the rows served, as dated batches that `monitor` reads.

Each day's sample goes to DIR/served-YYYY-MM-DD.csv (UTC): the feature columns, then
the prediction and the version that made it. With DIR = data/incoming/, `make monitor`
checks the newest of them for drift: what the model really saw, not a test set.
"""

import random
import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd


class ServedLog:
    def __init__(self, directory: Path, share: float) -> None:
        self.directory, self.share = directory, share
        self._lock = threading.Lock()  # one writer at a time: rows of two requests never interleave
        self._random = random.Random()
        directory.mkdir(parents=True, exist_ok=True)

    def path(self) -> Path:
        return self.directory / f"served-{datetime.now(UTC):%Y-%m-%d}.csv"

    def write(self, rows: pd.DataFrame, predictions: list[object], version: str) -> None:
        keep = [self._random.random() < self.share for _ in range(len(rows))]
        if not any(keep):
            return
        sample = rows.assign(prediction=predictions, model_version=version)[keep]
        with self._lock:
            path = self.path()
            sample.to_csv(path, mode="a", header=not path.exists(), index=False)
