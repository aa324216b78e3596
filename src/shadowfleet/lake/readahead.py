"""Run an iterator in a background thread, a bounded number of items ahead of its consumer.

Reading and hashing the next chunk of an input (file reads, sha256 and numpy scans release the GIL)
then overlaps the decoding of the current one. An exception in the producer is raised in the consumer
at the point where the item would have come; a consumer that stops early stops the producer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(items: Iterator[T], depth: int = 1, name: str = "read-ahead") -> Iterator[T]:
    """Yield `items`, produced by a thread that keeps at most `depth` of them waiting."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failed(exc))

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
