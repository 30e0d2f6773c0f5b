"""Local processes a capability needs while the author works (``make serve``), and their
supervision: start them, watch them, stop every one of them however the stop is asked.

A capability that needs one (the comment server, the signup endpoint) offers a factory
returning a :class:`Service`; :mod:`condividi.devserver` runs them. Capabilities import this
module, never the dev server, so the dev server can import them without a cycle.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Service:
    """A local process ``make serve`` runs: a name, its command line and its environment."""

    name: str
    command: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""


# Each capability that needs a local process during development offers one of these.
ServiceFactory = Callable[[Path], "Service | None"]


class LocalWork(Protocol):
    """Work the supervising process does itself next to its services (the dev site)."""

    def poll(self) -> int | None:
        """Return None while the work runs, or the exit code it ended with."""

    def stop(self) -> None:
        """Stop the work (bounded in time)."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_services(
    services: Sequence[Service],
    cwd: Path,
    local: LocalWork | None = None,
) -> int:
    """Run ``services`` until Ctrl-C, SIGTERM or until one exits; stop them all; return a code.

    ``local``, when given, is work this process runs itself (already started): polled with
    the services, stopped with them.
    """
    processes: list[tuple[Service, subprocess.Popen[bytes]]] = []
    # A SIGTERM (from a supervisor or `kill`) stops the children as cleanly as Ctrl-C does.
    stop_on_signals()
    stopped = False
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
            if local is not None and (code := local.poll()) is not None:
                return code
            time.sleep(0.5)
    except KeyboardInterrupt:
        stopped = True
        print("\ncondividi: stopping", flush=True)
        return 0
    finally:
        # A second Ctrl-C or SIGTERM (a supervisor that insists, make passing one on) must not
        # cut the stopping short and leave a service running; each stop is bounded anyway.
        previous = {sig: signal.signal(sig, _ignore_stop) for sig in STOP_SIGNALS}
        try:
            if local is not None:
                local.stop()
            for _, process in processes:
                stop_process(process)
        finally:
            # After a stop signal the process is ending and starts nothing more: later signals
            # are ignored outright (Python puts its own handlers back to the default while it
            # exits, so a signal then would kill it rather than be dropped).
            if stopped:
                ignore_stop_signals()
            else:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)


def stop_on_signals() -> None:
    """Make the first Ctrl-C or SIGTERM raise ``KeyboardInterrupt``, and ignore any that
    follow it (a second Ctrl-C, or a SIGTERM to the whole process group after one)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop_requested)


def ignore_stop_signals() -> None:
    """Ignore Ctrl-C and SIGTERM from now on: for a process that is ending and will start no
    other program (an ignored signal stays ignored in programs started afterwards)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def _stop_requested(signum: int, frame: object) -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, _ignore_stop)
    raise KeyboardInterrupt


def _ignore_stop(signum: int, frame: object) -> None:
    # A handler that does nothing, not SIG_IGN: an ignored signal stays ignored in every
    # program started afterwards, so a child begun during the stop (Pagefind's indexer, at
    # the end of a build) would shrug off the SIGTERM meant to end it, and the stop would
    # wait for it for ever. A caught signal is reset to its default in a new program.
    pass


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process and its own children (it leads its own session)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
