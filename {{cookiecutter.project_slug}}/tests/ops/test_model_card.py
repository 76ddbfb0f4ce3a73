"""The model card: the model's scores, the trivial baseline's apart, and date features named as such."""

from typing import Any

import yaml

from {{ cookiecutter.package_name }}.ops.registry.model_card import render_card

PACKAGES = {"scikit-learn": "1.9.1"}


def manifest(metrics: dict[str, float]) -> dict[str, Any]:
    """The parts of a bundle's manifest (bundle.py) that the card reads."""
    return {
        "artifact": "demo",
        "version": "v1.0.0",
        "task": "classification",
        "target": "churned",
        "features": [
            {"name": "score", "kind": "numeric", "dtype": "float64"},
            {"name": "plan", "kind": "categorical", "dtype": "str"},
            {"name": "signed_up", "kind": "date", "dtype": "datetime64[us]"},
        ],
        "training_rows": 120,
        "params": {
            "data": {
                "name": "own",
                "source": "csv",
                "path": "data/raw/own.csv",
                "split": {"test_size": 0.2, "seed": 1, "stratify": True},
            },
            "model": {"name": "logistic_regression", "_target_": "sklearn.linear_model.LogisticRegression", "C": 1.0},
        },
        "metrics": metrics,
        "git_commit": "0123abc",
        "environment": {"python": "3.11.9", "packages": PACKAGES},
        "dvc_lock": {},
    }


def test_the_baseline_is_shown_apart_from_the_models_scores() -> None:
    card = render_card(manifest({"accuracy": 0.9, "baseline_accuracy": 0.55}))
    scores = yaml.safe_load(card.split("---\n")[1])["model-index"][0]["results"][0]["metrics"]
    assert scores == [{"type": "accuracy", "value": 0.9}], "Hugging Face metadata: the model's own scores"
    assert "| accuracy | 0.9000 |" in card and "| baseline_accuracy" not in card
    assert "always predicting the most frequent class, scores accuracy 0.5500.\n" in card


def test_a_card_without_a_baseline_says_nothing_of_one() -> None:
    assert "trivial baseline" not in render_card(manifest({"accuracy": 0.9}))


def test_dates_are_listed_apart_from_categories() -> None:
    card = render_card(manifest({"accuracy": 0.9}))
    assert "- Categorical features (1): plan." in card
    assert "- Date features (1), seen as year, month, day of year and weekday: signed_up." in card
