"""The Indonesian catalogue covers every msgid in the code and templates, keeps their
placeholders, and the app shows it by default (English after switching)."""

from __future__ import annotations

import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT, Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "kotaku_collab" / "translations"
INDONESIAN = TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"
ENGLISH = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
HOW_TO_FIX = ("run `make translations-update`, then translate the empty and fuzzy entries in "
              "kotaku_collab/translations/id/LC_MESSAGES/messages.po")


def makefile_keywords() -> dict:
    """The extraction keywords of `make translations-update` (BABEL_KEYWORDS), so this test
    and the Makefile cannot drift apart."""
    line = re.search(r"^BABEL_KEYWORDS\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(),
                     re.MULTILINE)
    assert line, "the Makefile lost its BABEL_KEYWORDS line"
    words = shlex.split(line.group(1))
    specs = [value for flag, value in zip(words, words[1:]) if flag == "-k"]
    return {**DEFAULT_KEYWORDS, **parse_keywords(specs)}


@pytest.fixture(scope="module")
def source_messages() -> Catalog:
    """What `pybabel extract -F babel.cfg` finds in the current code and templates."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=makefile_keywords(),
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        if message and (message[0] if isinstance(message, tuple) else message):
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                        context=context)
    return catalog


def load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name)


@pytest.fixture(scope="module")
def indonesian() -> Catalog:
    return load(INDONESIAN)


def where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2])


def test_extraction_finds_the_interface_strings(source_messages):
    # A guard for the test below: a broken babel.cfg or keyword list would find nothing.
    assert len(source_messages) > 500
    assert source_messages.get("Log in") is not None  # a template
    assert source_messages.get("Collaboration workshop") is not None  # a lazy _l() label
    plural = source_messages.get("%(num)d workshop")
    assert plural is not None and plural.pluralizable  # ngettext in a template


def test_every_msgid_in_the_source_has_an_indonesian_translation(source_messages, indonesian):
    problems = []
    for message in source_messages:
        if not message.id:
            continue
        entry = indonesian.get(message.id, message.context)
        strings = [] if entry is None else (
            list(entry.string) if isinstance(entry.string, (tuple, list)) else [entry.string])
        if entry is None:
            problems.append(f"missing: {message.id!r} ({where(message)})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message.id!r} ({where(message)})")
        elif not strings or not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r} ({where(message)})")
        elif message.pluralizable and entry.id != message.id:
            problems.append(f"plural changed: {message.id!r} ({where(message)})")
    assert not problems, (f"{len(problems)} interface string(s) lack an Indonesian translation; "
                          f"{HOW_TO_FIX}:\n" + "\n".join(problems))


def test_indonesian_catalogue_is_not_fuzzy_and_has_one_plural_form(indonesian):
    assert not indonesian.fuzzy, f"the catalogue header is marked fuzzy; {HOW_TO_FIX}"
    assert indonesian.num_plurals == 1  # Indonesian nouns do not inflect for number


def placeholders(text: str) -> tuple[Counter, list[str]]:
    """Named placeholders (any order) and positional ones (in order), %% escapes included."""
    named, positional = Counter(), []
    for match in PYTHON_FORMAT.finditer(text):
        if match.group(1) is not None:
            named[match.group(0)] += 1
        else:
            positional.append(match.group(0))
    return named, positional


@pytest.mark.parametrize("path", [INDONESIAN, ENGLISH], ids=["id", "en"])
def test_translations_keep_the_placeholders_of_their_msgid(path):
    if not path.exists():
        pytest.skip(f"no {path.parent.parent.name} catalogue")
    catalog = load(path)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            # One plural form in Indonesian: its text stands for the plural msgid.
            expected = placeholders(message.id[-1])
            strings = [s for s in message.string if s]
        else:
            expected = placeholders(message.id)
            strings = [message.string] if message.string else []
        for string in strings:
            if placeholders(string) != expected:
                problems.append(f"{message.id!r} -> {string!r}")
    assert not problems, "placeholders differ from the msgid:\n" + "\n".join(problems)
    # Babel's own checks, as `pybabel compile` runs them.
    assert [(m.id, errors) for m, errors in catalog.check()] == []


@pytest.fixture
def production_client(make_app, db):
    """A client of an app with the production default language (the suite's TestConfig
    defaults to English so that other tests can assert on the msgids)."""
    return make_app(BABEL_DEFAULT_LOCALE="id").test_client()


def test_login_page_is_indonesian_by_default_and_english_after_switching(production_client):
    client = production_client
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Masuk" in html and "Kata sandi" in html
    assert "Log in" not in html and "Password" not in html

    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html and "Password" in html
    assert "Masuk" not in html


def test_error_page_is_translated_in_both_languages(production_client):
    client = production_client
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html and "Kembali ke beranda" in html
    assert "Page not found" not in html

    client.post("/language", data={"locale": "en"})
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "Back to the home page" in html
    assert "Halaman tidak ditemukan" not in html


def test_browser_asking_for_english_gets_english(production_client):
    html = production_client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}) \
        .get_data(as_text=True)
    assert "Log in" in html and "Masuk" not in html
