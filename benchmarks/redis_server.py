"""A throwaway redis-server (Debian's package) on a free loopback port, stopped by its handle.

Used by the room tests (tests/conftest.py) and the room benchmark. Nothing is written to
disk (``--save "" --appendonly no``); ``make redis`` installs the server.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_path() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(timeout: float = 15.0, port: int | None = None) -> Iterator[str]:
    """Yield ``redis://127.0.0.1:PORT/0`` of a fresh server (on ``port``, else a free one);
    stop it when the block ends."""
    binary = redis_server_path()
    if binary is None:
        raise RuntimeError(
            "redis-server is missing: run `make redis` (or `apt-get install redis-server`)"
        )
    port = port or free_port()
    workdir = tempfile.mkdtemp(prefix="linreg-redis-")
    cmd = [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", workdir,
        "--logfile", "",
    ]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not _pong(port):
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace")[-800:]
                raise RuntimeError(f"redis-server exited with {process.returncode}: {output}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer PING within {timeout} s")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        shutil.rmtree(workdir, ignore_errors=True)
