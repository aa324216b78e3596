"""Starts a throwaway PostgreSQL server from Debian's binaries for the registry tests."""

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PORT_RANGE = range(18300, 18400)


class PostgresUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for cand in reversed(candidates):
        if os.access(Path(cand) / "initdb", os.X_OK):
            return Path(cand)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); install the Debian "
        "package `postgresql` (make system) or set SHADOWFLEET_TEST_PG_URL to a server you provide"
    )


def free_port() -> int:
    for port in PORT_RANGE:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise PostgresUnavailable(f"no free TCP port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


class PostgresServer:
    """initdb into a temp dir (as the `postgres` OS user when running as root), start, stop."""

    def __init__(self) -> None:
        self.bin = find_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="sf-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        if not self.as_root:
            cmd = args
        elif shutil.which("runuser"):
            cmd = ["runuser", "-u", "postgres", "--", *args]
        else:
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> str:
        self.sock.mkdir()
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
        init = self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()}")
        opts = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c autovacuum=off"
        ctl = self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                opts,
                "-l",
                str(self.root / "log"),
                "-w",
                "start",
            ]
        )
        if ctl.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {ctl.stderr.strip()} {log[-2000:]}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.1)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.data.exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)
