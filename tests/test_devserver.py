"""``make serve``'s process supervision: every service stops, however the stop is asked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import process_alive

# A service that takes a while to stop, then the supervisor running it and a quick one.
SLOW_SERVICE = """
import os, signal, sys, time
from collections.abc import Callable
from pathlib import Path
signal.signal(signal.SIGTERM, lambda *_: (time.sleep(1.5), sys.exit(0)))
Path(sys.argv[1]).write_text(str(os.getpid()))
time.sleep(120)
"""
SUPERVISOR = """
import sys
from collections.abc import Callable
from pathlib import Path
from condividi.devserver import Service, run_services
folder = Path(sys.argv[1])
services = [
    Service("slow", [sys.executable, "-c", sys.argv[2], str(folder / "slow.pid")]),
    Service("quick", [sys.executable, "-c",
        "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(120)",
        str(folder / "quick.pid")]),
]
sys.exit(run_services(services, cwd=folder))
"""


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_second_sigterm_while_stopping_still_stops_every_service(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path), SLOW_SERVICE],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    pids = [tmp_path / "slow.pid", tmp_path / "quick.pid"]
    try:
        assert _wait_for(lambda: all(p.is_file() and p.read_text() for p in pids))
        slow, quick = (int(p.read_text()) for p in pids)
        supervisor.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the supervisor is now waiting for the slow service to stop
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert _wait_for(lambda: not process_alive(slow) and not process_alive(quick), 10)
    finally:
        supervisor.kill()
        for path in pids:
            if path.is_file() and path.read_text():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(int(path.read_text()), signal.SIGKILL)
