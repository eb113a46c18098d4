"""A Streamlit server for the browser and crowd benchmarks, started and stopped by its handle."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import ROOT

# A minimal app with the same controls' shape: the floor any Streamlit page pays per rerun.
TINY_APP = """
import streamlit as st
if "n" not in st.session_state:
    st.session_state.n = 0
def step():
    st.session_state.n += 1
st.button("Step", on_click=step, key="step")
st.metric("Epoch", f"{st.session_state.n:,}")
"""


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 600) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    script: Path | None = None, timeout: float = 90.0, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Serve ``script`` (default: the dashboard's app.py) on a free port until the block ends;
    ``env``: environment variables added to this process's."""
    port = free_port()
    script = script or ROOT / "app.py"
    log = Path(tempfile.mkstemp(prefix="linreg-bench-server-", suffix=".log")[1])
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]  # everything else from the project's .streamlit/config.toml (cwd), as shipped
    with open(log, "wb") as out:
        process = subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /_stcore/health")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(OSError):
            os.unlink(log)


@contextlib.contextmanager
def tiny_app() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="linreg-bench-tiny-") as folder:
        path = Path(folder) / "tiny_app.py"
        path.write_text(TINY_APP)
        yield path
