"""A failed `repro` loses nothing: which outputs are copied before the run, and how one comes back.

The whole of it (a failing and a Ctrl-C'd `make repro` on a trained project) runs in the
template's own tests; these check the parts on their own.
"""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.ops import outputs
from {{ cookiecutter.package_name }}.paths import DATA_SUMMARY, METRICS, PLOTS_DIR


def test_the_outputs_kept_in_git_are_those_of_dvc_yaml_with_cache_false() -> None:
    kept = outputs.kept_in_git()
    assert {DATA_SUMMARY, METRICS, PLOTS_DIR} <= set(kept)
    assert Path("models/model.skops") not in kept, "the model is in the DVC cache"


def test_an_output_kept_in_git_comes_back_from_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    saved = tmp_path / "saved"
    (saved / "reports/plots").mkdir(parents=True)
    (saved / "reports/plots/roc.csv").write_text("fpr,tpr\n")
    Path("reports/plots").mkdir(parents=True)
    Path("reports/plots/half.csv").write_text("a stopped stage's half\n")
    said = outputs.put_back(["reports/plots"], saved)
    assert sorted(path.name for path in Path("reports/plots").iterdir()) == ["roc.csv"]
    assert said == "repro: put back what the stopped stage had removed, as dvc.lock records it: reports/plots"
