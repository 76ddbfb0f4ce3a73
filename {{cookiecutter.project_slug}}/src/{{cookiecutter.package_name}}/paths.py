"""Where the stages read and write, relative to the repository root.

dvc.yaml declares the same paths as stage deps and outs; keep the two in step.
"""

from pathlib import Path

PARAMS = Path("params.yaml")
CONF_DIR = Path("conf")
# The root of conf/: its defaults choose an option of each config group (data, model, experiment).
CONFIG = CONF_DIR / "config.yaml"
# What params.yaml was last composed from (ops/config/compose.py): in DVC's scratch folder, which git ignores.
COMPOSE_STAMP = Path(".dvc/tmp/compose.sha256")
# The overrides params.yaml was last composed with, which `repro` keeps (ops/config/compose.py).
COMPOSE_OVERRIDES = Path(".dvc/tmp/overrides.json")
RAW_DIR = Path("data/raw")
# New batches land here, each tracked with `dvc add`; the monitor checks the newest.
INCOMING = Path("data/incoming")
# Labelled batches absorbed into the training data (`make absorb`); prepare reads them.
LABELLED = Path("data/labelled")
TRAIN = Path("data/prepared/train.parquet")
TEST = Path("data/prepared/test.parquet")
MODEL = Path("models/model.skops")
METRICS = Path("reports/metrics.json")
# What prepare split: rows, and class shares or target range, of train and test (a DVC metric).
DATA_SUMMARY = Path("reports/data.json")
PLOTS_DIR = Path("reports/plots")
# PNGs of those tables, drawn by evaluate: look at them after `make repro`.
FIGURES_DIR = Path("reports/figures")
