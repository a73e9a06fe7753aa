"""Whether an answer gives away which model wrote it: the identity-leak rule of a blind vote.

Two things give a side away: the model saying who it is or who made it ("I am Qwen", "as a Llama
model", "trained by Google", "我是通义千问", "我是由阿里巴巴开发的…"), and the exact name of either
contestant ("qwen3", "Llama 3.2", "DeepSeek-R1"). A company or product named in passing ("Google
it", "Microsoft Excel", "run this command") gives nothing away and is not flagged.

Self-identification is looked for with any well-known model or maker name, not only the two
contestants': a model that claims to be ChatGPT tells the voter something too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from arena.records import Battle

# Model family names and their makers, as models say them. Lower case; Chinese as written.
FAMILIES: dict[str, tuple[str, ...]] = {
    "qwen": ("qwen", "qwq", "tongyi", "通义千问", "通义", "千问", "alibaba", "alibaba cloud",
             "阿里巴巴", "阿里云"),
    "qwq": ("qwq", "qwen", "通义千问", "通义", "alibaba", "阿里巴巴", "阿里云"),
    "llama": ("llama", "meta", "meta ai", "facebook"),
    "codellama": ("code llama", "codellama", "llama", "meta", "meta ai"),
    "gemma": ("gemma", "gemini", "google", "google deepmind", "deepmind", "谷歌"),
    "phi": ("phi", "microsoft", "微软"),
    "gpt": ("gpt", "chatgpt", "openai"),
    "deepseek": ("deepseek", "深度求索"),
    "mistral": ("mistral", "mistral ai"),
    "mixtral": ("mixtral", "mistral ai"),
    "granite": ("granite", "ibm"),
    "glm": ("glm", "chatglm", "zhipu", "智谱", "智谱ai", "清华"),
    "yi": ("yi", "01.ai", "零一万物"),
    "command": ("command r", "cohere"),
    "olmo": ("olmo", "allen ai", "allen institute"),
    "falcon": ("falcon", "tii"),
    "internlm": ("internlm", "书生", "上海人工智能实验室"),
    "baichuan": ("baichuan", "百川"),
    "minicpm": ("minicpm", "面壁"),
    "smollm": ("smollm", "hugging face", "huggingface"),
    "starcoder": ("starcoder", "bigcode", "hugging face"),
    "nemotron": ("nemotron", "nvidia", "英伟达"),
    "exaone": ("exaone", "lg ai"),
}
# Names a model may claim for itself whatever it is (distilled models often claim another's).
OTHER_IDENTITIES = ("claude", "anthropic", "chatgpt", "openai", "gemini", "google", "bard",
                    "ernie", "文心一言", "文心", "百度", "baidu", "kimi", "moonshot", "月之暗面",
                    "doubao", "豆包", "字节跳动", "bytedance", "腾讯", "混元", "hunyuan", "tencent",
                    "讯飞", "星火", "grok", "xai")

# Every name a model may introduce itself with: a llama claiming to be Qwen tells the voter
# something too.
KNOWN_IDENTITIES = frozenset(OTHER_IDENTITIES).union(*FAMILIES.values())

_SELF_WORDS = r"(?:large language model|language model|llm|ai model|model|assistant|ai|chatbot)"
_MADE = r"(?:trained|developed|created|made|built|designed|fine[- ]tuned|programmed|released)"
_ZH_MADE = r"(?:开发|训练|研发|打造|创建|创造|推出|发布|构建|设计|制作)"


def _name_pattern(names: tuple[str, ...]) -> str:
    """Alternation of names as whole words ("phi" does not match "philosophy"); a version right
    after a name is part of it ("Qwen3", "Phi-4")."""
    parts = []
    for name in sorted(set(names), key=len, reverse=True):
        if re.search(r"[\u4e00-\u9fff]", name):
            parts.append(re.escape(name))  # Chinese has no word boundaries
        else:
            words = r"[\s-]+".join(re.escape(w) for w in name.split())
            parts.append(rf"(?<![a-z0-9_]){words}(?:[\s-]?\d[a-z0-9.]*)?(?![a-z])")
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=1024)
def _self_identification(names: tuple[str, ...]) -> re.Pattern:
    """A model saying it is, or was made by, one of `names`."""
    n = _name_pattern(names)
    english = [
        rf"\b(?:i am|i'm|i’m|im|i was|call me|my name is|i am called|this is)\s+"
        rf"(?:an?\s+|the\s+)?{n}",
        rf"\b(?:i am|i'm|i’m)\s+(?:an?|the)\s+(?:[\w-]+\s+){{0,4}}?{_SELF_WORDS}\s+"
        rf"(?:{_MADE}\s+by|from|by|of)\s+(?:the\s+)?{n}",
        rf"\b(?:i was|i have been|i've been|i’ve been|i am|i'm|i’m)\s+(?:\w+\s+)?{_MADE}\s+"
        rf"(?:and\s+\w+\s+)?by\s+(?:the\s+)?{n}",
        rf"\bas\s+(?:an?\s+)?{n}(?:[^.!?\n]{{0,60}}?)?,\s*i\b",
        rf"(?:^|[.!?]\s+){_MADE}\s+by\s+(?:the\s+)?{n}[^.!?\n]{{0,40}}?,\s*i\b",
        rf"\bas\s+(?:an?\s+)?{n}\s+{_SELF_WORDS}\b",
        rf"\bas\s+(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}?{_SELF_WORDS}\s+(?:{_MADE}\s+by|from|of)\s+"
        rf"(?:the\s+)?{n}",
        rf"{n}(?:\s+team)?\s+(?:has\s+)?{_MADE}\s+me\b",
        rf"\bmy\s+(?:creators?|developers?|makers?|maker)\s+(?:is|are|was|were)\s+(?:the\s+)?{n}",
        rf"\bi\s+(?:come|am|'m|’m)\s+from\s+(?:the\s+)?{n}",
        rf"\b(?:i am|i'm|i’m)\s+(?:an?\s+)?{n}(?:'s|’s)\s+(?:\w+\s+)?{_SELF_WORDS}",
    ]
    chinese = [
        rf"我(?:是|叫|名叫|的名字是|的名字叫)\s*{n}",
        rf"我是(?:一个|一款|一种|个)?[^。！？\n]{{0,12}}?(?:由|被)\s*{n}",
        rf"(?:我|本模型|本助手)[^。！？\n]{{0,20}}(?:由|被|是)\s*{n}[^。！？\n]{{0,12}}{_ZH_MADE}",
        rf"{n}[^。！？\n]{{0,8}}{_ZH_MADE}了?我",
        rf"作为(?:一个|一款)?\s*{n}(?:[^。！？\n]{{0,10}}(?:模型|助手|AI|人工智能))?\s*[，,]\s*我",
        rf"作为(?:一个|一款)?(?:由)?\s*{n}[^。！？\n]{{0,8}}{_ZH_MADE}的[^。！？，,\n]{{0,12}}"
        r"(?:模型|助手|AI|人工智能)",
        rf"我来自\s*{n}",
    ]
    return re.compile("|".join(english + chinese), re.IGNORECASE)


def _family(model: str) -> str:
    """`qwen3:8b` -> `qwen`, `library/deepseek-r1:14b` -> `deepseek`."""
    base = model.split(":")[0].split("/")[-1]
    match = re.match(r"[A-Za-z]+", base)
    return match.group(0).lower() if match else ""


def _exact_name(model: str) -> re.Pattern | None:
    """The contestant's own name as people write it: `llama3.2:3b` -> "llama3.2", "Llama 3.2",
    "llama-3.2:3b"; `command-r` -> "Command R"; `gpt-oss:20b` -> "GPT-OSS-20B". A name that is
    one plain word ("mistral", "falcon") is also an ordinary word: it counts only with a size
    or tag after it ("Mistral-7B", "mistral:7b"); otherwise self-identification catches it."""
    base = model.split(":")[0].split("/")[-1].lower()
    parts = re.findall(r"[a-z]+|\d+(?:\.\d+)*", base)
    if not parts:
        return None
    joined = r"[\s_-]?".join(re.escape(p) for p in parts)
    size = r"(?:[\s:_-]?\d+(?:\.\d+)?[bm])"  # a parameter count: 7b, 0.6b, 135m
    if len(parts) == 1 and parts[0].isalpha():
        return re.compile(rf"(?<![a-z0-9_.-]){joined}{size}(?![a-z0-9])", re.IGNORECASE)
    if not any(p[0].isdigit() for p in parts):  # a compound such as "command-r", "neural-chat"
        joined = r"[\s_-]".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![a-z0-9_.-]){joined}(?![a-z]|\d|\.\d)", re.IGNORECASE)


def _identities(model: str) -> tuple[str, ...]:
    family = _family(model)
    return FAMILIES.get(family, (family,) if len(family) > 2 else ())


# How far a self-introduction reaches around the name it contains ("I'm a small open language
# model trained by …", "as Gemma, an open model from Google DeepMind, I …").
_BEFORE, _AFTER = 160, 100
# Places looked at per name: a real self-introduction comes early; an answer that repeats a
# company's name thousands of times must not make the check take minutes.
_MAX_PLACES = 500


def _places(text: str, lower: str, word: str) -> Iterator[int]:
    """Where `word` (lower case) occurs in `text`; str.find on the lowered text is many times
    faster than a case-blind regex over a long answer."""
    if len(lower) != len(text):  # lowering changed the length: offsets would not line up
        yield from (m.start() for m in re.finditer(re.escape(word), text, re.IGNORECASE))
        return
    at = lower.find(word)
    while at != -1:
        yield at
        at = lower.find(word, at + 1)


def _introduces_itself(text: str, names: tuple[str, ...]) -> bool:
    """Self-identification is looked for only around each place a name occurs, with that
    name's own patterns, so that a long answer costs a few scans, not one regex per position."""
    lower = text.lower()
    for name in names:
        pattern = _self_identification((name,))
        checked_to = -1
        for at in islice(_places(text, lower, name.split()[0]), _MAX_PLACES):
            if at < checked_to:
                continue
            if pattern.search(text, max(0, at - _BEFORE), at + len(name) + _AFTER):
                return True
            checked_to = at + _AFTER
    return False


def names_a_model(text: str, models: list[str], prompt: str = "") -> bool:
    """True if `text` gives away one of `models`: self-identification with any known model or
    maker, or the exact name of one of `models`. An exact name the prompt itself uses is fair to
    repeat ("What is qwen3?" → "Qwen3 is …"); a self-introduction gives the model away whatever
    the prompt asked."""
    if not text.strip():
        return False
    own = {name for model in models for name in _identities(model)}
    if _introduces_itself(text, tuple(sorted(own | KNOWN_IDENTITIES))):
        return True
    for model in models:
        exact = _exact_name(model)
        if exact and exact.search(text) and not (prompt and exact.search(prompt)):
            return True
    return False


# The not-counted reason stored with a vote on a battle that gave a model away.
IDENTITY_LEAK = "identity leak"


def identity_leak(battle: Battle, thinking_shown: bool = True) -> bool:
    """True if an answer (or its thinking, when the voter can read it before voting) gives away
    either model, in any turn of the battle. Such a vote is not blind: it is stored but does
    not count, as in Chatbot Arena."""
    models = [side.model for side in battle.sides.values()]
    # Every turn's answers: a model may name itself in a follow-up's answer only.
    for turn in battle.turns:
        texts = [side.answer for side in turn.sides.values()]
        if thinking_shown:
            texts += [side.thinking for side in turn.sides.values()]
        if any(names_a_model(text, models, turn.prompt) for text in texts):
            return True
    return False
