"""Block cutting gives the same chunks (hence the same idempotency keys) as cutting into line lists."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from shadowfleet.ais.inputs import iter_line_chunks
from shadowfleet.lake.line_blocks import iter_line_blocks, line_ends

lines = st.lists(
    st.binary(max_size=12)
    .map(lambda b: b.replace(b"\n", b""))
    .flatmap(lambda body: st.sampled_from([body + b"\n", body + b"\r\n", body + b"\r"])),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    lines=lines,
    tail=st.binary(max_size=5).map(lambda b: b.replace(b"\n", b"")),
    max_lines=st.integers(1, 9),
    read_bytes=st.integers(1, 40),
)
def test_blocks_equal_line_chunks(lines, tail, max_lines, read_bytes):
    data = b"".join(lines) + tail
    expected = [(b"".join(chunk), len(chunk)) for chunk in iter_line_chunks(io.BytesIO(data), max_lines)]
    got = list(iter_line_blocks(io.BytesIO(data), max_lines, read_bytes=read_bytes))
    assert got == expected
    assert b"".join(block for block, _ in got) == data


def test_line_ends_count_a_last_line_without_newline():
    assert line_ends(b"a\nbc\r\nd").tolist() == [2, 6, 7]
    assert line_ends(b"a\n").tolist() == [2]
    assert line_ends(b"").tolist() == []


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=400),
    max_lines=st.integers(1, 50),
    read_bytes=st.integers(1, 30),
    max_bytes=st.integers(1, 60),
)
def test_blocks_stay_bounded_without_newlines(data, max_lines, read_bytes, max_bytes):
    got = list(iter_line_blocks(io.BytesIO(data), max_lines, read_bytes=read_bytes, max_bytes=max_bytes))
    assert b"".join(block for block, _ in got) == data
    for block, n_lines in got:
        assert 0 < len(block) <= max_bytes + read_bytes
        assert n_lines == len(line_ends(block)) <= max_lines


def test_a_huge_line_is_cut():
    data = b"x" * 1000 + b"\n" + b"y" * 10
    got = list(iter_line_blocks(io.BytesIO(data), 10, read_bytes=64, max_bytes=256))
    assert b"".join(block for block, _ in got) == data
    assert max(len(block) for block, _ in got) <= 256 + 64
