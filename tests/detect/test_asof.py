import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shadowfleet.detect._arrays import _asof_merge, asof_index

_rows = st.lists(st.tuples(st.integers(1, 4), st.integers(0, 50)), max_size=30)


@settings(max_examples=200)
@given(_rows, _rows)
def test_binary_search_agrees_with_the_merge(
    data: list[tuple[int, int]], queries: list[tuple[int, int]]
) -> None:
    data = sorted(data)
    dm = np.array([d[0] for d in data], dtype=np.int64)
    dt = np.array([d[1] for d in data], dtype=np.int64)
    qm = np.array([q[0] for q in queries], dtype=np.int64)
    qt = np.array([q[1] for q in queries], dtype=np.int64)
    for direction in ("backward", "forward"):
        fast = asof_index(dm, dt, qm, qt, direction)
        slow = _asof_merge(dm, dt, qm, qt, direction) if len(dm) and len(qm) else fast
        # Ties in ts may pick different rows of equal (mmsi, ts); compare what they point at.
        assert np.array_equal(fast >= 0, slow >= 0)
        hit = fast >= 0
        assert np.array_equal(dm[fast[hit]], qm[hit]) and np.array_equal(dt[fast[hit]], dt[slow[hit]])
        if direction == "backward":
            assert np.all(dt[fast[hit]] <= qt[hit])
        else:
            assert np.all(dt[fast[hit]] >= qt[hit])


def test_examples() -> None:
    dm, dt = np.array([1, 1, 1, 2, 2]), np.array([10, 20, 30, 5, 50])
    qm, qt = np.array([1, 1, 1, 2, 2, 3, 1]), np.array([5, 20, 25, 4, 60, 1, 31])
    assert asof_index(dm, dt, qm, qt).tolist() == [-1, 1, 1, -1, 4, -1, 2]
    assert asof_index(dm, dt, qm, qt, "forward").tolist() == [0, 1, 2, 3, -1, -1, -1]
