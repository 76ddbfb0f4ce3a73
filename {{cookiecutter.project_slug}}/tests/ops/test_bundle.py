"""The manifest's schema of the features; a version is bundled only with the packages uv.lock pinned at its tag."""

import re

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.ops.registry.bundle import BundleError, check_environment, feature_schema
from {{ cookiecutter.package_name }}.ops.registry.tags import Version


def test_the_feature_schema_names_how_the_model_sees_each_column() -> None:
    train = pd.DataFrame(
        {"size": [1.5], "plan": ["pro"], "signed_up": pd.to_datetime(["2024-05-01"]), "churned": ["no"]}
    )
    kinds = {feature["name"]: feature["kind"] for feature in feature_schema(train, "churned")}
    assert kinds == {"size": "numeric", "plan": "categorical", "signed_up": "date"}


# Two numpy entries, as uv.lock writes one per range of Python versions.
LOCK = b"""
[[package]]
name = "numpy"
version = "2.4.6"

[[package]]
name = "numpy"
version = "2.5.5"

[[package]]
name = "scikit-learn"
version = "1.9.1"
"""
TAGGED = Version("{{ cookiecutter.project_slug }}", "v1.2.0", "0" * 40)


def test_the_locked_packages_pass() -> None:
    check_environment({"numpy": "2.4.6", "scikit-learn": "1.9.1", "joblib": "1.5.0"}, LOCK, TAGGED)


def test_other_packages_are_refused_with_the_fix() -> None:
    message = f"{TAGGED.tag} was trained with scikit-learn 1.8.0 (here 1.9.1): check out {TAGGED.tag} and `make setup`"
    with pytest.raises(BundleError, match=f"^{re.escape(message)}"):
        check_environment({"numpy": "2.5.5", "scikit-learn": "1.9.1"}, LOCK.replace(b"1.9.1", b"1.8.0"), TAGGED)
