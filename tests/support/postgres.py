"""A throwaway PostgreSQL server for the test session (initdb in a temporary directory, on a RAM
disk when there is one with room: creating a database there takes a tenth of the time it takes
on a busy disk, and nothing is flushed to a disk that is thrown away after the session)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

RAM_DISK = Path("/dev/shm")
RAM_DISK_FREE = 2 * 1024**3  # the cluster, and each test's database until its test drops it


@dataclass
class ThrowawayPostgres:
    directory: Path
    port: int
    bin_dir: Path
    run_as: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str, check: bool = True) -> None:
        """pg_ctl on this server's data directory, with the port, socket directory and log it
        was started with (`start` and a test that stops and starts its own server)."""
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *self.run_as,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-o",
                options,
                "-l",
                str(self.directory / "server.log"),
                *args,
            ],
            check=check,
            capture_output=True,
        )

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def find_bin_dir() -> Path | None:
    """Debian keeps the server binaries out of PATH, in /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().parent.joinpath("initdb").exists():
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _scratch_parent() -> str | None:
    """The RAM disk if it has room (a container's is often 64 MB), else the temporary
    directory."""
    try:
        if RAM_DISK.is_dir() and shutil.disk_usage(RAM_DISK).free >= RAM_DISK_FREE:
            return str(RAM_DISK)
    except OSError:
        pass
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start() -> ThrowawayPostgres | None:
    """Start a server on a free loopback port; None when PostgreSQL is not installed."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    directory = Path(tempfile.mkdtemp(prefix="advisorybot-pg-", dir=_scratch_parent()))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(directory, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = directory / "data"
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    server = ThrowawayPostgres(directory, port, bin_dir, run_as)
    server.pg_ctl("-w", "start")
    return server
