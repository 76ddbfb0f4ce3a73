"""The models a pull request is judged against, each scored on the pull request's test rows.

The head is the workspace's model; the others are the base branch's and production's
(rescore.py fetches or rebuilds them). Each Side holds its scores on the head's rows, the
bootstrap interval of every change, whether its own test split held the same rows, and,
where it did not, the head's model scored on that side's rows too.
"""

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..contract import MODEL, TEST, TRAIN, load_params, positive_class, read_model
from .rescore import Revision, revision, same_rows
from .scoring import Scored, Scorer


@dataclass
class Side:
    """Another revision's model, as the report compares the head with it."""

    label: str  # how the report names it: `main`, production `v0.1.0`
    short: str  # the same in a chart's title: main, v0.1.0
    commit: str
    scored: Scored | None = None  # its model on the head's test rows; None: see problem
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # head minus this, 95 %
    problem: str | None = None
    same_test: bool | None = None  # its test split holds the head's rows; None: unknown
    test_rows: int | None = None
    test_shares: dict[str, float] = field(default_factory=dict)  # class shares of its own test split
    head_on_its_rows: dict[str, float] | None = None  # the head's model on its test split, where it differs
    own_on_its_rows: dict[str, float] | None = None  # its model on its own test split
    rebuilt: bool = False


@dataclass
class Head:
    """The pull request's model and test rows, and the scorer that every side shares."""

    pipeline: Any
    scorer: Scorer
    scored: Scored
    test: pd.DataFrame
    shares: dict[str, float]


def class_shares(frame: pd.DataFrame, target: str, task: str) -> dict[str, float]:
    if task != "classification":
        return {}
    return {
        str(label): float(share) for label, share in frame[target].value_counts(normalize=True).sort_index().items()
    }


def head_model() -> Head:
    """The workspace's model scored on the workspace's test split."""
    params = load_params()
    target = params.data.target
    pipeline = read_model(MODEL.read_bytes(), str(MODEL))
    test = pd.read_parquet(TEST)
    features, labels = test.drop(columns=target), test[target]
    scorer = Scorer(params.task, features, labels)
    if params.task == "classification":
        train_labels = pd.read_parquet(TRAIN, columns=[target])[target]
        scorer.classes = list(pipeline.classes_)
        scorer.positive = positive_class(scorer.classes, train_labels, params.data.positive)
    return Head(pipeline, scorer, scorer.score(pipeline), test, class_shares(test, target, params.task))


def compared(head: Head, label: str, short: str, commit: str, target: str) -> Side:
    """The model at `commit` scored on the head's rows, with the intervals of the changes."""
    found: Revision = revision(commit)
    side = Side(label, short, commit, problem=found.problem, rebuilt=found.rebuilt)
    if found.test is not None:
        side.same_test = same_rows(found.test, head.test)
        side.test_rows = len(found.test)
        side.test_shares = class_shares(found.test, target, head.scorer.task)
    if found.pipeline is None:
        return side
    try:
        side.scored = head.scorer.score(found.pipeline)
    except Exception as err:  # noqa: BLE001 - e.g. the head's rows lack a column its model needs
        side.problem = f"its model cannot score this pull request's test rows ({type(err).__name__}: {err})"
        return side
    side.intervals = head.scorer.intervals(head.scored, side.scored)
    if found.test is not None and not side.same_test:
        side.own_on_its_rows, side.head_on_its_rows = _on_rows(head, found, target)
    return side


def _on_rows(head: Head, found: Revision, target: str) -> tuple[dict[str, float] | None, dict[str, float] | None]:
    """Both models on the other side's test split, where the head's model can read it."""
    other = Scorer(head.scorer.task, found.test.drop(columns=target), found.test[target])
    other.classes, other.positive = head.scorer.classes, head.scorer.positive
    try:
        return other.score(found.pipeline).metrics, other.score(head.pipeline).metrics
    except Exception:  # noqa: BLE001 - a column the head's model needs is not in the base's rows
        return None, None
