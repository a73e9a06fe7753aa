import re

from arena.i18n import MESSAGES, translate
from arena.settings import load_settings


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_both_catalogs_have_the_same_keys():
    assert set(MESSAGES["en"]) == set(MESSAGES["zh"])


def test_both_catalogs_have_the_same_placeholders():
    for key, english in MESSAGES["en"].items():
        assert _placeholders(english) == _placeholders(MESSAGES["zh"][key]), key


def test_no_empty_messages():
    for lang, catalog in MESSAGES.items():
        assert all(text.strip() for text in catalog.values()), lang


def test_translate_fills_values_and_switches_language():
    assert "30000" in translate("en", "prompt.too_long", limit=30000, length=30001)
    assert translate("zh", "arena.model_a") == "模型 A"
    assert translate("zh-CN", "arena.model_a") == "模型 A"
    assert translate("fr", "arena.model_a") == "Model A"


def test_default_language_comes_from_arena_lang():
    assert load_settings({"ARENA_LANG": "zh_CN"}).language == "zh"
    assert load_settings({}).language == "en"
