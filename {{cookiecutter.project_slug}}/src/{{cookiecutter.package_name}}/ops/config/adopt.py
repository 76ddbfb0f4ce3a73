"""Use your own data: one command takes a CSV or Parquet file into the pipeline.

    {{ cookiecutter.project_slug }} data path/to/file.csv --target price [--drop "id name"] [--name houses]
    make data FILE=path/to/file.csv TARGET=price [DROP="id name"] [NAME=houses]

First it checks the file: readable, the target and the DROP columns exist, and
the target suits the task (classification: two or more classes, each with two
or more labelled rows; regression: numeric). A column with a blank header that
only counts the rows (the index pandas' to_csv and R's write.csv save) joins
DROP. Only then does it copy the file to
data/raw/<name>.<csv|parquet>, track it with `dvc add`, write
conf/data/<name>.yaml, select it in conf/config.yaml and recompose params.yaml.
prepare's dependency on the raw file is `${data.path}` in dvc.yaml, so dvc.yaml
needs no edit (an embedded dataset's stage is switched to it once). When any
step fails, every file it wrote is restored: the project is left as it was.
"""

import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..contract import (
    CONF_DIR,
    CONFIG,
    PARAMS,
    RAW_DIR,
    ConfigError,
    DataError,
    Params,
    check_stratifiable,
    labelled_rows,
    read_data,
    validate_frame,
    validate_params,
)
from .compose import compose, select_default

SUFFIXES = (".csv", ".parquet")
DVC_YAML = Path("dvc.yaml")
DATA_PATH_DEP = "${data.path}"
DATA_PATH_COMMENT = "# Your data file: data.path in params.yaml (`make data` sets it)."
NAME = re.compile(r"[a-z0-9][a-z0-9_]*")


def default_name(file: Path) -> str:
    """A config name from the file name: lowercase letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", file.stem.lower()).strip("_") or "data"


# pandas' name for a column with a blank header, e.g. the row index that pandas' to_csv and R's
# write.csv write first by default.
BLANK_HEADER = re.compile(r"Unnamed: \d+")


def row_numbers(frame: pd.DataFrame) -> list[str]:
    """The columns with a blank header that only count the rows (0, 1, 2, ... or 1, 2, 3, ...): an index.

    Learning from it would score the rows' order, and new rows to predict carry no such column.
    """
    counters = []
    for column in frame.columns:
        values = frame[column]
        if BLANK_HEADER.fullmatch(str(column)) and values.dtype.kind in "iu" and len(values):
            start = int(values.iloc[0])
            if start in (0, 1) and np.array_equal(values.to_numpy(), np.arange(start, start + len(values))):
                counters.append(str(column))
    return counters


def check_data(file: Path, target: str, drop: Sequence[str], task: str) -> list[str]:
    """Raise DataError, one line naming the fix, when the file cannot train a model for the task.

    Returns the columns that only number the rows (row_numbers), for drop.
    """
    if not target:
        raise DataError("TARGET is required: the column to predict, e.g. make data FILE=... TARGET=price")
    if not file.name:
        raise DataError("FILE is required: a .csv or .parquet file, e.g. make data FILE=houses.csv TARGET=price")
    if file.suffix not in SUFFIXES:
        raise DataError(f"{file}: FILE must end in .csv or .parquet")
    if not file.is_file():
        raise DataError(f"{file} not found; give FILE as a path from the project directory, or an absolute one")
    frame = read_data(file)
    validate_frame(frame, target, task, str(file), drop)
    labelled, _ = labelled_rows(frame, target)
    if task == "classification":
        try:
            check_stratifiable(labelled[target])
        except DataError as err:
            raise DataError(f"{file}: target {target!r}: {err}; each class needs two labelled rows") from None
    return row_numbers(frame)


# As conf/data/ has it: which class the binary scores take as positive.
POSITIVE_LINES = [
    "# The class that f1, precision, recall and average precision score (binary only);",
    "# null: the training split's minority class.",
    "positive: null",
]


def data_conf(name: str, path: Path, target: str, drop: Sequence[str], task: str) -> str:
    """The text of conf/data/<name>.yaml, in the shape of the configs the template ships."""
    drop_lines = [f"  - {yaml_scalar(column)}" for column in drop]
    return "\n".join(
        [
            f"# {path.name}, tracked by DVC: `make data` wrote this file; run it again for a new version.",
            "# drop: columns kept out of the features (prepare names text columns that look like IDs).",
            "# Other columns are features: numbers are imputed and scaled, dates become their year, month,",
            "# day of year and weekday, other text is imputed and one-hot encoded. Rows with no target are left out.",
            f"name: {name}",
            "source: csv",
            f"path: {path.as_posix()}",
            f"target: {yaml_scalar(target)}",
            "drop: []" if not drop else "drop:",
            *drop_lines,
            *(POSITIVE_LINES if task == "classification" else []),
            "split:",
            "  test_size: 0.2",
            "  seed: ${seed}",
            f"  stratify: {'true' if task == 'classification' else 'false'}",
            "",
        ]
    )


def yaml_scalar(value: str) -> str:
    """A column name as YAML: plain where YAML reads it back as the same string, else quoted."""
    try:
        plain = yaml.safe_load(value) == value and "${" not in value
    except yaml.YAMLError:
        plain = False
    return value if plain else "'" + value.replace("'", "''") + "'"


def use_data_path(dvc_yaml: str, params: Params) -> str:
    """dvc.yaml with prepare depending on `${data.path}`, as a bake with your own data has it.

    A project baked with an embedded dataset has prepare write data/raw/<dataset>.csv instead:
    that output gives way to the dependency, once.
    """
    if DATA_PATH_DEP in dvc_yaml:
        return dvc_yaml
    written = re.escape((RAW_DIR / f"{params.data.name}.csv").as_posix())
    out = re.compile(rf"^(?:[ \t]*#.*\n)?[ \t]*- {written}[ \t]*\n", re.MULTILINE)  # with its comment
    labelled = re.compile(r"^(?P<indent>\s*)- data/labelled[ \t]*\n", re.MULTILINE)
    if len(out.findall(dvc_yaml)) != 1 or len(labelled.findall(dvc_yaml)) != 1:
        raise ConfigError(
            f"{DVC_YAML}: cannot find prepare's data/labelled dependency and its embedded-data output; "
            f"add `- {DATA_PATH_DEP}` to prepare's deps by hand"
        )
    with_dep = labelled.sub(
        lambda line: f"{line[0]}{line['indent']}{DATA_PATH_COMMENT}\n{line['indent']}- {DATA_PATH_DEP}\n", dvc_yaml
    )
    return out.sub("", with_dep)


class Rollback:
    """Remembers files before they change, to put them back when a later step fails."""

    def __init__(self) -> None:
        self.saved: dict[Path, bytes | None] = {}
        self.moved: dict[Path, Path] = {}
        self.made: list[Path] = []

    def write(self, path: Path, text: str) -> None:
        self.keep(path)
        path.write_text(text, encoding="utf-8")

    def keep(self, *paths: Path) -> None:
        for path in paths:
            if path not in self.saved:
                self.saved[path] = path.read_bytes() if path.exists() else None

    def copy(self, source: Path, dest: Path) -> None:
        """Copy a data file, moving any old one aside rather than holding it in memory."""
        if dest.exists():
            aside = dest.with_name(f".{dest.name}.before-make-data")
            os.replace(dest, aside)
            self.moved[dest] = aside
        else:
            self.saved[dest] = None
        if not dest.parent.is_dir():
            dest.parent.mkdir(parents=True)
            self.made.append(dest.parent)
        shutil.copyfile(source, dest)

    def restore(self) -> None:
        for path, content in self.saved.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        for dest, aside in self.moved.items():
            os.replace(aside, dest)
        for folder in self.made:
            folder.rmdir()

    def discard(self) -> None:
        for aside in self.moved.values():
            aside.unlink(missing_ok=True)


@contextmanager
def all_or_nothing() -> Iterator[Rollback]:
    rollback = Rollback()
    try:
        yield rollback
    except BaseException:
        rollback.restore()
        raise
    rollback.discard()


def dvc_add(path: Path) -> None:
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo() as repo:
            repo.scm_context.quiet = True  # the next step printed below says what to commit
            repo.add([str(path)])
    except DvcException as err:
        raise DataError(f"`dvc add {path}` failed: {err}") from None


def adopt(file: Path, target: str, drop: Sequence[str], name: str) -> Path:
    """Check the file, then take it into the pipeline; return its copy under data/raw/."""
    current = validate_params(yaml.safe_load(compose()), f"{CONF_DIR}/ composed")
    for column in check_data(file, target, drop, current.task):
        if column not in drop:
            drop = [*drop, column]
            print(
                f"data: column {column!r} (a blank header) only counts the rows, like a saved row index: "
                "kept out of the features (data.drop)"
            )
    if not NAME.fullmatch(name):
        raise DataError(
            f"NAME {name!r}: use lowercase letters, digits and underscores, starting with a letter or digit"
        )
    conf = CONF_DIR / "data" / f"{name}.yaml"
    if conf.exists() and (yaml.safe_load(conf.read_text(encoding="utf-8")) or {}).get("source") != "csv":
        raise DataError(f"{conf} exists and is not your own data; pick another NAME")
    dest = RAW_DIR / f"{name}{file.suffix}"
    with all_or_nothing() as rollback:
        rollback.write(conf, data_conf(name, dest, target, drop, current.task))
        rollback.write(CONFIG, select_default(CONFIG.read_text(encoding="utf-8"), "data", name))
        rollback.write(DVC_YAML, use_data_path(DVC_YAML.read_text(encoding="utf-8"), current))
        rollback.write(PARAMS, compose())
        rollback.keep(RAW_DIR / ".gitignore", dest.with_name(f"{dest.name}.dvc"))
        if file.resolve() != dest.resolve():
            rollback.copy(file, dest)
        dvc_add(dest)
    return dest
