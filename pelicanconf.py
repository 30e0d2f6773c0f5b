"""Site settings for local work (``make html``, ``make serve``)."""

from __future__ import annotations

import os

AUTHOR = "Giulia Ferraris"
SITENAME = "Condividi"
SITESUBTITLE = "Saggi su marketing, social media e comunicazione d'impresa"
PORT = int(os.environ.get("PORT", "8000"))
# Share links, feeds and social metadata need absolute URLs, even locally.
SITEURL = os.environ.get("SITEURL", f"http://127.0.0.1:{PORT}")

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Europe/Rome"
DEFAULT_LANG = "it"
WITH_FUTURE_DATES = False  # a future-dated post stays a draft until its date
DEFAULT_DATE_FORMAT = "%d/%m/%Y"

ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
CATEGORY_URL = "categoria/{slug}/"
CATEGORY_SAVE_AS = "categoria/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "autore/{slug}/"
AUTHOR_SAVE_AS = "autore/{slug}/index.html"
# The home page's own address is the site root: the "newer posts" link of /pagina/2/ leads there.
INDEX_URL = ""
ARCHIVES_URL = "archivio/"
ARCHIVES_SAVE_AS = "archivio/index.html"
CATEGORIES_URL = "categorie/"
CATEGORIES_SAVE_AS = "categorie/index.html"
TAGS_URL = "tag/"
TAGS_SAVE_AS = "tag/index.html"
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "archives", "categories", "tags", "404"]
# Ten posts a page, as WordPress shows by default: the blogs we move from look the same.
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/pagina/{number}/", "{base_name}/pagina/{number}/index.html"),
)
SLUGIFY_SOURCE = "title"
RELATIVE_URLS = False

# Condividi writes its own feeds with feedgen; every built-in Pelican feed is off.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEEDS_ATOM_SAVE_AS = "feeds/atom.xml"
FEEDS_RSS_SAVE_AS = "feeds/rss.xml"
# Entry ids are tag:<FEEDS_ID_AUTHORITY>,<FEEDS_ID_DATE>:<slug>. Set both once, to your domain
# and a year you owned it, and never change them: readers and the newsletter key posts on them.
FEEDS_ID_AUTHORITY = "www.example.org"
FEEDS_ID_DATE = "2026"

MENUITEMS_PAGES = ["chi-sono", "newsletter", "privacy"]
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "condividi.reader",  # Pelican's Markdown reader, one converter per build instead of per file
    "condividi.theme",
    # before any plugin reads a post's content: the pages, feeds and emails see its pictures
    "condividi.images",
    "condividi.share",
    # feeds before the newsletter: an edition's key is the post's feed id.
    "condividi.feeds",
    "condividi.newsletter",
    "condividi.newsletter.edition_plugin",
    "condividi.newsletter.welcome_plugin",  # content/newsletter/welcome.md, after confirming
    "condividi.comments",
    "condividi.sitemap",  # sitemap.xml and robots.txt
    "condividi.headers",  # the CSP and caching for _headers and nginx
    "condividi.search",  # the search pages; the Pagefind index once the build succeeded
    "condividi.readnext",  # "Leggi anche": related posts before the comments
    # last: it checks the old addresses against every page the others wrote
    "condividi.migrate.redirects_plugin",
]

# Newsletter signup: the form posts to the endpoint `make serve` runs (docs/newsletter.md).
NEWSLETTER_FROM_NAME = SITENAME

# Comments: Isso, run locally by `make comments` / `make serve` (see docs/comments.md).
COMMENTS_PROVIDER = "isso"
COMMENTS_ISSO_URL = "http://127.0.0.1:8080"
# Mail the author each new comment, with links to delete it (and, moderated, to publish it),
# through the newsletter's SMTP settings; `make serve` files it in var/newsletter/outbox/.
COMMENTS_NOTIFY = False

# Keep cached reads at the reader layer so plugin signals and future dates keep working.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
CONTENT_CACHING_LAYER = "reader"
