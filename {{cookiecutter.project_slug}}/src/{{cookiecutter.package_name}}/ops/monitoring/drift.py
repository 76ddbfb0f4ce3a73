"""Drift monitoring: is a new batch of data still like the data the model was trained on?

    {{ cookiecutter.project_slug }} monitor --model MODEL --current new.csv
        [--labels] [--reference data/prepared/train.parquet] [--out reports]

MODEL: a bundle .tar.gz, or a registry version (name@v1.2.0, name#stage), e.g.
{{ cookiecutter.project_slug }}#prod.

Each feature of the reference (training) data and of the current batch is compared
the way the batch's size allows. While either side has at most `distance_above_rows`
rows, by a two-sample test from scipy: Kolmogorov-Smirnov for numeric features,
chi-square on the category counts for categorical ones, drifting at p < `p_value`. Above
it a test calls any harmless difference significant, so a distance is measured instead:
Wasserstein in standard deviations of the reference for numbers, Jensen-Shannon between
the category shares for categories, drifting at `max_distance`. Each feature is compared as
the model sees it: a date through its parts (year, month, day of year, weekday), each a
number; a categorical feature through the levels its one-hot encoding keeps (the training
data's most frequent, all others as one), since a column of thousands of levels sampled
in a batch differs level by level by chance alone.
The model's predictions on both are compared the same way. A categorical feature also
drifts when too many of its values in the batch are categories the training data never
had, which the model cannot tell apart. With --labels, the model is also scored on the
batch and compared with the metrics published in its manifest. The thresholds are
params.yaml `monitor` (conf/monitor/). Writes <out>/drift.json and <out>/drift.md; exits 1
on drift.
"""

from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ..contract import (
    TRAIN,
    DataError,
    MonitorParams,
    classification_metrics,
    higher_is_better,
    labelled_rows,
    regression_metrics,
)
from ..serving.schema import check_features

UNSEEN_LISTED = 5


class ModelBundle(Protocol):
    """What the monitor needs of a released model: a bundle.Bundle, or a stand-in in tests."""

    @property
    def model(self) -> Any: ...

    @property
    def manifest(self) -> dict[str, Any]: ...


def first_line(err: Exception) -> str:
    """The first line of an error message: a DataError must fit on one line."""
    message = str(err).strip()
    return message.splitlines()[0] if message else type(err).__name__


def read_frame(path: Path, source: str) -> pd.DataFrame:
    """Read a .csv or .parquet file; each way it can fail is a DataError that says what to fix."""
    if path.is_dir():
        raise DataError(f"{source} is a directory; pass a .csv or .parquet file")
    if not path.is_file():
        hint = " (`make repro` or `dvc pull` makes it)" if path == TRAIN else ""
        raise DataError(f"{source} not found{hint}; pass an existing .csv or .parquet file")
    if path.suffix not in (".csv", ".parquet"):
        raise DataError(f"{source}: unsupported file type {path.suffix!r}; use a .csv or .parquet file")
    empty = f"{source} is empty; it needs a header row and at least one data row"
    if path.stat().st_size == 0:  # for Parquet too, whose reader would call it corrupt
        raise DataError(empty)
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except pd.errors.EmptyDataError:  # blank lines only
        raise DataError(empty) from None
    except (OSError, ValueError) as err:  # pandas' and pyarrow's parse errors are ValueErrors
        kind = path.suffix[1:]
        raise DataError(f"{source} is not a readable {kind} file ({first_line(err)}); fix or re-export it") from None
    if frame.empty:
        raise DataError(f"{source} has no data rows; it needs at least one")
    return frame


def check_labels(frame: pd.DataFrame, target: str, source: str) -> None:
    """--labels needs the target column, and a value in it somewhere: rows without one are left out."""
    if target not in frame.columns:
        raise DataError(f"{source} has no target column {target!r}, which --labels needs; add it or drop --labels")
    if frame[target].isna().all():
        raise DataError(f"{source}: no row has a value in target {target!r}; label some rows or drop --labels")


def compare(reference: pd.Series, current: pd.Series, kind: str, thresholds: MonitorParams) -> dict[str, Any]:
    """One column of each side compared: a p-value test while either is small, a distance above that."""
    reference, current = reference.dropna(), current.dropna()
    if reference.empty or current.empty:
        # Nothing to compare; a column that has lost (or gained) all its values has changed.
        return {"test": None, "statistic": None, "p_value": None, "drifted": reference.empty != current.empty}
    if kind == "categorical":
        reference, current = encoded_levels(reference, current)
    if min(len(reference), len(current)) > thresholds.distance_above_rows:
        test, distance = ("wasserstein", _wasserstein) if kind == "numeric" else ("jensen_shannon", _jensen_shannon)
        statistic = distance(reference, current)
        return {"test": test, "statistic": statistic, "p_value": None, "drifted": statistic >= thresholds.max_distance}
    test, statistic, p_value = _ks(reference, current) if kind == "numeric" else _chi2(reference, current)
    return {"test": test, "statistic": statistic, "p_value": p_value, "drifted": p_value < thresholds.p_value}


OTHER_LEVELS = "(other levels)"


def encoded_levels(reference: pd.Series, current: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Both sides as text, each value one of the reference's levels the one-hot encoder keeps or OTHER_LEVELS.

    The encoder (features.py) keeps a column's MAX_CATEGORIES - 1 most frequent training levels and
    folds the rest, with levels never seen, into one column; compared as text, as in _counts.
    """
    from ..contract import MAX_CATEGORIES

    reference, current = reference.astype(str), current.astype(str)
    kept = reference.value_counts().index[: MAX_CATEGORIES - 1]
    return reference.where(reference.isin(kept), OTHER_LEVELS), current.where(current.isin(kept), OTHER_LEVELS)


def _ks(reference: pd.Series, current: pd.Series) -> tuple[str, float, float]:
    from scipy.stats import ks_2samp

    result = ks_2samp(reference, current)
    return "ks", float(result.statistic), float(result.pvalue)


def _chi2(reference: pd.Series, current: pd.Series) -> tuple[str, float, float]:
    from scipy.stats import chi2_contingency

    # A 2 x k table: rows reference and current, one column per category seen in either.
    result = chi2_contingency(_counts(reference, current).to_numpy().T)
    return "chi2", float(result.statistic), float(result.pvalue)


def _counts(reference: pd.Series, current: pd.Series) -> pd.DataFrame:
    """Each category's count on each side; compared as text, so that 1 in a CSV matches "1" in Parquet."""
    counts = pd.concat([reference.astype(str).value_counts(), current.astype(str).value_counts()], axis=1)
    return counts.fillna(0)


def _wasserstein(reference: pd.Series, current: pd.Series) -> float:
    """How far the values moved, in standard deviations of the reference (at least 0.001, for a constant)."""
    from scipy.stats import wasserstein_distance

    spread = max(float(reference.std()), 0.001)
    return float(wasserstein_distance(reference.astype("float64"), current.astype("float64")) / spread)


def _jensen_shannon(reference: pd.Series, current: pd.Series) -> float:
    """The Jensen-Shannon distance between the category shares: 0 alike, 1 with no category in common."""
    from scipy.spatial.distance import jensenshannon

    counts = _counts(reference, current).to_numpy()
    return float(jensenshannon(counts[:, 0], counts[:, 1], base=2))  # base 2: bounded by 1


def date_features(rows: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Each date column replaced by the parts the model sees of it, as numeric features."""
    from ..contract import date_parts

    dates = [name for name, kind in kinds.items() if kind == "date"]
    if not dates:
        return rows, kinds
    parts = date_parts(rows[dates])
    expanded = {}
    for name, kind in kinds.items():
        if kind == "date":
            expanded |= {part: "numeric" for part in parts.columns if part.startswith(f"{name}_")}
        else:
            expanded[name] = kind
    return pd.concat([rows.drop(columns=dates), parts], axis=1), expanded


def measured(result: dict[str, Any], thresholds: MonitorParams) -> str:
    """`p = 0.0012 < 0.01`, or `wasserstein 0.31 ≥ 0.1`: what decided a comparison."""
    if result["p_value"] is not None:
        return f"{result['test']} p = {result['p_value']:.3g} < {thresholds.p_value}"
    return f"{result['test']} distance {result['statistic']:.3g} ≥ {thresholds.max_distance}"


def unseen_categories(reference: pd.Series, current: pd.Series) -> dict[str, Any]:
    """The share of the current values that are categories the reference never had, and the first few of them.

    Compared as text, as in compare(); a missing value is not a category.
    """
    seen = set(reference.dropna().astype(str))
    values = current.dropna().astype(str)
    unseen = values[~values.isin(seen)]
    return {
        "unseen_share": len(unseen) / len(values) if len(values) else 0.0,
        "unseen": sorted(unseen.unique())[:UNSEEN_LISTED],
    }


def predict(model: Any, features: pd.DataFrame, source: str) -> pd.Series:
    try:
        return pd.Series(model.predict(features))
    except (TypeError, ValueError) as err:
        raise DataError(f"{source}: the model cannot predict on it ({first_line(err)})") from None


def worse_by(metric: str, published: float, current: float) -> float:
    """How much worse the current score is: points lost for a score, the relative increase for an error.

    Errors (rmse, mae) are in the target's units, so only their ratio is comparable with a threshold.
    """
    if higher_is_better(metric):
        return published - current
    return (current - published) / abs(published) if published else current - published


def check_performance(
    bundle: ModelBundle, rows: pd.DataFrame, labels: pd.Series, max_drop: float
) -> dict[str, dict[str, Any]]:
    """Score the model on the labelled batch with the pipeline's own metrics, against the published ones."""
    score = classification_metrics if bundle.manifest["task"] == "classification" else regression_metrics
    scores = score(bundle.model, rows, labels)
    published = bundle.manifest.get("metrics", {})
    performance = {}
    for metric in sorted(set(scores) & set(published)):
        worse = worse_by(metric, published[metric], scores[metric])
        performance[metric] = {
            "published": float(published[metric]),
            "current": scores[metric],
            "worse_by": worse,
            "failed": worse > max_drop,
        }
    return performance


def detect_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    bundle: ModelBundle,
    thresholds: MonitorParams,
    labels: bool = False,
    *,
    reference_name: str = "reference",
    current_name: str = "current",
) -> dict[str, Any]:
    """The drift report of the current batch against the reference data, for the bundle's model.

    Raises DataError, naming the frame by reference_name or current_name, when a frame cannot be compared.
    """
    manifest = bundle.manifest
    kinds = {feature["name"]: feature["kind"] for feature in manifest["features"]}
    # The feature columns in training order; DataError if one is missing or a numeric one holds text.
    reference_rows = check_features(reference, manifest["features"], reference_name)
    current_rows = check_features(current, manifest["features"], current_name)
    if labels:
        check_labels(current, manifest["target"], current_name)
    # Dates as the model sees them: a batch from another season or year moves their parts.
    reference_parts, parts = date_features(reference_rows, kinds)
    current_parts, _ = date_features(current_rows, kinds)
    features = {
        name: {"kind": kind, **compare(reference_parts[name], current_parts[name], kind, thresholds)}
        for name, kind in parts.items()
    }
    unseen = []  # categorical features with too many categories never seen in training
    for name, result in features.items():
        if result["kind"] == "categorical":
            result.update(unseen_categories(reference_rows[name], current_rows[name]))
            if result["unseen_share"] > thresholds.max_unseen_share:
                result["drifted"] = True
                unseen.append(name)
    drifted = [name for name, result in features.items() if result["drifted"]]
    share = len(drifted) / len(features) if features else 0.0
    prediction_kind = "categorical" if manifest["task"] == "classification" else "numeric"
    prediction = compare(
        predict(bundle.model, reference_rows, reference_name),
        predict(bundle.model, current_rows, current_name),
        prediction_kind,
        thresholds,
    )
    performance, counted = None, None
    if labels:  # scored on the rows with a label; how many were left out is in the report
        scored, left_out = labelled_rows(current, manifest["target"])
        rows, targets = current_rows.loc[scored.index], scored[manifest["target"]]
        performance = check_performance(bundle, rows, targets, thresholds.max_metric_drop)
        counted = {"scored": len(scored), "left_out": left_out}

    reasons = []
    if share > thresholds.max_drifted_share:
        reasons.append(
            f"{len(drifted)} of {len(features)} features drifted ({share * 100:.0f}%), "
            f"more than the {thresholds.max_drifted_share * 100:.0f}% allowed"
        )
    for name in unseen:
        listed = ", ".join(features[name]["unseen"])
        reasons.append(
            f"{name}: {features[name]['unseen_share'] * 100:.0f}% of its values are categories never seen "
            f"in training ({listed}), more than the {thresholds.max_unseen_share * 100:.0f}% allowed"
        )
    if prediction["drifted"]:
        reasons.append(f"the predictions drifted ({measured(prediction, thresholds)})")
    for metric, row in (performance or {}).items():
        if row["failed"]:
            reasons.append(
                f"{metric} = {row['current']:.4f} against {row['published']:.4f} published, "
                f"worse by {row['worse_by']:.3g} (at most {thresholds.max_metric_drop} allowed)"
            )
    return {
        "drift": bool(reasons),
        "reasons": reasons,
        "rows": {"reference": len(reference), "current": len(current)},
        "thresholds": thresholds.model_dump(),
        "drifted_features": drifted,
        "drifted_share": share,
        "features": features,
        "prediction": {"kind": prediction_kind, **prediction},
        "performance": performance,
        "labelled": counted,
    }
