"""newsletter capability (see docs/newsletter.md): signup form, endpoint, providers.

Listed in ``PLUGINS`` as ``condividi.newsletter``.
"""

from __future__ import annotations


def register() -> None:
    """Connect the newsletter's Pelican glue to Pelican's signals."""
    from pelican import signals

    from condividi.newsletter import form

    signals.generator_init.connect(form.on_generator_init)
