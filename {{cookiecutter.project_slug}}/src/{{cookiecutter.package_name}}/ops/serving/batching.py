"""Micro-batching (`serve --batch-ms N`): the rows of requests that arrive together, scored in one call.

A scikit-learn pipeline costs about the same for eight rows as for one, so under concurrent load
most of a request's time is the call itself. With batching on, each request's validated rows
wait up to N ms for others; one thread scores all that came (per version), then hands each
request its own rows' answers. Alone, a request waits at most N ms more. Each row's prediction
does not depend on the other rows of the call; a probability may differ from a lone call's in
the last bit (matrix products round by shape), which is why it is off by default. If a combined
call fails, each request is scored alone, so one bad request costs only its own answer.
"""

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

import pandas as pd

from .predict import predictions

MAX_BATCH_ROWS = 1_000  # a batch takes no more requests once it holds this many rows


@dataclass
class Pending:
    bundle: object  # the Bundle of the version that answers these rows
    rows: pd.DataFrame
    answer: Future[pd.DataFrame] = field(default_factory=Future)


class Batcher:
    """One scoring thread; `score()` hands it rows and waits for their predictions."""

    def __init__(self, wait_ms: float) -> None:
        self.wait_s = wait_ms / 1000
        self.pending: queue.SimpleQueue[Pending] = queue.SimpleQueue()
        threading.Thread(target=self.run, name="batcher", daemon=True).start()

    def score(self, bundle: object, rows: pd.DataFrame) -> pd.DataFrame:
        """predictions(bundle, rows), scored with whatever other rows come within the wait."""
        item = Pending(bundle, rows)
        self.pending.put(item)
        return item.answer.result()

    def run(self) -> None:
        while True:
            batch = [self.pending.get()]
            size, deadline = len(batch[0].rows), time.monotonic() + self.wait_s
            while size < MAX_BATCH_ROWS and (left := deadline - time.monotonic()) > 0:
                try:
                    batch.append(self.pending.get(timeout=left))
                except queue.Empty:
                    break
                size += len(batch[-1].rows)
            for bundle in {id(item.bundle): item.bundle for item in batch}.values():
                answer_all([item for item in batch if item.bundle is bundle])


def answer_all(items: list[Pending]) -> None:
    """Score the items' rows in one call and split the answers; alone each, if that call fails."""
    try:
        scored = predictions(items[0].bundle, pd.concat([item.rows for item in items], ignore_index=True))
    except Exception:  # find whose rows failed: each item gets its own answer or error
        for item in items:
            try:
                item.answer.set_result(predictions(item.bundle, item.rows))
            except Exception as err:
                item.answer.set_exception(err)
        return
    start = 0
    for item in items:
        end = start + len(item.rows)
        item.answer.set_result(scored.iloc[start:end].set_index(item.rows.index))
        start = end
