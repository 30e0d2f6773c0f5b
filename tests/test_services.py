"""``make serve``'s services: process supervision (every service stops, however the stop is
asked), and the capabilities offering services without importing the dev server."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, process_alive, wait_for

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
from condividi.services import Service, run_services
folder = Path(sys.argv[1])
services = [
    Service("slow", [sys.executable, "-c", sys.argv[2], str(folder / "slow.pid")]),
    Service("quick", [sys.executable, "-c",
        "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(120)",
        str(folder / "quick.pid")]),
]
sys.exit(run_services(services, cwd=folder))
"""


def test_a_second_sigterm_while_stopping_still_stops_every_service(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path), SLOW_SERVICE],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    pids = [tmp_path / "slow.pid", tmp_path / "quick.pid"]
    try:
        assert wait_for(lambda: all(p.is_file() and p.read_text() for p in pids))
        slow, quick = (int(p.read_text()) for p in pids)
        supervisor.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the supervisor is now waiting for the slow service to stop
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert wait_for(lambda: not process_alive(slow) and not process_alive(quick), 10)
    finally:
        supervisor.kill()
        for path in pids:
            if path.is_file() and path.read_text():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(int(path.read_text()), signal.SIGKILL)


# A supervisor whose own work starts a program while it stops, as the dev site's build does
# when Pagefind indexes the pages it has just written, then ends that program with SIGTERM.
STARTS_A_PROGRAM_WHILE_STOPPING = """
import subprocess, sys
from pathlib import Path
from condividi.services import run_services
folder = Path(sys.argv[1])
class Site:
    def poll(self):
        (folder / "running").touch()
        return None
    def stop(self):
        program = subprocess.Popen(["sleep", "60"])
        program.terminate()
        try:
            code = program.wait(timeout=5)
        except subprocess.TimeoutExpired:
            program.kill()
            code = "ignored SIGTERM"
        (folder / "program").write_text(str(code))
sys.exit(run_services([], cwd=folder, local=Site()))
"""


def test_a_program_started_while_stopping_can_still_be_ended(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", STARTS_A_PROGRAM_WHILE_STOPPING, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert wait_for(lambda: (tmp_path / "running").exists())
        supervisor.send_signal(signal.SIGINT)
        assert supervisor.wait(timeout=30) == 0
        assert (tmp_path / "program").read_text() == str(-signal.SIGTERM)
    finally:
        supervisor.kill()


def _imported_after(statement: str) -> set[str]:
    """Return the condividi modules a fresh interpreter has loaded after ``statement``."""
    listing = "print(' '.join(m for m in sys.modules if m.startswith('condividi')))"
    code = f"{statement}\nimport sys\n{listing}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(result.stdout.split())


def test_the_capabilities_offer_services_without_importing_the_dev_server() -> None:
    # Calling the factories too: the cycle used to hide in a lazy import inside them.
    loaded = _imported_after(
        "from pathlib import Path\n"
        "from condividi.comments.isso import dev_service\n"
        "from condividi.comments.isso_mail import sink_service\n"
        "from condividi.newsletter.commands import signup_service\n"
        f"assert dev_service(Path({str(ROOT)!r})).name\n"
        f"assert sink_service(Path({str(ROOT)!r})) is None\n"
        "assert signup_service(Path('progetto')).name"
    )
    assert "condividi.services" in loaded
    assert not {
        name for name in loaded if name.startswith(("condividi.devserver", "condividi.preview"))
    }


def test_the_dev_server_imports_the_capabilities_factories() -> None:
    loaded = _imported_after("import condividi.devserver")
    assert {
        "condividi.comments.isso",
        "condividi.comments.isso_mail",
        "condividi.newsletter.commands",
    } <= loaded
    from condividi import devserver
    from condividi.comments.isso import dev_service
    from condividi.comments.isso_mail import sink_service
    from condividi.newsletter.commands import signup_service
    from condividi.services import Service

    assert [sink_service, dev_service, signup_service] == devserver.SERVICE_FACTORIES
    assert isinstance(signup_service(Path("progetto")), Service)
