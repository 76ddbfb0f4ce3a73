"""Regenerate the sample CSVs that `dataset=csv` bakes ship as data/raw/data.csv.

They come from scikit-learn's embedded datasets, with a text column and a few
missing values added so that a fresh bake exercises imputation and one-hot
encoding. Run from the repository root: python scripts/make_sample_csv.py
"""

from pathlib import Path

import numpy as np
from sklearn import datasets

OUT = Path("{{cookiecutter.project_slug}}/data/raw")
rng = np.random.default_rng(0)


def punch_holes(frame, columns, share=0.03):
    for column in columns:
        frame.loc[rng.random(len(frame)) < share, column] = np.nan
    return frame


def classification_sample():
    bunch = datasets.load_breast_cancer(as_frame=True)
    frame = bunch.frame.iloc[:, :8].copy()
    frame.columns = [name.replace(" ", "_") for name in frame.columns]
    frame.insert(0, "clinic", rng.choice(["north", "south", "east"], size=len(frame)))
    frame = punch_holes(frame, ["mean_texture", "mean_smoothness", "clinic"])
    frame["target"] = bunch.target_names[bunch.target]
    return frame


def regression_sample():
    bunch = datasets.load_diabetes(as_frame=True, scaled=False)
    frame = bunch.frame.drop(columns="target").copy()
    frame["sex"] = frame["sex"].map({1.0: "female", 2.0: "male"})
    frame = punch_holes(frame, ["bmi", "bp", "sex"])
    frame["target"] = bunch.target
    return frame


if __name__ == "__main__":
    classification_sample().to_csv(OUT / "sample_classification.csv", index=False, float_format="%.6g")
    regression_sample().to_csv(OUT / "sample_regression.csv", index=False, float_format="%.6g")
