"""Which posts to read next: TF-IDF over each post's title, summary, tags and category.

:func:`related_posts` is a pure function over a list of :class:`PostText`. Each post becomes a
weighted bag of terms (title words count double, a shared tag three times, the category one and
a half), weighted by inverse document frequency within its language and normalised; two posts'
similarity is the cosine of their bags, in fixed-point integers so that every build and every
machine sums them alike. Ties go to the newer post, then to the key: the same posts give the
same answer on every build.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TITLE_WEIGHT = 2.0
SUMMARY_WEIGHT = 1.0
TAG_WEIGHT = 3.0
CATEGORY_WEIGHT = 1.5
# Weights are integers in steps of 1/QUANTUM; terms in more than PACKED_FROM posts are packed.
QUANTUM = 1024
PACKED_FROM = 16
MIN_WORD_LENGTH = 3
_WORD = re.compile(r"[^\W\d_]+")

# Words too common to say what a post is about (Italian and English, the site's languages).
_STOPWORDS = """
    alla alle allo anche ancora avere come con cosa così cui dagli dai dal dalla dalle degli dei
    del dell della delle dello dove ecco essere fare gli grazie già hai hanno in invece lei loro
    lui mai meno mentre nei nel nella nelle noi non nostra nostro ogni oggi per perché però più
    poco poi prima quale quando quanto quella quelle quello questa queste questi questo qui
    quindi sai sempre senza sia siamo sono sua sue sui sul sulla suo tra tutti tutto una uno
    vostro voi
    about after again all also and any are because been before being but can could did does
    for from had has have her here his how into its just more most not now off once only other
    our out over own same she should some such than that the their them then there these they
    this those through too under until very was were what when where which while who why will
    with would you your
"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class PostText:
    """What the similarity of a post is computed from.

    ``key`` names the post uniquely (its source path); ``timestamp`` is its date in seconds
    since the epoch; ``candidate`` says whether the post may be suggested
    (a published one) or only gets suggestions (a draft).
    """

    key: str
    lang: str
    title: str
    summary: str
    tags: tuple[str, ...]
    category: str
    timestamp: float
    candidate: bool = True


def words(text: str) -> list[str]:
    """Return the words of ``text`` that say something: lower case, accents kept (NFC), no
    numbers, no stop words, at least three letters."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return [
        word
        for word in _WORD.findall(folded)
        if len(word) >= MIN_WORD_LENGTH and word not in STOPWORDS
    ]


def term_weights(post: PostText) -> dict[str, float]:
    """Return the raw weight of each term of ``post``: ``w:`` words, ``t:`` tags, ``c:``
    the category."""
    weights: dict[str, float] = defaultdict(float)
    for word in words(post.title):
        weights[f"w:{word}"] += TITLE_WEIGHT
    for word in words(post.summary):
        weights[f"w:{word}"] += SUMMARY_WEIGHT
    for tag in post.tags:
        if tag.strip():
            weights[f"t:{tag.strip().casefold()}"] += TAG_WEIGHT
    if post.category.strip():
        weights[f"c:{post.category.strip().casefold()}"] += CATEGORY_WEIGHT
    return dict(weights)


def _vectors(posts: Sequence[PostText]) -> list[dict[str, float]]:
    """Return the normalised TF-IDF vector of each of ``posts`` (one language)."""
    raw = [term_weights(post) for post in posts]
    frequency: dict[str, int] = defaultdict(int)
    for weights in raw:
        for term in weights:
            frequency[term] += 1
    total = len(posts)
    vectors = []
    for weights in raw:
        vector = {
            term: weight * (math.log((1 + total) / (1 + frequency[term])) + 1.0)
            for term, weight in weights.items()
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({term: value / norm for term, value in vector.items()})
    return vectors


def _packed(fields: Sequence[int]) -> int:
    """Return ``fields`` packed into one integer, 64 bits each, field ``j`` at bit ``64 j``."""
    packed = array("Q", fields)
    if sys.byteorder != "little":
        packed.byteswap()
    return int.from_bytes(packed.tobytes(), "little")


def _unpacked(value: int, count: int) -> array[int]:
    """Return the ``count`` 64-bit fields of ``value`` (see :func:`_packed`)."""
    fields = array("Q")
    fields.frombytes(value.to_bytes(8 * count, "little"))
    if sys.byteorder != "little":
        fields.byteswap()
    return fields


def _related_in_language(posts: Sequence[PostText], count: int) -> dict[str, tuple[str, ...]]:
    """Return the related posts of ``posts``, all in one language (see :func:`related_posts`).

    Weights are fixed-point integers (``QUANTUM`` steps), so the sums are exact and the same
    on every machine. A term many posts share is one integer holding each post's weight in a
    64-bit field: a post's scores against all the others are then a few multiplications and
    additions of such integers, done by Python's C code, instead of a loop over the pairs.
    """
    total = len(posts)
    rank_bits = max(1, total.bit_length())
    # Ties go to the newer post, then to the smaller key: a higher rank wins.
    order = sorted(range(total), key=lambda i: posts[i].key, reverse=True)
    order.sort(key=lambda i: posts[i].timestamp)
    rank = [0] * total
    for position, index in enumerate(order):
        rank[index] = position
    vectors = [
        {term: q for term, value in vector.items() if (q := round(value * QUANTUM))}
        for vector in _vectors(posts)
    ]
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, (post, vector) in enumerate(zip(posts, vectors, strict=True)):
        if post.candidate:
            for term, weight in vector.items():
                postings[term].append((index, weight))
    shared: dict[str, int] = {}
    for term, entries in postings.items():
        if len(entries) > PACKED_FROM:
            fields = [0] * total
            for index, weight in entries:
                fields[index] = weight << rank_bits
            shared[term] = _packed(fields)
    ranks = _packed(rank)
    mask = (1 << rank_bits) - 1
    result: dict[str, tuple[str, ...]] = {}
    for index, vector in enumerate(vectors):
        packed_scores = ranks
        loose: dict[int, int] = defaultdict(int)
        for term, weight in vector.items():
            packed = shared.get(term)
            if packed is not None:
                packed_scores += weight * packed
            else:
                for other, other_weight in postings.get(term, ()):
                    loose[other] += weight * other_weight
        # A list, not the array: max() over Python ints is several times quicker.
        scores = _unpacked(packed_scores, total).tolist()
        for other, score in loose.items():
            scores[other] += score << rank_bits
        scores[index] = 0
        chosen: list[str] = []
        for _ in range(count):
            best = max(scores)
            if best >> rank_bits == 0:
                break
            other = order[best & mask]
            chosen.append(posts[other].key)
            scores[other] = 0
        result[posts[index].key] = tuple(chosen)
    return result


def related_posts(posts: Iterable[PostText], count: int = 3) -> dict[str, tuple[str, ...]]:
    """Return, for each of ``posts``, the keys of up to ``count`` others to read next.

    Only posts in the same language that are ``candidate`` and share at least one term are
    suggested, the most similar first; ties go to the newer post, then to the smaller key.
    A post with nothing in common with any other gets an empty tuple.
    """
    by_lang: dict[str, list[PostText]] = defaultdict(list)
    for post in posts:
        by_lang[post.lang].append(post)
    result: dict[str, tuple[str, ...]] = {}
    for lang in sorted(by_lang):
        same = sorted(by_lang[lang], key=lambda post: post.key)
        result.update(_related_in_language(same, count))
    return result


def plain_summary(metadata: Mapping[str, object], content: str, words_count: int = 60) -> str:
    """Return a post's summary as plain text: its ``summary`` front matter, else the first
    ``words_count`` words of its HTML ``content``."""
    summary = metadata.get("summary")
    text = str(summary) if summary else content
    plain = re.sub(r"<[^>]+>", " ", text)
    return " ".join(plain.split()[:words_count])
