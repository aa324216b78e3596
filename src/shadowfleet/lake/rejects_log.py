"""`--rejects FILE`: every rejected input line with its reason, as CSV or JSON lines.

The format follows the file name: `*.jsonl` / `*.json` / `*.ndjson` give one JSON object per line
(`{"source": ..., "line_no": ..., "reason": ..., "line": ...}`); anything else gives CSV with the header
`source,line_no,reason,line` (RFC 4180 quoting). The file is rewritten by each run and holds the rejects
of the chunks decoded in that run (chunks skipped as already ingested are not decoded again).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO

import pyarrow as pa

JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
COLUMNS = ("source", "line_no", "reason", "line")


class RejectsLog:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.jsonl = self.path.suffix.lower() in JSONL_SUFFIXES
        self.rows = 0
        self._file: IO[str] = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = None if self.jsonl else csv.writer(self._file)
        if self._csv is not None:
            self._csv.writerow(COLUMNS)

    def write(self, rejects: pa.Table) -> None:
        cols = [rejects.column(name).to_pylist() for name in COLUMNS]
        rows = zip(*cols, strict=True)
        if self._csv is not None:
            self._csv.writerows(rows)
        else:
            self._file.writelines(
                json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False) + "\n" for row in rows
            )
        self.rows += rejects.num_rows

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RejectsLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
