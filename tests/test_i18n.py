import json
import string
import subprocess
import sys

import pytest

from arena.i18n import (
    DEFAULT,
    LANGUAGES,
    MESSAGES,
    PLURAL_RULES,
    load_catalogs,
    normalise_language,
    translate,
)
from arena.settings import load_settings

OTHERS = [code for code in MESSAGES if code != DEFAULT]


def _forms(message) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_there_are_languages_besides_english():
    assert LANGUAGES == {"en": "English", "zh": "简体中文"}


@pytest.mark.parametrize("lang", OTHERS)
def test_every_catalog_has_the_same_keys(lang):
    assert set(MESSAGES[lang]) == set(MESSAGES[DEFAULT])


@pytest.mark.parametrize("lang", OTHERS)
def test_every_catalog_has_the_same_placeholders(lang):
    for key, english in MESSAGES[DEFAULT].items():
        expected = _placeholders(_forms(english)[0])
        for text in _forms(english) + _forms(MESSAGES[lang][key]):
            assert _placeholders(text) == expected, (lang, key, text)


@pytest.mark.parametrize("lang", list(MESSAGES))
def test_plural_messages_have_the_forms_their_language_needs(lang):
    # CLDR's categories: English needs `one` and `other`, Chinese only `other`.
    needed = PLURAL_RULES[lang].tags | {"other"}
    for key, english in MESSAGES[DEFAULT].items():
        message = MESSAGES[lang][key]
        assert isinstance(message, dict) == isinstance(english, dict), (lang, key)
        if isinstance(message, dict):
            assert set(message) == needed, (lang, key)
            assert "count" in _placeholders(message["other"]), (lang, key)


def test_no_empty_messages():
    for lang, catalog in MESSAGES.items():
        assert all(text.strip() for message in catalog.values() for text in _forms(message)), lang


@pytest.mark.parametrize("lang", list(MESSAGES))
def test_every_message_renders_for_any_count(lang):
    for key, message in MESSAGES[lang].items():
        names = set().union(*map(_placeholders, _forms(message)))
        for count in (0, 1, 2, 5, 21, 1000000):
            values = {name: count for name in names}
            assert translate(lang, key, **values).strip(), (key, count)


def test_counts_read_singular_for_one_and_plural_otherwise():
    assert translate("en", "ollama.too_few_thinking", count=1).startswith(
        "Only 1 model that can think is available.")
    assert translate("en", "ollama.too_few_thinking", count=0).startswith(
        "Only 0 models that can think are available.")

    def imported(lang, added, skipped):
        return translate(lang, "data.imported", count=added,
                         already=translate(lang, "data.imported.already", count=skipped))

    assert imported("en", 1, 1) == "Imported 1 battle (1 was already here)."
    assert imported("en", 2, 0) == "Imported 2 battles (0 were already here)."
    assert translate("en", "queue.waiting", count=1, capacity=2).startswith(
        "Waiting for a free slot: 1 battle ahead of yours.")
    assert translate("en", "arena.download_whole", count=12345) == \
        "⬇ The whole answer (12,345 characters)"
    # Chinese has one form, the same for every count.
    assert imported("zh", 1, 1) == "已导入 1 场对战（1 场已存在）。"
    assert imported("zh", 2, 0) == "已导入 2 场对战（0 场已存在）。"
    assert translate("zh", "ollama.too_few_thinking", count=1).startswith("支持思考的模型只有 1 个。")


def test_translate_fills_values_and_switches_language():
    assert "30000" in translate("en", "prompt.too_long", count=30000, length=30001)
    assert translate("zh", "arena.model_a") == "模型 A"
    assert translate("zh-CN", "arena.model_a") == "模型 A"
    assert translate("fr", "arena.model_a") == "Model A"


def test_a_language_tag_finds_its_catalog():
    assert [normalise_language(tag) for tag in ("zh", "ZH_cn", "zh-Hans-CN", "en_GB", "fr", "",
                                                None)] == ["zh", "zh", "zh", "en", "en", "en", "en"]


def test_default_language_comes_from_arena_lang():
    assert load_settings({"ARENA_LANG": "zh_CN"}).language == "zh_CN"
    assert normalise_language(load_settings({"ARENA_LANG": "zh_CN"}).language) == "zh"
    assert normalise_language(load_settings({}).language) == "en"


def test_settings_do_not_load_the_catalog():
    code = "import sys, arena.settings; print('arena.i18n' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_adding_a_language_is_adding_a_file(tmp_path):
    for code in MESSAGES:
        (tmp_path / f"{code}.json").write_text(json.dumps(MESSAGES[code]), encoding="utf-8")
    french = {**MESSAGES["zh"], "language.name": "Français"}
    (tmp_path / "fr.json").write_text(json.dumps(french), encoding="utf-8")
    found = load_catalogs(tmp_path)
    assert list(found) == ["en", "fr", "zh"]  # the default first, for the picker
    assert found["fr"]["language.name"] == "Français"


def test_a_key_given_twice_is_refused(tmp_path):
    (tmp_path / "en.json").write_text('{"a": "x", "b": "y", "a": "z"}', encoding="utf-8")
    with pytest.raises(ValueError, match="'a'"):
        load_catalogs(tmp_path)
