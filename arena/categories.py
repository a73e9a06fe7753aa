"""Task categories and the defaults a new arena starts with.

Categories live in the database (seeded from DEFAULT_CATEGORIES by a migration) so that they can be
added and edited later; this module only defines their shape and the starting set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    description: str
    system_prompt: str = ""
    presets: list[str] = field(default_factory=list)


DEFAULT_CATEGORIES: list[Category] = [
    Category(
        slug="general",
        name="General",
        description="Anything: questions, advice, explanations.",
        presets=[
            "Explain the difference between a process and a thread to a new programmer.",
            "用三句话解释什么是通货膨胀。",
            "What should I check before buying a used bicycle?",
        ],
    ),
    Category(
        slug="classification",
        name="Classification",
        description="Put a text into one of the given labels.",
        system_prompt=(
            "You are a precise text classifier. Answer with the label first, "
            "then at most one sentence of justification."
        ),
        presets=[
            "Classify this product review as positive, negative or neutral:\n"
            "\"The battery lasts two days, but the screen scratched in the first week.\"",
            "Classify this news headline into one of: politics, business, sports, technology, "
            "entertainment.\n\"Chipmaker shares jump after record quarterly revenue forecast\"",
            "请将下面的商品评论分类为：正面、负面或中性。\n"
            "“快递很快，包装完好，但是耳机音质一般，低音有点弱。”",
            "请把这条新闻归入以下类别之一：时政、财经、体育、科技、娱乐。\n"
            "“国产大飞机完成首次商业载客飞行，航空公司计划下月增开航线。”",
        ],
    ),
    Category(
        slug="copywriting",
        name="Copywriting",
        description="Slogans, taglines, product blurbs and ads.",
        system_prompt="You are an experienced copywriter. Be concise and original.",
        presets=[
            "Write three slogans for a reusable stainless-steel water bottle that keeps drinks "
            "cold for 24 hours. At most eight words each.",
            "Write a product tagline and a 50-word description for a quiet mechanical keyboard "
            "aimed at people who work in shared offices.",
            "为一款主打“零糖零卡”的气泡水写三条广告标语，每条不超过十二个字。",
            "为一家开在老城区、只用本地食材的小面馆写一句店铺口号和一段五十字左右的介绍。",
        ],
    ),
    Category(
        slug="coding",
        name="Coding",
        description="Write, explain, review or fix code.",
        system_prompt="You are a senior software engineer. Give working code and explain briefly.",
        presets=[
            "Write a Python function that merges overlapping intervals, with a short test.",
            "What does this SQL return, and how would you make it faster?\n"
            "SELECT * FROM orders WHERE strftime('%Y', created_at) = '2024';",
            "用 JavaScript 写一个防抖（debounce）函数，并说明它和节流（throttle）的区别。",
        ],
    ),
    Category(
        slug="math",
        name="Math & reasoning",
        description="Problems with one right answer, and the steps to it.",
        presets=[
            "A train leaves at 14:10 and arrives at 17:45, covering 287 km. "
            "What is its average speed in km/h?",
            "一个数加上它的三分之一等于 48，这个数是多少？请写出步骤。",
            "Is 391 a prime number? Explain how you checked.",
        ],
    ),
    Category(
        slug="translation",
        name="Translation",
        description="Translate between languages, keeping tone and meaning.",
        system_prompt="You are a professional translator. Output only the translation.",
        presets=[
            "Translate into Simplified Chinese: \"Our support team replies within one business "
            "day. Thank you for your patience.\"",
            "把这句话翻译成自然的英文：“这款应用帮你把零散的笔记整理成清晰的待办清单。”",
            "Translate into English, keeping the polite tone: "
            "« Nous vous prions de bien vouloir nous excuser pour ce retard. »",
        ],
    ),
]


DEFAULTS_BY_SLUG = {c.slug: c for c in DEFAULT_CATEGORIES}


def is_default_text(category: Category, field_name: str) -> bool:
    """Whether a category's name or description is still the one it started with (and so may
    be shown translated)."""
    default = DEFAULTS_BY_SLUG.get(category.slug)
    return default is not None and getattr(default, field_name) == getattr(category, field_name)


def new_slug(name: str, taken: set[str]) -> str:
    """A stable identifier for a new category: its name in lower case, words joined by '-'
    (any script; `category` when nothing is left), made unique against `taken`."""
    base = re.sub(r"[^\w]+", "-", name.strip().lower()).strip("-_") or "category"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug
