"""Batches read ahead: the next batch loads in threads (decoding releases the GIL) while this one is processed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .jobs import JobToken

Item = TypeVar("Item")
Loaded = TypeVar("Loaded")


def read_ahead(batches: Sequence[Sequence[Item]], load: Callable[[Item], Loaded], job: JobToken,
               workers: int) -> Iterator[tuple[Sequence[Item], list[Loaded]]]:
    """Each batch with what ``load`` made of its items, in order, the next batch loading meanwhile. The job's cancel
    is checked before each batch; whatever way the loop ends, the loads not started are dropped."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        def submit(batch: Sequence[Item]) -> list:
            return [pool.submit(load, item) for item in batch]

        pending = submit(batches[0]) if batches else []
        try:
            for n, batch in enumerate(batches):
                job.check()
                loaded = [future.result() for future in pending]
                pending = submit(batches[n + 1]) if n + 1 < len(batches) else []
                yield batch, loaded
        finally:
            for future in pending:
                future.cancel()
