"""What the toolkit needs from your code: ops/ imports your modules through this file alone.

Change the stages (prepare, train, evaluate) and the modules they use freely; keep
these names, with these meanings, and every command keeps working.
tests/ops/test_contract.py checks both: that nothing in ops/ imports your modules
another way, and that each name below is still there and of its kind.

- errors.py: ProjectError, a problem the user can fix (its message is the one line
  shown); its kinds ConfigError and DataError; missing_dependency(err), the line for
  a module this Python cannot import.
- paths.py: where the stages read and write (keep them in step with dvc.yaml):
  PARAMS, CONF_DIR, CONFIG, RAW_DIR, INCOMING, LABELLED, TRAIN, TEST, MODEL, METRICS,
  DATA_SUMMARY, PLOTS_DIR, FIGURES_DIR, and the composition's own COMPOSE_STAMP,
  COMPOSE_OVERRIDES.
- params.py: load_params() -> Params (task, data.target, gate, monitor: MonitorParams)
  and validate_params(raw, source, conf_dir), the schema of params.yaml.
- metrics.py: TASK_METRICS (the metric names per task, the main one first),
  HIGHER_IS_BETTER, LOWER_IS_BETTER, higher_is_better(name), bound_sign(name),
  BASELINE_PREFIX (the trivial baseline's scores), AVERAGING (how scores average over
  classes), classification_metrics and regression_metrics(pipeline, features, target),
  the same on arrays (classification_scores(labels, predicted, probabilities, classes,
  positive), regression_scores(targets, predicted)), predictions(pipeline, features) and
  positive_class(classes, train_labels, configured).
- plots.py: curves(labels, probabilities, classes, positive), the ROC and precision-recall tables.
- figures.py: FIGURE_TITLES, draw_figures(head, out_dir, base, base_label, head_label),
  the PNGs of the plot tables; importance_measure(table). zoom.py: roc_window(tables),
  pr_floor(tables), where curves differ.
- features.py: date_parts(frame), each date column as the numbers the model sees of it;
  MAX_CATEGORIES, the most one-hot columns a text column becomes.
- data.py: read_csv(path, hint), read_data(path) for .csv or .parquet,
  validate_frame(frame, target, task, source, drop), labelled_rows(frame, target),
  check_stratifiable(labels), parse_dates(values).
- model_file.py: model_types(data, source), the types a skops model file needs (refusing
  any outside TRUSTED_PREFIXES); read_model(data, source, recorded), the model built from
  those types only; UntrustedModelError.

Each name is imported on first use, so a command loads only what it needs (composing
params.yaml does not import scikit-learn).
"""

from importlib import import_module
from typing import Any

# Your module -> the names the toolkit uses from it.
NEEDED = {
    "errors": ("ProjectError", "ConfigError", "DataError", "missing_dependency"),
    "paths": (
        "PARAMS", "CONF_DIR", "CONFIG", "RAW_DIR", "INCOMING", "LABELLED", "TRAIN", "TEST", "MODEL", "METRICS",
        "DATA_SUMMARY", "PLOTS_DIR", "FIGURES_DIR", "COMPOSE_STAMP", "COMPOSE_OVERRIDES",
    ),
    "params": ("load_params", "validate_params", "Params", "MonitorParams"),
    "metrics": (
        "TASK_METRICS", "HIGHER_IS_BETTER", "LOWER_IS_BETTER", "higher_is_better", "bound_sign",
        "BASELINE_PREFIX", "AVERAGING", "classification_metrics", "regression_metrics",
        "classification_scores", "regression_scores", "predictions", "positive_class",
    ),
    "plots": ("curves",),
    "figures": ("FIGURE_TITLES", "draw_figures", "importance_measure"),
    "zoom": ("roc_window", "pr_floor"),
    "features": ("date_parts", "MAX_CATEGORIES"),
    "data": ("read_csv", "read_data", "validate_frame", "labelled_rows", "check_stratifiable", "parse_dates"),
    "model_file": ("model_types", "read_model", "UntrustedModelError", "TRUSTED_PREFIXES"),
}  # fmt: skip
SOURCE = {name: module for module, names in NEEDED.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in SOURCE:
        raise AttributeError(f"the toolkit's contract has no {name!r}: add it to NEEDED in {__name__}")
    return getattr(import_module(f"{__package__.rpartition('.')[0]}.{SOURCE[name]}"), name)
