"""The message catalog: every user-facing string, one JSON file per language in `arena/locales/`.

Look strings up with `translate(lang, key, **values)`. A file is a flat object of `key: text`; its
`language.name` is the language's own name, for the language picker. A message that shows a
count is an object of plural forms named by their CLDR category (`one`, `other`, ...): Babel's
plural rule for the language picks the form from the `count` value. Every file has the same
keys, the same `{placeholders}` and the forms its language needs; a test checks it.

Why JSON: the standard library reads it on every Python the arena supports (no tomllib before
3.11) with no build step, unlike compiled gettext catalogs; the keys stay the ids the code uses;
and plural forms named by category can be checked against Babel's rules. Adding a language is
adding one file, named by its code (`fr.json`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from babel import Locale

DEFAULT = "en"

Message = str | dict[str, str]  # a text, or its plural forms by CLDR category


def _unique_keys(pairs: list[tuple[str, Message]]) -> dict[str, Message]:
    # json would keep the last of two equal keys without a word: a typo must fail loudly.
    twice = [key for key, n in Counter(key for key, _ in pairs).items() if n > 1]
    if twice:
        raise ValueError(f"keys given twice in a locale file: {twice}")
    return dict(pairs)


def load_catalogs(folder: Path) -> dict[str, dict[str, Message]]:
    """Every `<code>.json` in `folder` by language code, the default language first."""
    found = {path.stem: path for path in folder.glob("*.json")}
    order = [DEFAULT] + sorted(set(found) - {DEFAULT})
    return {code: json.loads(found[code].read_text(encoding="utf-8"),
                             object_pairs_hook=_unique_keys) for code in order}


MESSAGES: dict[str, dict[str, Message]] = load_catalogs(Path(__file__).parent / "locales")
LANGUAGES: dict[str, str] = {code: str(catalog["language.name"])
                             for code, catalog in MESSAGES.items()}
PLURAL_RULES = {code: Locale.parse(code).plural_form for code in MESSAGES}


def normalise_language(lang: str | None) -> str:
    """The catalog for a language tag: `zh_CN` or `zh-CN` reads as `zh` unless a file is named
    for the region; an unknown language as English."""
    tag = (lang or "").replace("-", "_").lower()
    codes = {code.lower(): code for code in MESSAGES}
    return codes.get(tag) or codes.get(tag.split("_")[0]) or DEFAULT


def has_message(key: str) -> bool:
    return key in MESSAGES[DEFAULT]


def translate(lang: str, key: str, **values: object) -> str:
    """The message `key` in `lang`, falling back to English; `values` fill its placeholders (a
    plural message picks its form by `count`)."""
    code = normalise_language(lang)
    if not MESSAGES[code].get(key):
        code = DEFAULT
    text = MESSAGES[code][key]
    if isinstance(text, dict):
        text = text[PLURAL_RULES[code](values["count"])]
    return text.format(**values) if values else text


class Explained(Exception):
    """An error whose words are in the catalog: `key` and `values`. `str()` is the English,
    for logs and the command line; a page says `text(lang)`."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(translate(DEFAULT, key, **values))

    def text(self, lang: str) -> str:
        return translate(lang, self.key, **self.values)
