"""A service under a real uvicorn process on a free localhost port, for the HTTP benchmarks."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SERVER_START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def uvicorn(factory: str, env: dict[str, str]) -> Iterator[int]:
    """``factory`` (``module:function``) under uvicorn until ready; its port; stopped after."""
    port = free_port()
    with tempfile.TemporaryFile(mode="w+b") as log:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--log-level", "warning"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            ready = False
            while time.monotonic() < deadline and process.poll() is None and not ready:
                with contextlib.suppress(httpx.TransportError):
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).is_success
                time.sleep(0.2)
            if not ready:
                log.seek(0)
                tail = log.read().decode(errors="replace")[-4000:]
                raise SystemExit(f"{factory} did not become ready:\n{tail}")
            yield port
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
