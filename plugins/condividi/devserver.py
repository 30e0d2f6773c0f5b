"""``make serve``: the site with a rebuild on every change, plus the local services it uses.

Starts Pelican's autoreloading server and each local service (the comment server, the signup
endpoint) as child processes, and stops them all on Ctrl-C or when one of them exits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from condividi.comments.isso import dev_service as comments_service
from condividi.newsletter.commands import signup_service
from condividi.services import Service, ServiceFactory, run_services


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


# Each capability that needs a local process during development adds a factory here.
SERVICE_FACTORIES: list[ServiceFactory] = [comments_service, signup_service]


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
