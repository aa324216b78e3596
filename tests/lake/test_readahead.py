"""read_ahead: same items in the same order, errors surface in the consumer, early stop ends the thread."""

import threading
from collections.abc import Iterator

import pytest

from shadowfleet.lake.readahead import read_ahead


def test_items_in_order() -> None:
    assert list(read_ahead(iter(range(1000)), depth=3)) == list(range(1000))


def test_empty() -> None:
    assert list(read_ahead(iter([]))) == []


def test_producer_error_reaches_consumer_after_good_items() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for x in read_ahead(items()):
            got.append(x)
    assert got == [1, 2]


def test_consumer_stopping_early_stops_producer() -> None:
    produced = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            produced.append(i)
            yield i

    before = threading.active_count()
    for x in read_ahead(items(), depth=2):
        if x == 5:
            break
    assert threading.active_count() == before
    assert len(produced) < 20  # bounded look-ahead, not the whole input
