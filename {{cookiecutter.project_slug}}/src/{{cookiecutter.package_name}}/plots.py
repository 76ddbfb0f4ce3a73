"""Tables behind the DVC plots declared in dvc.yaml (one CSV per plot).

sklearn.inspection is imported only for models that need permutation
importance: it costs the evaluate stage a third of a second to start up.
"""

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import label_binarize


def classification_plots(pipeline: Pipeline, features: pd.DataFrame, labels: pd.Series) -> dict[str, pd.DataFrame]:
    """Confusion pairs, plus ROC and precision-recall curves (micro-averaged for multiclass)."""
    tables = {"confusion": pd.DataFrame({"actual": labels.to_numpy(), "predicted": pipeline.predict(features)})}
    if hasattr(pipeline, "predict_proba"):
        classes = pipeline.classes_
        probabilities = pipeline.predict_proba(features)
        if len(classes) == 2:
            truth, scores = (labels == classes[1]).to_numpy(), probabilities[:, 1]
        else:
            truth, scores = label_binarize(labels, classes=classes).ravel(), probabilities.ravel()
        fpr, tpr, _ = metrics.roc_curve(truth, scores)
        precision, recall, _ = metrics.precision_recall_curve(truth, scores)
        tables["roc"] = pd.DataFrame({"fpr": fpr, "tpr": tpr})
        tables["precision_recall"] = pd.DataFrame({"recall": recall, "precision": precision})
        if len(classes) > 2:  # says so on the PR report's PNGs
            for name in ("roc", "precision_recall"):
                tables[name]["average"] = "micro"
    return tables


def regression_plots(pipeline: Pipeline, features: pd.DataFrame, targets: pd.Series) -> dict[str, pd.DataFrame]:
    """Predicted against actual values, with residuals."""
    predicted = pipeline.predict(features)
    return {
        "predictions": pd.DataFrame(
            {"actual": targets.to_numpy(), "predicted": predicted, "residual": targets.to_numpy() - predicted}
        )
    }


def feature_names(pipeline: Pipeline) -> list[str]:
    """The names of the columns the preprocessing outputs, as the data calls them.

    The ColumnTransformer prefixes each with its transformer's name (`numeric__size`,
    `categorical__colour_red`). The prefix is dropped unless two names would then clash
    (a numeric column `colour_red` beside a one-hot `colour` = red); step names cannot
    contain `__`, so the first `__` ends the prefix.
    """
    prefixed = list(pipeline[:-1].get_feature_names_out())
    short = [name.split("__", 1)[-1] for name in prefixed]
    return short if len(set(short)) == len(short) else prefixed


def feature_importance(pipeline: Pipeline, features: pd.DataFrame, targets: pd.Series) -> pd.DataFrame:
    """Importance per feature, highest first, with the measure it is in (the `measure` column).

    The estimator's own measure where it has one (feature_importances_, the impurity
    decrease of tree models, or |coef_| for linear models, whose inputs are scaled),
    per encoded column; otherwise permutation importance on the held-out data, per
    input column.
    """
    estimator = pipeline[-1]
    if hasattr(estimator, "feature_importances_"):
        names, importance, measure = feature_names(pipeline), estimator.feature_importances_, "impurity decrease"
    elif hasattr(estimator, "coef_"):
        coefficients = np.abs(np.atleast_2d(estimator.coef_))
        names, importance = feature_names(pipeline), coefficients.mean(axis=0)
        measure = "|coefficient|" if len(coefficients) == 1 else "mean |coefficient| over classes"
    else:
        from sklearn.inspection import permutation_importance

        permuted = permutation_importance(pipeline, features, targets, n_repeats=5, random_state=0)
        names, importance, measure = list(features.columns), permuted.importances_mean, "permutation score drop"
    table = pd.DataFrame({"feature": names, "importance": importance, "measure": measure})
    return table.sort_values("importance", ascending=False, ignore_index=True)
