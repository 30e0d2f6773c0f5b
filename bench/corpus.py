"""A deterministic corpus of Italian essays for the benchmark, generated offline.

Each post is shaped like the blog's essays: front matter (title, date, category, tags, summary,
language, author), about 900 words of Italian prose with accented letters, several ``##``
sections, a quotation, a list, emphasis, external links and a ``{filename}`` link to an older
post. Post ``i`` depends only on the seed and on ``i``, so a corpus of 200 posts is the first 200
posts of a corpus of 1,000. Titles, and so slugs, are unique.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from condividi.newpost import post_slug

DEFAULT_SEED = 8
AUTHOR = "Giulia Ferraris"
NEWEST = datetime(2026, 10, 31, 9, 0)
WORDS_MIN = 850
WORDS_MAX = 950

CATEGORIES = (
    "Strategia",
    "Social media",
    "Newsletter",
    "Reputazione",
    "Contenuti",
    "Metriche",
    "Identità di marca",
    "Città e territorio",
)

TAGS = (
    "fiducia", "algoritmo", "follower", "linkedin", "instagram", "facebook", "tiktok",
    "mastodon", "bluesky", "newsletter", "email", "rss", "blog", "seo", "crisi",
    "reputazione", "comunità", "qualità", "identità", "territorio", "botteghe", "negozi",
    "dipendenti", "ambasciatori", "metriche", "analisi", "dati", "privacy", "pubblicità",
    "contenuti", "scrittura", "calendario", "strategia", "ufficio stampa", "clienti",
    "commercio", "città", "pubblico", "relazioni", "caffè",
)  # fmt: skip

TITLE_OPENINGS = (
    "Appunti su", "Domande su", "Lezioni di", "Dieci idee su", "Contro", "Note su",
    "Ripensare", "Capire", "Misurare", "Raccontare", "Difendere", "Oltre", "Elogio di",
    "Piccola guida a", "Il futuro di", "Ciò che resta di", "Perché cambiare", "Tornare a",
    "Rimettere al centro", "Prima e dopo",
)  # fmt: skip
TITLE_TOPICS = (
    "marketing locale", "metriche di vanità", "newsletter aziendali", "reputazione digitale",
    "comunicazione d'impresa", "social media nelle PMI", "fiducia dei lettori",
    "pubblico fedele", "calendario editoriale", "contenuti lenti", "ufficio stampa",
    "voce del marchio", "crisi sui social", "dipendenti ambasciatori", "qualità della scrittura",
    "commenti dei clienti", "città che comunicano", "botteghe online", "campagne stagionali",
    "relazioni con la stampa", "identità visiva", "storie di prodotto", "pubblicità sui social",
    "liste di iscritti", "feed RSS", "blog aziendali", "algoritmi di raccomandazione",
    "community online", "promesse mantenute", "dati che contano",
)  # fmt: skip
TITLE_ENDINGS = (
    "una guida per le imprese", "cosa ho imparato", "il caso di una bottega",
    "dopo dieci anni", "senza inseguire i follower", "tra città e rete", "una lettura critica",
    "perché conta più di prima", "in cinque passi", "un bilancio onesto",
    "quello che nessuno dice", "istruzioni per l'uso", "la versione breve",
    "una proposta concreta", "per chi comincia adesso", "con qualche dubbio",
    "visto da vicino", "nel lungo periodo", "prima che sia tardi", "senza slogan",
    "una questione di metodo", "alla prova dei fatti", "oltre la moda", "per le piccole città",
    "e perché è così difficile",
)  # fmt: skip

SUBJECTS = (
    "l'azienda", "il pubblico", "la newsletter", "ogni marchio", "chi scrive",
    "il social media manager", "la comunità dei lettori", "una piccola impresa",
    "il responsabile marketing", "la redazione", "il cliente più fedele", "l'algoritmo",
    "la città", "il negozio di quartiere", "la squadra", "il consulente", "l'ufficio stampa",
    "la direzione", "il blog aziendale", "ogni dipendente", "chi legge", "la bottega",
)  # fmt: skip
VERBS = (
    "costruisce", "misura", "racconta", "perde", "conquista", "ignora", "sceglie",
    "trasforma", "ascolta", "sottovaluta", "difende", "rinnova", "semplifica", "dimentica",
    "protegge", "coltiva", "spiega", "mette in discussione", "può migliorare",
    "deve ritrovare", "riesce a capire", "finisce per inseguire", "si trova a rivedere",
)  # fmt: skip
OBJECTS = (
    "la fiducia dei lettori", "un rapporto più diretto", "le metriche di vanità",
    "la propria reputazione", "il calendario editoriale", "la qualità dei contenuti",
    "una voce riconoscibile", "il tempo di chi legge", "le conversazioni difficili",
    "l'identità del marchio", "i commenti più critici", "una strategia coerente",
    "il valore di una relazione", "la promessa fatta ai clienti", "il senso della comunicazione",
    "la lista degli iscritti", "i dati che contano davvero", "la pazienza necessaria",
    "l'attenzione del pubblico", "un'abitudine di lettura", "la libertà di dire di no",
    "il perché di ogni scelta",
)  # fmt: skip
COMPLEMENTS = (
    "nel tempo", "senza inseguire l'algoritmo", "già dal primo giorno", "con più coerenza",
    "quando la crisi è già iniziata", "più di quanto sembri", "perché la città è piccola",
    "anche nei mesi difficili", "con una certa ironia", "giorno dopo giorno", "senza fretta",
    "prima ancora di pubblicare", "dopo ogni campagna", "con qualità e costanza",
    "lontano dai riflettori", "così come si fa in bottega", "là dove nessuno guarda",
    "tra un post e l'altro", "finché qualcuno non protesta", "perché è lì che nasce la fiducia",
    "a costo di perdere qualche like", "senza però rinunciare all'ironia",
)  # fmt: skip
OPENERS = (
    "Eppure", "Per questo", "In altre parole", "Così", "Però", "Di solito", "Spesso",
    "A volte", "In fondo", "Perciò", "Inoltre", "Tuttavia", "Già oggi", "Per molte imprese",
    "Nella pratica", "Più di una volta",
)  # fmt: skip
HEADINGS = (
    "Il problema dei numeri", "Che cosa cambia davvero", "Una questione di fiducia",
    "Perché la newsletter resiste", "Il ruolo delle persone", "Misurare ciò che conta",
    "Le prime ventiquattro ore", "Dove sbagliano le aziende", "Un metodo più lento",
    "Cosa resta da fare", "Identità e qualità", "La città come pubblico", "Scrivere meno, meglio",
    "Il prezzo della visibilità", "Oltre l'algoritmo", "Che cosa può fare una bottega",
)  # fmt: skip
QUOTE_AUTHORS = (
    "una libraia di Pavia", "un artigiano di Matera", "Carla, responsabile comunicazione",
    "un lettore della newsletter", "il titolare di una ferramenta", "una consulente di Torino",
)  # fmt: skip
LINK_TEXTS = (
    "uno studio recente", "questa analisi", "un'inchiesta", "il rapporto annuale",
    "una conversazione pubblica", "un vecchio articolo",
)  # fmt: skip


@dataclass(frozen=True)
class Post:
    """One generated post: its metadata and where it was written."""

    index: int
    title: str
    slug: str
    date: datetime
    category: str
    tags: tuple[str, ...]
    words: int
    path: Path


def titles(seed: int = DEFAULT_SEED) -> list[str]:
    """Return every possible title, in the seed's order (posts take them in this order)."""
    combos = [
        f"{opening} {topic}: {ending}"
        for opening in TITLE_OPENINGS
        for topic in TITLE_TOPICS
        for ending in TITLE_ENDINGS
    ]
    random.Random(seed).shuffle(combos)
    return combos


def _word_count(text: str) -> int:
    return len(text.split())


class _Writer:
    """Writes one post's prose from its own random generator, counting the words it writes."""

    def __init__(self, rng: random.Random, target: int = WORDS_MAX) -> None:
        self.rng = rng
        self.target = target
        self.words = 0

    @property
    def done(self) -> bool:
        return self.words >= self.target

    def count(self, text: str) -> str:
        self.words += _word_count(text)
        return text

    def clause(self, emphasis: bool = False) -> str:
        pick = self.rng.choice
        thing = f"*{pick(OBJECTS)}*" if emphasis else pick(OBJECTS)
        text = f"{pick(SUBJECTS)} {pick(VERBS)} {thing}"
        return f"{text} {pick(COMPLEMENTS)}" if self.rng.random() < 0.8 else text

    def sentence(self) -> str:
        roll = self.rng.random()
        if roll < 0.07:
            return self.count(f"Chi {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}?")
        if roll < 0.22:
            text = f"{self.clause()}, ma {self.clause()}"
        elif roll < 0.32:
            text = f"non è un caso che {self.clause()}"
        else:
            text = self.clause(emphasis=roll < 0.42)
        if self.rng.random() < 0.3:
            text = f"{self.rng.choice(OPENERS)}, {text}"
        return self.count(text[0].upper() + text[1:] + ".")

    def paragraph(self, sentences: int) -> str:
        """Return up to ``sentences`` sentences; fewer (but one at least) once the target is met."""
        written = [self.sentence()]
        while len(written) < sentences and not self.done:
            written.append(self.sentence())
        return " ".join(written)


def _body(rng: random.Random, index: int, earlier: list[str], target: int) -> tuple[str, int]:
    """Return a post's Markdown body and its word count (``target``, give or take a sentence).

    Every body has an introduction, then ``##`` sections until the target is met; the first
    sections open with an external link, a quotation, a list and (from the second post on) a
    link to one of ``earlier``, the files of the posts generated before this one.
    """
    writer = _Writer(rng, target)
    blocks = [writer.paragraph(rng.randint(3, 5))]
    headings = rng.sample(HEADINGS, len(HEADINGS))
    section = 0
    while not writer.done or section < 4:
        blocks.append("## " + writer.count(headings[section % len(headings)]))
        if section == 0:
            address = f"https://www.example.com/analisi/{index}-{rng.randint(1, 999)}"
            text = rng.choice(LINK_TEXTS)
            blocks.append(
                writer.count(f"Lo racconta bene [{text}]({address}).") + " " + writer.paragraph(3)
            )
        elif section == 1:
            quote = writer.paragraph(2)
            source = writer.count(rng.choice(QUOTE_AUTHORS))
            blocks.append(f"> {quote}\n>\n> — {source}")
        elif section == 2:
            items = [writer.count(writer.clause()) for _ in range(rng.randint(3, 5))]
            marker = "1." if rng.random() < 0.4 else "-"
            blocks.append("\n".join(f"{marker} {item[0].upper()}{item[1:]};" for item in items))
        elif section == 3 and earlier:
            link = f"[in un altro saggio]({{filename}}/articles/{rng.choice(earlier)})"
            blocks.append(writer.count(f"Ne ho scritto anche {link}.") + " " + writer.paragraph(3))
        for _ in range(rng.randint(1, 2)):
            if writer.done:
                break
            blocks.append(writer.paragraph(rng.randint(3, 5)))
        section += 1
    return "\n\n".join(blocks) + "\n", writer.words


def render_post(
    title: str, when: datetime, category: str, tags: tuple[str, ...], summary: str, body: str
) -> str:
    """Return the Markdown source of a post with the blog's front matter."""
    return (
        f"Title: {title}\n"
        f"Date: {when:%Y-%m-%d %H:%M}\n"
        f"Category: {category}\n"
        f"Tags: {', '.join(tags)}\n"
        f"Summary: {summary}\n"
        "Lang: it\n"
        f"Author: {AUTHOR}\n"
        "\n"
        f"{body}"
    )


def write_corpus(
    content: Path, count: int, seed: int = DEFAULT_SEED, folder: str = "articles"
) -> list[Post]:
    """Write ``count`` posts under ``content/<folder>`` (``content/articles``) and return
    them, newest first.

    Post ``i`` has category ``CATEGORIES[i % 8]`` and, among its 3 to 5 tags, ``TAGS[i % 40]``,
    so 8 posts use every category and 40 every tag. Raises ``ValueError`` when ``count`` is
    below 1 or above the number of distinct titles.
    """
    candidates = titles(seed)
    if not 1 <= count <= len(candidates):
        raise ValueError(f"count {count} is out of range: use 1 to {len(candidates)} posts")
    where = content / folder
    where.mkdir(parents=True, exist_ok=True)
    posts: list[Post] = []
    filenames: list[str] = []
    used_slugs: set[str] = set()
    next_title = iter(candidates)
    when = NEWEST
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        title = next(next_title)
        while post_slug(title) in used_slugs:
            title = next(next_title)
        slug = post_slug(title)
        used_slugs.add(slug)
        if index:
            when -= timedelta(hours=rng.randint(12, 60), minutes=rng.randint(0, 59))
        category = CATEGORIES[index % len(CATEGORIES)]
        own_tag = TAGS[index % len(TAGS)]
        others = [tag for tag in rng.sample(TAGS, 5) if tag != own_tag]
        tags = (own_tag, *others[: rng.randint(2, 4)])
        summary = _Writer(rng).sentence()
        body, words = _body(rng, index, filenames, rng.randint(WORDS_MIN, WORDS_MAX))
        path = where / f"{when:%Y-%m-%d}-{slug}.md"
        path.write_text(render_post(title, when, category, tags, summary, body), encoding="utf-8")
        posts.append(Post(index, title, slug, when, category, tags, words, path))
        filenames.append(path.name)
    return posts
