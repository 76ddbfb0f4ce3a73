"""The verdict of a pull-request report and the key table under it.

Three states, in this order:
- ⛔ the quality gate fails, or the comparison is not like for like (the test rows changed
  and the base's model could not be scored on the new ones);
- ⚠️ any metric or any class's recall is worse than the base's, or worse than production on
  the main metric, or the test split's class balance moved by more than BALANCE_POINTS;
- ✅ otherwise.
It names the worst regression: the one furthest below zero for its noise (its bootstrap
interval), and says whether that is beyond noise (the whole interval below zero).
"""

from dataclasses import dataclass, field

from ..contract import HIGHER_IS_BETTER, TASK_METRICS, bound_sign
from ..gate import gate_failures, misses, required
from ..markdown import cell, table
from .scoring import RECALL, recalls
from .sides import Head, Side

DECIMALS = 4  # a change too small to show at this precision is no change
BALANCE_POINTS = 5.0  # a class share moving more than this many points is a different test set
MAX_RECALLS = 20  # classes whose recall the verdict compares; more are left to the details


@dataclass
class Review:
    """What the verdict and its table read: the head, the sides, the gate and the task."""

    task: str
    gate: dict[str, float]
    head: Head
    head_metrics: dict[str, float]  # reports/metrics.json: the gate reads it (its baseline too)
    head_label: str  # this PR @ <sha>
    base: Side
    production: Side | None = None
    base_metrics: dict[str, float] | None = None  # committed at the base: the fallback if its model is missing
    links: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """One metric's (or one class's recall's) change from a side to the head."""

    name: str  # accuracy, or "recall, malignant"
    before: float
    after: float
    higher_is_better: bool
    interval: tuple[float, float] | None = None  # head minus side, 95 %

    @property
    def delta(self) -> float:
        return round(self.after - self.before, DECIMALS)

    @property
    def worse(self) -> bool:
        return self.delta < 0 if self.higher_is_better else self.delta > 0

    @property
    def better(self) -> bool:
        return self.delta != 0 and not self.worse

    @property
    def beyond_noise(self) -> bool:
        """The whole interval is on one side of zero: the change is larger than resampling the rows moves it."""
        if self.interval is None:
            return False
        low, high = self.interval
        return high < 0 or low > 0

    @property
    def severity(self) -> float:
        """How far worse, in units of the interval's half width (or of the change itself without one)."""
        if not self.worse:
            return 0.0
        low, high = self.interval or (self.delta, self.delta)
        half = max((high - low) / 2, 10**-DECIMALS)
        return abs(self.delta) / half

    def words(self) -> str:
        noise = " (beyond noise)" if self.beyond_noise else " (within noise)" if self.interval else ""
        name = f"{self.name.removeprefix(RECALL)} recall" if self.name.startswith(RECALL) else self.name
        return f"{name} {self.before:.{DECIMALS}f} → {self.after:.{DECIMALS}f}{noise}"


def metric_changes(review: Review, side: Side) -> list[Change]:
    """The task's metrics, then each class's recall, from `side` to the head, on the head's rows."""
    head = review.head.scored.metrics
    if side.scored is not None:
        other, intervals = side.scored.metrics, side.intervals
    else:
        other, intervals = _committed(review, side), {}
    names = [name for name in TASK_METRICS[review.task] if name in head and name in other]
    names += [name for name in head if name.startswith(RECALL) and name in other][:MAX_RECALLS]
    return [
        Change(name, other[name], head[name], name in HIGHER_IS_BETTER or name.startswith(RECALL), intervals.get(name))
        for name in names
    ]


def _committed(review: Review, side: Side) -> dict[str, float]:
    return (review.base_metrics or {}) if side is review.base else {}


def balance_moves(review: Review) -> list[str]:
    """Each class whose share of the test split moved more than BALANCE_POINTS from the base's: `m 37 % → 20 %`."""
    before, after = review.base.test_shares, review.head.shares
    moved = []
    for label in sorted(before.keys() | after.keys()):
        old, new = before.get(label, 0.0) * 100, after.get(label, 0.0) * 100
        if abs(new - old) > BALANCE_POINTS:
            moved.append(f"{label} {old:.0f} % → {new:.0f} %")
    return moved


def like_for_like(review: Review) -> str | None:
    """None when the head and the base are compared on the same rows; else why they are not."""
    base = review.base
    if base.scored is not None:
        return None
    if base.same_test:
        return None  # the committed metrics were measured on these rows
    why = base.problem or "it has no model"
    return f"the test rows changed and `{review.base.short}`'s model could not be scored on them: {why}"


def verdict(review: Review) -> str:
    """The report's first line: ⛔, ⚠️ or ✅, then why in one sentence."""
    failures = gate_failures(review.head_metrics, review.gate)
    if failures:
        return f"### ⛔ Fails the quality gate: {'; '.join(failures)}"
    not_alike = like_for_like(review)
    if not_alike:
        return f"### ⛔ Not like for like: {not_alike}"
    changes = metric_changes(review, review.base)
    worse = [change for change in changes if change.worse]
    reasons = []
    if worse:
        metrics = [change for change in changes if not change.name.startswith(RECALL)]
        worse_metrics = [change for change in worse if change in metrics]
        worst = max(worse, key=lambda change: change.severity)
        counted = f"on {len(worse_metrics)} of {len(metrics)} metrics" if worse_metrics else "on a class's recall"
        reasons.append(f"worse than `{review.base.short}` {counted}; worst: {worst.words()}")
    production = review.production
    main = TASK_METRICS[review.task][0]
    if production is not None and production.scored is not None:
        shipped = Change(
            main, production.scored.metrics[main], review.head.scored.metrics[main], main in HIGHER_IS_BETTER
        )
        if shipped.worse:
            reasons.append(f"worse than production `{production.short}`: {shipped.words()}")
    moved = balance_moves(review)
    if moved:
        reasons.append(f"the test set's class balance moved ({', '.join(moved)})")
    if reasons:
        return f"### ⚠️ Review needed: passes the gate, but {'; '.join(reasons)}"
    main_change = next((change for change in changes if change.name == main), None)
    if main_change is None or not main_change.better:
        return f"### ✅ Passes the gate; no metric worse than `{review.base.short}`"
    return f"### ✅ Passes the gate; better than `{review.base.short}` on {main_change.words()}, no metric worse"


# --- the key table ------------------------------------------------------------------------------


def _arrow(change: Change) -> str:
    return "🔻" if change.worse else "🔼" if change.better else "±"


def change_cell(change: Change, interval: bool = True) -> str:
    """`🔻 −0.0012 (−0.0210 to +0.0190)`: direction, change and, when known, its 95 % interval."""
    shown = "± 0" if change.delta == 0 else f"{_arrow(change)} {change.delta:+.{DECIMALS}f}".replace("-", "−")
    if interval and change.interval is not None:
        low, high = (round(bound, DECIMALS) + 0.0 for bound in change.interval)  # + 0.0: no "−0.0000"
        shown += f" ({low:+.{DECIMALS}f} to {high:+.{DECIMALS}f})".replace("-", "−")
    return shown


def _rows_changed(review: Review, side: Side) -> str:
    """`3 fixed, 3 broken`: test rows the head gets right that the side got wrong, and the reverse."""
    if side.scored is None or review.task != "classification":
        return ""
    ours, theirs = review.head.scored.right, side.scored.right
    return f" ({int((ours & ~theirs).sum())} fixed, {int((~ours & theirs).sum())} broken)"


def _recall_cell(review: Review, side: Side, label: str, change: Change) -> str:
    """`🔻 1 more missed (4 of 42)`: the class's rows this PR's model misses, against the side's."""
    ours = recalls(review.head.scorer.target, review.head.scored.predicted)
    theirs = recalls(review.head.scorer.target, side.scored.predicted)  # type: ignore[union-attr]
    missed, before, rows = int(ours.missed[label]), int(theirs.missed[label]), int(ours.rows[label])
    more = missed - before
    said = "± 0" if more == 0 else f"🔻 {more} more missed" if more > 0 else f"🔼 {-more} fewer missed"
    return f"{said} ({missed} of {rows})" + (" (beyond noise)" if change.beyond_noise else "")


def key_rows(review: Review) -> list[str]:
    """The table a reviewer reads first: the key metrics of each side and the head, change, gate."""
    base, production = review.base, review.production
    changes = metric_changes(review, base)
    gate_bounds = required(review.head_metrics, review.gate)
    main = TASK_METRICS[review.task][0]
    positive = review.head.scorer.positive
    key = [change for change in changes if not change.name.startswith(RECALL)][:4]
    if review.task == "classification" and len(review.head.scorer.classes) == 2:
        key += [change for change in changes if change.name == f"{RECALL}{positive}"]
    rows = []
    for change in key:
        name = change.name
        label = f"**{cell(name)}**" + (" (gate)" if name in gate_bounds else "")
        values = [f"{change.before:.{DECIMALS}f}"]
        if production is not None:
            shipped = production.scored.metrics.get(name) if production.scored is not None else None
            values.append("—" if shipped is None else f"{shipped:.{DECIMALS}f}")
        values.append(f"{change.after:.{DECIMALS}f}")
        if name.startswith(RECALL) and base.scored is not None:
            shown = _recall_cell(review, base, name.removeprefix(RECALL), change)
        else:
            shown = change_cell(change) + (_rows_changed(review, base) if name == main else "")
        rows.append([label, *values, shown, _gate_cell(name, review.head_metrics, gate_bounds)])
    header = ["", f"`{base.short}` @ {base.commit[:7]}"]
    if production is not None:
        header.append(f"production `{production.short}`")
    header += [review.head_label, "change (95 % interval)", "gate"]
    return table(header, rows, "l" + "r" * (len(header) - 3) + "ll")


def _gate_cell(metric: str, head: dict[str, float], bounds: dict[str, float]) -> str:
    if metric not in bounds:
        return ""
    shown = f"{bounds[metric]:.{DECIMALS}f}".rstrip("0").rstrip(".")
    passed = metric in head and not misses(metric, head[metric], bounds[metric])
    return f"{'✅' if passed else '⛔'} {bound_sign(metric)} {shown}"
