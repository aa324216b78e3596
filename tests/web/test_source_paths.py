"""Lake rows never publish the server's directories: a `source` is shown by its file's base name."""

import pyarrow as pa

from shadowfleet.web.data import public_source, rows


def test_rows_publish_only_the_base_name_of_a_source_file() -> None:
    table = pa.table(
        {
            "source": ["/tmp/qa/sim3/ais.nmea", "C:\\data\\feed.csv", "web-fixture", "/srv/lake/"],
            "name": ["/not/a/source", None, None, None],
        }
    )
    out = rows(table)
    assert [r["source"] for r in out] == ["ais.nmea", "feed.csv", "web-fixture", "lake"]
    assert out[0]["name"] == "/not/a/source"  # only the source column is reduced
    assert public_source("ais.nmea") == "ais.nmea"
