"""`shadowfleet ais decode` in a subprocess."""

import json
import subprocess

TYPE5 = [
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
    "!AIVDM,2,2,1,A,88888888880,2*25",
]


def test_decode_sentences_and_payloads(cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    out = subprocess.run(
        [*cli_cmd, "ais", "decode", *TYPE5], capture_output=True, text=True, env=cli_env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    msg = json.loads(out.stdout)
    assert msg["type"] == 5 and msg["shipname"] == "EVER DIADEM" and msg["line_no"] == 2
    out = subprocess.run(
        [*cli_cmd, "ais", "decode", "15RTgt0PAso;90TKcjM8h6g208CQ"],
        capture_output=True,
        text=True,
        env=cli_env,
        timeout=60,
    )
    assert json.loads(out.stdout)["mmsi"] == 371798000


def test_decode_reports_rejects_on_stderr(cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    lines = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B\nnot nmea\n"
    out = subprocess.run(
        [*cli_cmd, "ais", "decode"], input=lines, capture_output=True, text=True, env=cli_env, timeout=60
    )
    assert out.returncode == 1 and out.stdout == ""
    assert "line 1: bad_checksum" in out.stderr and "line 2: not_nmea" in out.stderr
