"""Absorb labelled batches from data/incoming/ into the training data, data/labelled/.

A batch is labelled when it has the target column. Absorbing copies it into
data/labelled/ and tracks the copy with DVC (the cache stores the content
once). The prepare stage reads data/labelled/, so the next `make repro`
retrains on it, and the pull request that commits both shows the new metrics.
retrain.yml runs this before it reproduces. Unlabelled batches stay where they
are, for the monitor.

    {{ cookiecutter.project_slug }} absorb   # make absorb
"""

import shutil
from pathlib import Path

from ..contract import INCOMING, LABELLED, read_csv


def labelled_batches(target: str) -> list[Path]:
    """Batches in data/incoming/ with the target column and not yet absorbed."""
    return [
        batch
        for batch in sorted(INCOMING.glob("*.csv"))
        if not (LABELLED / f"{batch.name}.dvc").exists() and target in read_csv(batch).columns
    ]


def absorb(batches: list[Path]) -> list[Path]:
    """Copy the batches into data/labelled/ and `dvc add` them; return the copies."""
    from dvc.repo import Repo

    copies = [Path(shutil.copyfile(batch, LABELLED / batch.name)) for batch in batches]
    if copies:
        with Repo() as repo:
            repo.add([str(copy) for copy in copies])
    return copies
