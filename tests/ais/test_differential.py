"""The fast path and the general path against pyais, field by field: 1,000,000 generated sentences
(random bits, edge values, all talkers/channels/sequence ids, odd lengths with fill bits) and every
real corpus in the shared data."""

from pathlib import Path

import numpy as np
import pytest

from shadowfleet.ais.encode import armour, random_position_payloads, sentences
from shadowfleet.ais.fastpath import decode_fast
from tests.ais.differential import compare_with_pyais

TALKERS = (b"AI", b"AB", b"BS", b"SA", b"AN")


def generated_corpus(n: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    types = rng.choice([1, 2, 3, 18, 19, 27], size=n, p=[0.3, 0.1, 0.15, 0.2, 0.1, 0.15])
    lines: list[bytes] = []
    for t in (1, 2, 3, 18, 19, 27):
        m = int((types == t).sum())
        bits = random_position_payloads(t, m, rng).bits
        # a share with extra bits and fill bits (non-standard lengths take the general path)
        odd = rng.random(m) < 0.02
        chars, fill = armour(bits[~odd])
        with_seq = rng.random(len(chars)) < 0.1
        for sel, seq in ((with_seq, rng.integers(0, 10, len(chars))), (~with_seq, None)):
            lines += sentences(
                chars[sel],
                fill,
                talkers=TALKERS,
                channels=b"AB12",
                seq_ids=None if seq is None else seq[sel],
                rng=rng,
                own_ship_share=0.05,
            )
        if odd.any():
            extra = np.concatenate(
                [bits[odd], rng.integers(0, 2, (int(odd.sum()), 4), dtype=np.uint8)], axis=1
            )
            chars, fill = armour(extra)
            lines += sentences(chars, fill, talkers=TALKERS, rng=rng)
    order = rng.permutation(len(lines))
    return [lines[i] for i in order]


def test_generated_corpus_exercises_both_paths() -> None:
    lines = generated_corpus(20_000, seed=7)
    handled = decode_fast(lines).handled
    assert 0.85 < handled.mean() < 0.99  # odd lengths and off-Earth coordinates go to the general path


def test_one_million_generated_sentences_match_pyais() -> None:
    lines = generated_corpus(1_000_000, seed=20261122)
    assert len(lines) == 1_000_000
    result = compare_with_pyais(lines, chunk=200_000, payload_only=True)
    assert result.mismatches == dict.fromkeys(result.mismatches, 0), result.examples[:10]
    assert result.compared_rows > 900_000
    assert result.rejected_as_expected > 10_000  # edge values put coordinates off the Earth


CORPORA = [
    "gpsd-ais/test/sample.aivdm",
    "gpsd-ais/test/daemon/ais-raw-messages.log",
    "gpsd-ais/test/daemon/ais-nmea.log",
    "libais-testdata/test/data/typeexamples.nmea",
    "libais-testdata/test/data/tagblock.nmea",
    "libais-testdata/test/data/test.aivdm",
    "pyais-samples/tests/nmea_data_sample.txt",
    "pyais-samples/tests/messages.ais",
    "pyais-samples/tests/mixed.txt",
    "pyais-samples/tests/timestamped.ais",
    "pyais-samples/tests/ais_test_messages",
    "pyais-samples/examples/sample.ais",
    "pyais-samples/examples/gatehouse.nmea",
]


@pytest.mark.parametrize("corpus", CORPORA)
def test_real_corpus_single_line_positions_match_pyais(shared_data: Path, corpus: str) -> None:
    lines = [
        line.strip()
        for line in (shared_data / corpus).read_bytes().split(b"\n")
        if (b"VDM,1,1," in line or b"VDO,1,1," in line) and line.strip()[:1] in (b"!", b"\\")
    ]
    assert lines
    result = compare_with_pyais(lines)
    assert result.mismatches == dict.fromkeys(result.mismatches, 0), result.examples[:10]
    assert result.compared_rows > 0
