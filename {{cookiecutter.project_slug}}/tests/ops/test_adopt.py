"""`make data`: checks the file before writing anything, writes the configs, leaves nothing half-written."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.ops.config import adopt
from {{ cookiecutter.package_name }}.ops.config.compose import select_default
from {{ cookiecutter.package_name }}.params import validate_params
from {{ cookiecutter.package_name }}.paths import CONF_DIR, PARAMS

TASK = "{{ cookiecutter.task }}"


@pytest.fixture
def own_csv(tmp_path: Path, classification_frame: pd.DataFrame, regression_frame: pd.DataFrame) -> Path:
    """This task's tiny frame with an ID column and two unlabelled rows."""
    frame = classification_frame if TASK == "classification" else regression_frame
    frame = frame.assign(id=range(len(frame)))
    frame.loc[[0, 1], "target"] = None
    path = tmp_path / "Own Data.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of what make data reads and writes, as the working directory; dvc add does nothing."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(CONF_DIR, root / CONF_DIR)
    for path in (PARAMS, adopt.DVC_YAML):
        shutil.copy(path, root / path)
    monkeypatch.chdir(root)
    monkeypatch.setattr(adopt, "dvc_add", lambda path: None)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_default_name_comes_from_the_file() -> None:
    assert adopt.default_name(Path("/x/House Prices-2024.csv")) == "house_prices_2024"


@pytest.mark.parametrize(
    ("file", "target", "drop", "message"),
    [
        ("missing.csv", "target", (), "missing.csv not found"),
        ("notes.txt", "target", (), "must end in .csv or .parquet"),
        ("{own}", "", (), "TARGET is required"),
        ("{own}", "price", (), "target column 'price' not found; the columns are size"),
        ("{own}", "target", ("id", "nickname"), "data.drop names no such column: nickname"),
    ],
)
def test_bad_input_is_one_line_naming_the_fix(
    own_csv: Path, file: str, target: str, drop: tuple[str, ...], message: str
) -> None:
    with pytest.raises(DataError, match=message) as error:
        adopt.check_data(Path(file.format(own=own_csv)), target, drop, TASK)
    assert "\n" not in str(error.value)


def test_unreadable_csv(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(DataError, match="not a readable CSV"):
        adopt.check_data(path, "target", (), TASK)


def test_classification_needs_two_labelled_rows_per_class(tmp_path: Path, classification_frame: pd.DataFrame) -> None:
    classification_frame.loc[5, "target"] = "lonely"
    classification_frame.loc[[0, 1], "target"] = None
    classification_frame.to_csv(path := tmp_path / "classes.csv", index=False)
    with pytest.raises(DataError, match="'lonely' has a single row.*each class needs two labelled rows"):
        adopt.check_data(path, "target", (), "classification")


def test_regression_needs_a_numeric_target(own_csv: Path) -> None:
    frame = pd.read_csv(own_csv).assign(target=lambda frame: frame["target"].astype(str).radd("v"))
    frame.to_csv(own_csv, index=False)
    with pytest.raises(DataError, match="regression needs a numeric target"):
        adopt.check_data(own_csv, "target", (), "regression")


def test_data_conf_is_the_shape_of_the_shipped_ones() -> None:
    text = adopt.data_conf("own", Path("data/raw/own.csv"), "yes", ("id", "a b"), "classification")
    conf = yaml.safe_load(text)
    assert conf == {
        "name": "own",
        "source": "csv",
        "path": "data/raw/own.csv",
        "target": "yes",  # quoted: a bare yes is YAML's true
        "drop": ["id", "a b"],
        "positive": None,  # the training split's minority class
        "split": {"test_size": 0.2, "seed": "${seed}", "stratify": True},
    }
    regression = yaml.safe_load(adopt.data_conf("own", Path("x.csv"), "y", (), "regression"))
    assert regression["split"]["stratify"] is False and "positive" not in regression


def test_selecting_data_edits_only_the_defaults_line() -> None:
    config = "defaults:\n  - _self_\n  - data: wine  # the data\n  - model: ridge\ndata_note: keep\n"
    assert select_default(config, "data", "own") == config.replace("data: wine", "data: own")
    with pytest.raises(ConfigError, match="expected one `- data: <name>` line in defaults, found 0"):
        select_default("defaults:\n  - _self_\n", "data", "own")


def test_use_data_path_turns_the_embedded_output_into_a_dependency() -> None:
    params = validate_params(yaml.safe_load(PARAMS.read_text(encoding="utf-8")))
    embedded = (
        "    deps:\n      - data/labelled\n    outs:\n      # written by prepare\n"
        f"      - data/raw/{params.data.name}.csv\n      - data/prepared/train.parquet\n"
    )
    converted = adopt.use_data_path(embedded, params)
    assert yaml.safe_load(converted) == {
        "deps": ["data/labelled", "${data.path}"],
        "outs": ["data/prepared/train.parquet"],
    }
    assert adopt.use_data_path(converted, params) == converted
    with pytest.raises(ConfigError, match="add `- \\$\\{data.path\\}` to prepare's deps by hand"):
        adopt.use_data_path("stages: {}\n", params)


def test_adopt_writes_selects_and_composes(project: Path, own_csv: Path) -> None:
    dest = adopt.adopt(own_csv, "target", ["id"], "own")
    assert dest == Path("data/raw/own.csv") and dest.read_bytes() == own_csv.read_bytes()
    params = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    assert params["data"]["path"] == "data/raw/own.csv" and params["data"]["drop"] == ["id"]
    assert "${data.path}" in adopt.DVC_YAML.read_text(encoding="utf-8")


def test_a_saved_row_index_is_kept_out_of_the_features(
    project: Path, own_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.read_csv(own_csv).to_csv(own_csv)  # pandas' default: the index first, under a blank header
    adopt.adopt(own_csv, "target", ["id"], "own")
    params = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    assert params["data"]["drop"] == ["id", "Unnamed: 0"]
    assert "column 'Unnamed: 0' (a blank header) only counts the rows" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("column", "values", "counts"),
    [
        ("Unnamed: 0", [0, 1, 2, 3], True),
        ("Unnamed: 0", [1, 2, 3, 4], True),
        ("Unnamed: 3", [0, 1, 2, 3], True),
        ("id", [0, 1, 2, 3], False),  # named: the user's to drop or keep
        ("Unnamed: 0", [1, 3, 2, 4], False),
        ("Unnamed: 0", [5, 6, 7, 8], False),
        ("Unnamed: 0", [0.0, 1.0, 2.0, 3.0], False),
    ],
)
def test_row_numbers_are_blank_headed_counters(column: str, values: list[float], counts: bool) -> None:
    frame = pd.DataFrame({column: values, "x": [1, 2, 3, 4]})
    assert adopt.row_numbers(frame) == ([column] if counts else [])


def test_a_failing_step_leaves_the_project_as_it_was(
    project: Path, own_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)

    def fail(path: Path) -> None:
        raise DataError(f"`dvc add {path}` failed: no")

    monkeypatch.setattr(adopt, "dvc_add", fail)
    with pytest.raises(DataError, match="dvc add"):
        adopt.adopt(own_csv, "target", ["id"], "own")
    assert snapshot(project) == before
    assert not Path("data/raw").exists()


def test_a_shipped_config_name_is_refused(project: Path, own_csv: Path) -> None:
    taken = sorted(path.stem for path in (CONF_DIR / "data").glob("*.yaml"))[0]
    if yaml.safe_load((CONF_DIR / "data" / f"{taken}.yaml").read_text(encoding="utf-8"))["source"] == "csv":
        pytest.skip("this bake's only data config is a CSV one, which make data may replace")
    with pytest.raises(DataError, match="is not your own data; pick another NAME"):
        adopt.adopt(own_csv, "target", [], taken)
