"""The versions a server answers with, and how it swaps them without a failed request.

A `Served` is one loaded bundle. `Models` holds the primary one and an optional canary
that takes a share of the requests. `reload()` re-resolves both references (after
`make promote ... STAGE=prod`, `name#prod` names the new version), loads and checks the
new models beside the old ones, then swaps them in one assignment: a request in flight
finishes on the model it started with, the next one gets the new model. A model whose
features differ from the served ones is refused, and the old one keeps serving.
"""

import random
import sys
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..contract import ProjectError
from ..registry.bundle import Bundle, load_model
from .batching import Batcher
from .predict import predictions


@dataclass(frozen=True)
class Served:
    reference: str  # what it was loaded from: a bundle path or a registry reference
    bundle: Bundle

    @property
    def version(self) -> str:
        return str(self.bundle.manifest["version"])

    @property
    def features(self) -> list[dict[str, str]]:
        return self.bundle.features

    def answer(self, scored: pd.DataFrame) -> dict[str, Any]:
        """The answer to scored rows: predictions, each class's probabilities for classifiers, and who answered."""
        probabilities = [column for column in scored.columns if column.startswith("probability_")]
        answer: dict[str, Any] = {"model_version": self.version, "predictions": scored["prediction"].tolist()}
        if probabilities:
            classes = [column.removeprefix("probability_") for column in probabilities]
            answer["probabilities"] = [dict(zip(classes, row, strict=True)) for row in scored[probabilities].to_numpy()]
        return answer


def load(reference: str, features: list[dict[str, str]] | None = None) -> Served:
    """Load a version; refuse it when features are given and its own differ."""
    served = Served(reference, load_model(reference))
    if features is not None and served.features != features:
        names = ", ".join(feature["name"] for feature in served.features)
        raise ProjectError(f"{reference} ({served.version}) takes other features ({names}) than the served model")
    return served


@dataclass(frozen=True)
class Slots:
    primary: Served
    canary: Served | None = None
    canary_percent: float = 0.0


class Models:
    """The served versions; `pick()` chooses one per request, `reload()` swaps them."""

    def __init__(
        self, primary: str, canary: str | None = None, canary_percent: float = 0.0, batch_ms: float = 0.0
    ) -> None:
        first = load(primary)
        second = load(canary, first.features) if canary else None
        self.slots = Slots(first, second, canary_percent if second else 0.0)
        self.features = first.features
        self.batcher = Batcher(batch_ms) if batch_ms > 0 else None
        self._reloading = threading.Lock()
        self._random = random.Random()

    def pick(self) -> Served:
        slots = self.slots  # one read: a swap between two reads cannot mix versions
        if slots.canary is not None and self._random.random() * 100 < slots.canary_percent:
            return slots.canary
        return slots.primary

    def predict(self, served: Served, rows: pd.DataFrame) -> dict[str, Any]:
        """served's answer to rows: scored in this thread, or with others' rows when batching is on."""
        scored = self.batcher.score(served.bundle, rows) if self.batcher else predictions(served.bundle, rows)
        return served.answer(scored)

    def versions(self) -> list[str]:
        slots = self.slots
        return [slots.primary.version] + ([slots.canary.version] if slots.canary else [])

    def reload(self) -> str:
        """Re-resolve and load every served reference, then swap; the line that says what happened."""
        if not self._reloading.acquire(blocking=False):
            return "serve: a reload is already running; this one is skipped"
        try:
            old = self.slots
            try:
                primary = load(old.primary.reference, self.features)
                canary = load(old.canary.reference, self.features) if old.canary else None
            except Exception as err:  # any failure to load: the served models stay
                return f"serve: reload refused, still serving {', '.join(self.versions())}: {err}"
            self.slots = Slots(primary, canary, old.canary_percent)
            return f"serve: now serving {', '.join(self.versions())} (was {old.primary.version})"
        finally:
            self._reloading.release()

    def reload_in_background(self) -> None:
        """What SIGHUP does: reload in a thread, so requests keep being answered meanwhile."""

        def run() -> None:
            print(self.reload(), file=sys.stderr, flush=True)

        threading.Thread(target=run, name="reload", daemon=True).start()
