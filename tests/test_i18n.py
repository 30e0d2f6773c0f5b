"""Interface translations follow the language of the page being rendered."""

from __future__ import annotations

from types import SimpleNamespace

from jinja2 import DictLoader, Environment

from condividi import i18n
from tests.conftest import ROOT

LOCALEDIR = str(ROOT / "theme" / "translations")


def render(source: str, **context: object) -> str:
    env = Environment(loader=DictLoader({"t": source}))
    i18n.install(env)
    return env.get_template("t").render(CONDIVIDI_LOCALEDIR=LOCALEDIR, **context)


def test_default_language_is_italian() -> None:
    assert render("{{ _('Archive') }}", DEFAULT_LANG="it") == "Archivio"


def test_article_language_wins() -> None:
    english = SimpleNamespace(lang="en")
    assert render("{{ _('Archive') }}", DEFAULT_LANG="it", article=english) == "Archive"


def test_plurals_in_italian() -> None:
    source = "{{ ngettext('%(num)d minute read', '%(num)d minutes read', n) }}"
    assert render(source, DEFAULT_LANG="it", n=1) == "1 minuto di lettura"
    assert render(source, DEFAULT_LANG="it", n=4) == "4 minuti di lettura"


def test_gettext_follows_jinjas_newstyle_rules() -> None:
    # Always %-formatted, so "%%" is a percent sign; keyword arguments fill the placeholders.
    assert render("{{ _('100%% %(what)s', what='libero') }}", DEFAULT_LANG="fr") == "100% libero"
    assert render("{{ gettext('Archive') }}", DEFAULT_LANG="it") == "Archivio"
    assert render("{{ pgettext('menu', 'Archive') }}", DEFAULT_LANG="fr") == "Archive"
    source = "{{ npgettext('x', '%(num)d item', '%(num)d items', 3) }}"
    assert render(source, DEFAULT_LANG="fr") == "3 items"


def test_trans_blocks_use_the_same_page_aware_catalogue() -> None:
    source = (
        "{% trans %}Archive{% endtrans %} {% trans count=2 %}{{ count }} minute read"
        "{% pluralize %}{{ count }} minutes read{% endtrans %}"
    )
    english = SimpleNamespace(lang="en")
    assert render(source, DEFAULT_LANG="it", article=english) == "Archive 2 minutes read"
    assert render(source, DEFAULT_LANG="it").startswith("Archivio ")


def test_unknown_language_falls_back_to_source_strings() -> None:
    assert render("{{ _('Archive') }}", DEFAULT_LANG="fr") == "Archive"


def test_every_italian_message_is_translated() -> None:
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "theme" / "translations" / "it" / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as po_file:
            untranslated = [m.id for m in read_po(po_file) if m.id and not m.string]
        assert untranslated == [], po_path.name


def test_a_page_a_plugin_renders_in_a_language_gets_that_catalogue() -> None:
    assert render("{{ _('Archive') }} {{ page_lang() }}", DEFAULT_LANG="it", lang="en") == (
        "Archive en"
    )
    italian = SimpleNamespace(lang="it")
    assert render("{{ page_lang() }}", DEFAULT_LANG="en", lang="en", page=italian) == "it"


def messages_in_use() -> set[str]:
    """Every message the theme's templates and the plugins' code mark for translation."""
    from babel.messages.extract import extract_from_dir

    found: set[str] = set()
    for folder, method, options in (
        ("theme/templates", "jinja2", {"extensions": "jinja2.ext.i18n"}),
        ("plugins/condividi", "python", {}),
    ):
        pattern = "**.html" if method == "jinja2" else "**.py"
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / folder), method_map=[(pattern, method)], options_map={pattern: options}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_use_is_in_each_catalogue() -> None:
    """A message missing from the Italian catalogue would show in English on Italian pages."""
    from babel.messages.pofile import read_po

    used = messages_in_use()
    assert {"Subscribe", "Copy", "RSS feed of this tag", "Leave a comment"} <= used
    for lang in ("it", "en"):
        known: set[str] = set()
        for po_path in (ROOT / "theme" / "translations" / lang / "LC_MESSAGES").glob("*.po"):
            with po_path.open("rb") as po_file:
                known |= {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po_file)}
        assert sorted(used - known) == [], lang
