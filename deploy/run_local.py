"""``make run``: migrate the three services' databases and run each as its own uvicorn process.

Run from the repository root as ``python -m deploy.run_local``.

Ports default to 8001-8003 (REGISTRY_PORT, ELIGIBILITY_PORT, SUBSIDY_PORT override them); each
service uses its embedded SQLite database under var/ unless its DATABASE_URL is set. Ctrl-C
(or SIGTERM) stops all three.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from alembic import command

from services.registry.config import RegistrySettings
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.migrate import alembic_config

REPO = Path(__file__).resolve().parent.parent
SERVICES = {"registry": 8001, "eligibility": 8002, "subsidy": 8003}


def _port(service: str) -> int:
    return int(os.environ.get(f"{service.upper()}_PORT", SERVICES[service]))


def _wait_ready(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def main() -> int:
    # A shell starting us in the background may have set SIGINT to ignored; Ctrl-C must stop us.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    (REPO / "var").mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("ELIGIBILITY_REGISTRY_URL", f"http://127.0.0.1:{_port('registry')}")
    env.setdefault("SUBSIDY_REGISTRY_URL", f"http://127.0.0.1:{_port('registry')}")
    env.setdefault("REGISTRY_ELIGIBILITY_URL", f"http://127.0.0.1:{_port('eligibility')}")
    # The registry pushes its events (recognition, levels, assessments, revocation) here.
    env.setdefault(
        "REGISTRY_EVENT_SUBSCRIBERS",
        json.dumps({"subsidy": f"http://127.0.0.1:{_port('subsidy')}"}),
    )
    os.environ.update(env)  # the migrations read each service's settings from it
    for service in SERVICES:
        print(f"migrating {service}", flush=True)
        command.upgrade(alembic_config(service), "head")

    processes: dict[str, subprocess.Popen[bytes]] = {}
    for service in SERVICES:
        processes[service] = subprocess.Popen(  # noqa: S603 - our interpreter, our args
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"services.{service}.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(_port(service)),
                "--no-access-log",
            ],
            cwd=REPO,
            env=env,
        )

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def on_sigterm(*_: object) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        deadline = time.monotonic() + 30
        for service in SERVICES:
            if not _wait_ready(f"http://127.0.0.1:{_port(service)}/readyz", deadline):
                print(f"{service} did not become ready; see its log above", file=sys.stderr)
                stop()
                return 1
        token = issue_token(
            RegistrySettings(), role=Role.CITY_ADMIN, subject="dev-admin", name="市科技局 (dev)"
        )
        print("\nAll three services are up (Ctrl-C stops them):", flush=True)
        for service in SERVICES:
            print(f"  {service:<12} http://127.0.0.1:{_port(service)}/docs", flush=True)
        print(
            "\nAdmin token (paste into Swagger UI's Authorize; valid 8 hours):\n"
            f"  {token}\n\nOther roles: make token ROLE=district_officer JURISDICTION=620102\n",
            flush=True,
        )
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        dead = [name for name, process in processes.items() if process.poll() is not None]
        print(f"{', '.join(dead)} stopped; stopping the others", file=sys.stderr)
        stop()
        return 1
    except KeyboardInterrupt:
        stop()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
