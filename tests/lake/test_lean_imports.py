"""The ingest command's start-up stays lean: decoding NMEA into the lake never imports pandas
(pyarrow would import it on the first numpy conversion; that alone is a tenth of a second per run)."""

import subprocess
import sys
from pathlib import Path

from shadowfleet.ais.encode import traffic_mix


def test_nmea_ingest_does_not_import_pandas(tmp_path: Path, cli_env: dict[str, str]) -> None:
    log = tmp_path / "mix.nmea"
    log.write_bytes(b"\n".join(traffic_mix(20_000, seed=3)) + b"\n")
    script = (
        "import sys\n"
        "from shadowfleet.cli import main\n"
        f"sys.argv = ['shadowfleet', 'ingest', {str(log)!r}, '--lake', {str(tmp_path / 'lake')!r},"
        " '--no-progress', '--json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('pandas' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=cli_env, capture_output=True, text=True, check=True
    )
    assert '"positions": ' in done.stdout  # it really ingested
    assert done.stderr.strip().splitlines()[-1] == "False"
