"""Generated posts for the email-edition tests: a 10,000-word essay, one full of images."""

from __future__ import annotations

import random

# Real Italian words of ordinary length, so the byte count per word is realistic (accents too).
PROSE = (
    "azienda comunicazione lettori contenuti strategia persone fiducia misurare metriche "
    "pubblico relazione newsletter piattaforma algoritmo marchio racconto scrittura tempo "
    "risultati obiettivi clienti mercato prodotto servizio reputazione crisi dipendenti "
    "progetto qualità attenzione valore città territorio perché però così più già è "
    "quando mentre sempre spesso raramente davvero semplicemente soprattutto invece "
    "scegliere capire costruire ascoltare rispondere pubblicare condividere leggere"
)
VOCABULARY = PROSE.split()


def words(count: int, rng: random.Random) -> str:
    """Return ``count`` words of plausible Italian prose, with a full stop now and then."""
    chosen = [rng.choice(VOCABULARY) for _ in range(count)]
    for index in range(11, count, 12):
        chosen[index] += "."
    return " ".join(chosen).capitalize().rstrip(".") + "."


def long_post_body(total_words: int = 10_000, seed: int = 7) -> str:
    """Return Markdown of about ``total_words`` words: headings, paragraphs, lists, quotes.

    Every section starts with a ``## Sezione N`` heading and holds paragraphs of 90 words,
    a list and a quote, with a link to the site and one elsewhere now and then.
    """
    rng = random.Random(seed)
    parts: list[str] = []
    written = 0
    section = 0
    while written < total_words:
        section += 1
        parts.append(f"## Sezione {section}")
        for paragraph in range(5):
            text = words(90, rng)
            if paragraph == 2:
                text += f" Vedi [l'archivio](/archivio/) e [Wikipedia](https://it.wikipedia.org/wiki/Saggio_{section})."
            parts.append(text)
            written += 90
        parts.append("\n".join(f"- {words(12, rng)}" for _ in range(3)))
        parts.append("> " + words(30, rng))
        written += 66
    return "\n\n".join(parts)


def markdown_post(title: str, slug: str, body: str, date: str = "2026-05-04 09:00") -> str:
    """Return a complete Markdown post with front matter."""
    return (
        f"Title: {title}\nDate: {date}\nSlug: {slug}\nCategory: Strategia\n"
        f"Tags: prova, newsletter\nSummary: Un post generato per le prove della newsletter.\n"
        f"Lang: it\nAuthor: Giulia Ferraris\n\n{body}\n"
    )


def image_post_body(images: int = 150, links: int = 400, seed: int = 11) -> str:
    """Return Markdown with ``images`` images (some without alt text) and ``links`` links."""
    rng = random.Random(seed)
    parts = []
    for index in range(images):
        alt = f"Figura {index}" if index % 3 else ""
        parts.append(f"![{alt}](immagini/figura-{index}.jpg)")
        link_text = " ".join(
            f"[{rng.choice(VOCABULARY)}](https://example.com/{index}/{n})"
            for n in range(links // images)
        )
        parts.append(f"{words(40, rng)} {link_text}")
    return "\n\n".join(parts)
