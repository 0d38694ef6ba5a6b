"""Turns at the embedding model: one caller at a time, and a question ahead of bulk work.

The model (its tokenizer above all) must not run in two threads at once, so every call takes a
turn. Bulk work (an upload's passages, a long list of clauses) takes one turn per small batch,
never one for the whole document: a question that arrives meanwhile waits for the batch in
progress, then goes before the next one. A plain lock would not do that: the thread that just
released it usually takes it again before a waiting thread wakes, so a question could still
wait for the whole upload (red-team U19).

So that an upload still moves while questions keep coming, a waiting batch gets a turn after
QUESTIONS_PER_BATCH questions in a row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

QUESTIONS_PER_BATCH = 4


class ModelGate:
    def __init__(self, questions_per_batch: int = QUESTIONS_PER_BATCH):
        self._cond = threading.Condition()
        self._busy = False
        self._questions_waiting = 0
        self._batches_waiting = 0
        self._questions_in_a_row = 0
        self.questions_per_batch = questions_per_batch

    def _batch_is_due(self) -> bool:
        return self._batches_waiting > 0 and self._questions_in_a_row >= self.questions_per_batch

    def _question_may_go(self) -> bool:
        return not self._busy and not self._batch_is_due()

    def _batch_may_go(self) -> bool:
        return not self._busy and (self._questions_waiting == 0 or self._batch_is_due())

    @contextmanager
    def turn(self, bulk: bool = False) -> Iterator[None]:
        """Hold the model for one call (a question) or one batch of bulk work."""
        with self._cond:
            if bulk:
                self._batches_waiting += 1
            else:
                self._questions_waiting += 1
            try:
                self._cond.wait_for(self._batch_may_go if bulk else self._question_may_go)
            finally:
                if bulk:
                    self._batches_waiting -= 1
                else:
                    self._questions_waiting -= 1
            self._busy = True
            self._questions_in_a_row = 0 if bulk else self._questions_in_a_row + 1
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
