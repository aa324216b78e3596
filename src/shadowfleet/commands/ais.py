"""`shadowfleet ais decode [SENTENCE...]`: full decodes of AIS messages as JSON lines, for analysts."""

from __future__ import annotations

import json
import sys

import typer


def register(app: typer.Typer) -> None:
    ais_app = typer.Typer(help="Decode AIS messages.", no_args_is_help=True)
    app.add_typer(ais_app, name="ais")

    @ais_app.command("decode")
    def decode(
        sentences: list[str] = typer.Argument(
            None, help="NMEA lines or bare payloads; read from standard input when none are given."
        ),
    ) -> None:
        """Print one JSON object per decoded message (any type 1-27); rejects go to standard error.

        Multi-part messages are assembled from consecutive lines; tag blocks, trailers and Gatehouse
        stamps are understood as in ingest.
        """
        from shadowfleet.ais.decoder import NmeaDecoder
        from shadowfleet.ais.messages import DecodeError, decode_message

        if sentences and all(not s.lstrip().startswith(("!", "\\", "$")) for s in sentences):
            status = 0
            for payload in sentences:
                try:
                    typer.echo(json.dumps(decode_message(payload.strip())))
                except DecodeError as exc:
                    typer.echo(f"{payload}: {exc.reason}", err=True)
                    status = 1
            raise typer.Exit(status)
        lines = (
            [s.encode("latin-1") for s in sentences] if sentences else sys.stdin.buffer.read().splitlines()
        )
        decoder = NmeaDecoder("command line", keep_messages=True)
        results = [decoder.feed(lines, 1), decoder.flush()]
        for result in results:
            for message in result.messages or []:
                typer.echo(json.dumps(message))
        rejected = 0
        for result in results:
            for row in result.rejects.to_pylist():
                typer.echo(f"line {row['line_no']}: {row['reason']}: {row['line']}", err=True)
                rejected += 1
        raise typer.Exit(1 if rejected else 0)
