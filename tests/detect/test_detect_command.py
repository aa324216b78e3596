"""`shadowfleet detect`: help names every stored event kind; the run ends with counts per kind."""

import collections
import re

from typer.testing import CliRunner

from shadowfleet.cli import app
from shadowfleet.lake.events import read_events
from shadowfleet.lake.writer import LakeWriter
from shadowfleet.model.schemas import STATIC_SCHEMA

from .test_incremental import _chunk, _day_tracks


def test_help_names_every_event_kind():
    result = CliRunner().invoke(app, ["detect", "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert result.exit_code == 0
    text = re.sub(r"\s+", " ", result.output).lower()
    for words in (
        "ais gaps",
        "encounters",
        "loitering",
        "port calls",
        "dark port calls",
        "spoofing",
        "identity changes",
        "draught changes",
    ):
        assert words in text, words


def test_detect_prints_event_counts_per_kind(tmp_path):
    day1, day2 = _day_tracks()
    with LakeWriter(tmp_path) as w:
        w.write_chunk(_chunk("a" * 40, day1.num_rows), day1, STATIC_SCHEMA.empty_table())
        w.write_chunk(_chunk("b" * 40, day2.num_rows), day2, STATIC_SCHEMA.empty_table())
    runner = CliRunner()
    first = runner.invoke(app, ["detect", "--lake", str(tmp_path), "--full"])
    assert first.exit_code == 0, first.output
    last = first.output.strip().splitlines()[-1]
    assert last.startswith("events by kind: ")
    printed = {
        k: int(n) for k, n in (part.split(" ") for part in last.removeprefix("events by kind: ").split(", "))
    }
    stored = collections.Counter(read_events(tmp_path).column("kind").to_pylist())
    assert printed == dict(stored)
    assert printed["ais_gap"] == 1  # the silence across midnight
    again = runner.invoke(app, ["detect", "--lake", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert again.output.strip().splitlines()[-2:] == [
        f"nothing new: {sum(stored.values())} events unchanged",
        last,
    ]
