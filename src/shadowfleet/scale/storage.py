"""The lake as Spark sees it: a local folder, or any URL Spark's Hadoop file systems read.

A plain path is handled by the lake's own code (`Manifest`, `write_events`). A URL (`s3a://`, `gs://`,
`abfss://`, `hdfs://`, `file://`) goes through Spark's Hadoop `FileSystem`: the manifest is copied to a
temporary folder and read with `Manifest`, and the event set is written by `write_events` into a local
temporary lake, then copied up and swapped in place of `LAKE/events/` (a rename; on object stores that
is a copy, so readers may briefly see no events — see docs/scale.md).
"""

import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from shadowfleet.lake import layout
from shadowfleet.lake.events import write_events, write_voyages
from shadowfleet.lake.manifest import MANIFEST_DIR, MANIFEST_FILE, Manifest

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class LakeLocationError(ValueError):
    """The lake path or URL does not hold a readable lake."""


@dataclass(frozen=True)
class LakeLocation:
    url: str  # as given, without a trailing slash
    local: Path | None  # set for plain paths

    def child(self, rel: str) -> str:
        return f"{self.url}/{rel}"


def locate(lake: str) -> LakeLocation:
    text = str(lake).rstrip("/") or "/"
    if _URL.match(text):
        return LakeLocation(text, None)
    return LakeLocation(str(Path(text).resolve()), Path(text).resolve())


class _HadoopFs:
    def __init__(self, spark: Any, url: str) -> None:
        self.jvm = spark._jvm
        self.conf = spark._jsc.hadoopConfiguration()
        self.fs = self.path(url).getFileSystem(self.conf)

    def path(self, url: str) -> Any:
        return self.jvm.org.apache.hadoop.fs.Path(url)

    def exists(self, url: str) -> bool:
        return bool(self.fs.exists(self.path(url)))

    def get(self, url: str, local: Path) -> None:
        self.fs.copyToLocalFile(False, self.path(url), self.path(local.resolve().as_uri()), True)

    def put_dir(self, local: Path, url: str) -> None:
        self.fs.copyFromLocalFile(False, True, self.path(local.resolve().as_uri()), self.path(url))

    def replace(self, tmp_url: str, url: str) -> None:
        if self.exists(url):
            self.fs.delete(self.path(url), True)
        if not self.fs.rename(self.path(tmp_url), self.path(url)):
            raise OSError(f"could not rename {tmp_url} to {url}")


@contextmanager
def _manifest(spark: Any, loc: LakeLocation) -> Iterator[Manifest]:
    if loc.local is not None:
        if not loc.local.is_dir():
            raise LakeLocationError(f"lake folder not found: {loc.local}")
        try:
            m = Manifest(loc.local)
        except FileNotFoundError as exc:
            raise LakeLocationError(str(exc)) from exc
        try:
            yield m
        finally:
            m.close()
        return
    fs = _HadoopFs(spark, loc.url)
    remote = loc.child(f"{MANIFEST_DIR}/{MANIFEST_FILE}")
    if not fs.exists(remote):
        raise LakeLocationError(f"not a shadowfleet lake (no {MANIFEST_DIR}/{MANIFEST_FILE}): {loc.url}")
    with tempfile.TemporaryDirectory(prefix="shadowfleet-manifest-") as tmp:
        folder = Path(tmp) / MANIFEST_DIR
        folder.mkdir()
        fs.get(remote, folder / MANIFEST_FILE)
        if fs.exists(remote + "-wal"):  # commits not yet checkpointed into the main file
            fs.get(remote + "-wal", folder / (MANIFEST_FILE + "-wal"))
        m = Manifest(Path(tmp))
        try:
            yield m
        finally:
            m.close()


def visible_files(spark: Any, loc: LakeLocation, dataset: str) -> list[str]:
    """URLs of the files the manifest lists for `dataset` (only those are part of the lake)."""
    with _manifest(spark, loc) as m:
        return [loc.child(e.path) for e in m.files(dataset)]


def store(spark: Any, loc: LakeLocation, events: pa.Table, voyages: pa.Table) -> None:
    """Replace the lake's event set (and voyages, when there are any) in the local engine's layout."""
    has_voyages = voyages.num_rows > 0 and "voyage_id" in voyages.column_names
    if loc.local is not None:
        write_events(loc.local, events)
        if has_voyages:
            write_voyages(loc.local, voyages)
        return
    fs = _HadoopFs(spark, loc.url)
    with tempfile.TemporaryDirectory(prefix="shadowfleet-events-") as tmp:
        work = Path(tmp)
        write_events(work, events)
        sets = [layout.EVENTS]
        if has_voyages:
            write_voyages(work, voyages)
            sets.append(layout.VOYAGES)
        for name in sets:
            plain = work / f"plain-{name}"
            shutil.copytree((work / name).resolve(), plain)
            tmp_url = loc.child(f".tmp-{name}-{uuid.uuid4().hex}")
            fs.put_dir(plain, tmp_url)
            fs.replace(tmp_url, loc.child(name))
