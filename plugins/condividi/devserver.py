"""``make serve``: the site with a rebuild on every change, plus the local services it uses.

Starts Pelican's autoreloading server and each local service (the comment server, the signup
endpoint) as child processes, and stops them all on Ctrl-C or when one of them exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from condividi.comments.isso import dev_service as comments_service
from condividi.newsletter.commands import signup_service


@dataclass(frozen=True)
class Service:
    """A local process ``make serve`` runs: a name, its command line and its environment."""

    name: str
    command: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site_service(project: Path, port: int, settings_file: str = "pelicanconf.py") -> Service:
    """Return the Pelican server that rebuilds the site on every change and serves it."""
    return Service(
        name="site",
        command=[
            sys.executable,
            "-m",
            "pelican",
            str(project / "content"),
            "-s",
            str(project / settings_file),
            "-o",
            str(project / "output"),
            "--autoreload",
            "--listen",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={"PORT": str(port)},
        url=f"http://127.0.0.1:{port}/",
    )


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

# Each capability that needs a local process during development adds a factory here.
ServiceFactory = Callable[[Path], "Service | None"]
SERVICE_FACTORIES: list[ServiceFactory] = [comments_service, signup_service]


def run_services(services: Sequence[Service], cwd: Path) -> int:
    """Run ``services`` until Ctrl-C or until one exits; stop the others; return an exit code."""
    processes: list[tuple[Service, subprocess.Popen[bytes]]] = []
    # A SIGTERM (from a supervisor or `kill`) stops the children as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        for service in services:
            env = {**os.environ, **service.env}
            process = subprocess.Popen(service.command, cwd=cwd, env=env, start_new_session=True)
            processes.append((service, process))
            where = f" on {service.url}" if service.url else ""
            print(f"condividi: started {service.name}{where}", flush=True)
        while True:
            for service, process in processes:
                code = process.poll()
                if code is not None:
                    print(f"condividi: {service.name} exited with status {code}", flush=True)
                    return code or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\ncondividi: stopping", flush=True)
        return 0
    finally:
        # A second Ctrl-C or SIGTERM (a supervisor that insists, make passing one on) must not
        # cut the stopping short and leave a service running; each stop is bounded anyway.
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
        try:
            for _, process in processes:
                _stop(process)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process and its own children (it leads its own session)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def serve(project: Path, port: int) -> int:
    """Run the development site on ``port`` with every local service; return an exit code."""
    # The services' settings (pelicanconf.py) derive SITEURL from PORT, as the site's do.
    os.environ["PORT"] = str(port)
    services = [site_service(project, port)]
    for factory in SERVICE_FACTORIES:
        service = factory(project)
        if service is not None:
            services.append(service)
    return run_services(services, cwd=project)
