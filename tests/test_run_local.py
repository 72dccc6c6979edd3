"""Smoke test of ``make run``: deploy/run_local.py migrates, serves all three, stops on ^C."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "eligibility", "subsidy")
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20


def free_ports(count: int) -> list[int]:
    """Distinct ports the OS says are free (all held open together, so none repeats)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class AssetRefs(HTMLParser):
    """The scripts and stylesheets an HTML page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.refs.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.refs.append(values["href"] or "")


def wait_for(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes], logs: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(
                f"run_local.py exited ({process.returncode}) before {what}:\n{read_logs(logs)}"
            )
        time.sleep(0.2)
    raise AssertionError(f"timed out after {START_TIMEOUT_SECONDS}s waiting for {what}")


def read_logs(directory: Path) -> str:
    parts = []
    for name in ("stdout.txt", "stderr.txt"):
        path = directory / name
        text = path.read_text(errors="replace") if path.exists() else ""
        parts.append(f"--- {name} ---\n{text[-4000:]}")
    return "\n".join(parts)


def test_make_run_serves_all_three_services_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    env = dict(os.environ)
    for service in SERVICES:
        env[f"{service.upper()}_PORT"] = str(ports[service])
        env[f"{service.upper()}_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / service}.db"
    # Let the script point the clients at this run's registry, not at an inherited address.
    env.pop("ELIGIBILITY_REGISTRY_URL", None)
    env.pop("SUBSIDY_REGISTRY_URL", None)

    stdout_path, stderr_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.run_local"],
            cwd=REPO,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        with httpx.Client(timeout=5) as http:

            def ready(service: str) -> Callable[[], bool]:
                def check() -> bool:
                    try:
                        response = http.get(f"http://127.0.0.1:{ports[service]}/readyz")
                    except httpx.TransportError:
                        return False
                    return response.status_code == 200

                return check

            for service in SERVICES:
                wait_for(ready(service), f"{service} /readyz", process, tmp_path)

            for service in SERVICES:
                base = f"http://127.0.0.1:{ports[service]}"

                health = http.get(f"{base}/healthz")
                assert health.status_code == 200
                assert health.json() == {"status": "ok", "service": service}

                readiness = http.get(f"{base}/readyz")
                assert readiness.status_code == 200
                assert readiness.json()["migrations"] == "at head"
                assert readiness.json()["database"] == "ok"

                contract = http.get(f"{base}/openapi.json")
                assert contract.status_code == 200
                assert contract.json()["openapi"].startswith("3.")

                docs = http.get(f"{base}/docs")
                assert docs.status_code == 200
                assert "swagger" in docs.text.lower()
                parser = AssetRefs()
                parser.feed(docs.text)
                assert parser.refs, f"{service} /docs loads no scripts or styles"
                absolute = [ref for ref in parser.refs if re.match(r"(https?:)?//", ref)]
                assert absolute == [], f"{service} /docs loads assets from the internet"
                assert not re.search(r"https?://", docs.text), "an absolute URL in /docs"
                assets = [ref for ref in parser.refs if ref.startswith("/docs-static/")]
                assert any(ref.endswith(".js") for ref in assets), parser.refs
                assert any(ref.endswith(".css") for ref in assets), parser.refs
                for ref in assets:
                    asset = http.get(f"{base}{ref}")
                    assert asset.status_code == 200, f"{service} {ref}: {asset.status_code}"
                    assert asset.content, f"{service} {ref} is empty"

            # The banner is printed once the script itself has seen all three ready.
            wait_for(
                lambda: "Admin token" in stdout_path.read_text(errors="replace"),
                "the admin token banner",
                process,
                tmp_path,
            )
            output = stdout_path.read_text(errors="replace")
            for service in SERVICES:
                assert f"http://127.0.0.1:{ports[service]}/docs" in output
            match = re.search(
                r"Admin token[^\n]*\n\s*([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)", output
            )
            assert match, f"no admin token in the output:\n{output}"
            token = match.group(1)

            spaces = http.get(
                f"http://127.0.0.1:{ports['registry']}/v1/spaces",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert spaces.status_code == 200, spaces.text
            assert spaces.json()["items"] == []
            refused = http.get(f"http://127.0.0.1:{ports['registry']}/v1/spaces")
            assert refused.status_code == 401  # the 200 above is the token's doing

        for service in SERVICES:
            assert (tmp_path / f"{service}.db").is_file(), f"{service} did not use its URL"

        process.send_signal(signal.SIGINT)
        try:
            returncode = process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"run_local.py still running {STOP_TIMEOUT_SECONDS}s after SIGINT"
            ) from None
        assert returncode == 0, read_logs(tmp_path)
        still_listening = [s for s in SERVICES if accepts_connections(ports[s])]
        assert still_listening == [], f"still serving after ^C: {still_listening}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        else:
            # The script may have exited and left a child behind; end the whole group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
