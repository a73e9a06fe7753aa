"""An answer's style counts, for style control (arena.style_control): its length in tokens and
how many markdown headers, list items and bold spans it has.

As lmarena counts them (their regular expressions, docs/ratings.md "Style control"): headers
`^#{1,6}\\s`, list items `^\\s*\\d+\\.\\s` and `^\\s*[-*+]\\s`, bold spans `\\*\\*[^*\\n]+\\*\\*`
and `__[^_\\n]+__`, each counted in the answer with its code blocks removed first (fenced with
``` or ~~~, or indented by four spaces after a blank line): a `# comment` in a code block is no
header. The length counts the whole answer, code included, as lmarena's token length does: code
is part of what the reader got.

Tokens are an approximation, not a model's tokenizer (each model has its own, and a local arena
has no tokenizer files): one token per CJK character, per run of up to six letters or digits, and
per punctuation mark. Only ratios of two answers' lengths enter the fit, so what matters is that
the count grows in proportion to the text.
"""

from __future__ import annotations

import re

# The counts, in the order they are stored and fitted.
STYLE_FEATURES = ("tokens", "headers", "list_items", "bold")

_HEADER = re.compile(r"^#{1,6}\s", re.M)
_LIST_ITEM = re.compile(r"^\s*\d+\.\s|^\s*[-*+]\s", re.M)
_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
                    r"|[^\W_]{1,6}|[^\w\s]|_")
# A fence opening or closing a code block, as arena.display reads them: up to three spaces,
# then ``` or ~~~ (a backtick fence's info string holds no backtick).
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LIST_START = re.compile(r"^\s*(?:\d+\.|[-*+])\s")


def without_code(text: str) -> str:
    """`text` with its code blocks left out: fenced blocks (an unclosed fence runs to the end)
    and indented blocks (lines indented four spaces or a tab after a blank line; an indented
    list item is a nested list, not code)."""
    kept: list[str] = []
    fence: str | None = None
    indented = False
    previous_blank = True
    for line in text.splitlines():
        if fence is not None:
            match = _FENCE.match(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and not line[match.end():].strip():
                fence = None
            continue
        match = _FENCE.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in line[match.end():]):
            fence, indented = match.group(1), False
            continue
        blank = not line.strip()
        if _INDENTED.match(line) and not blank and (indented or previous_blank) \
                and not _LIST_START.match(line):
            indented = True
        elif not blank:
            indented = False
            kept.append(line)
        previous_blank = blank
    return "\n".join(kept)


def answer_style(text: str | None) -> tuple[int, int, int, int]:
    """(tokens, headers, list items, bold spans) of an answer, in STYLE_FEATURES order; zeros for
    no text."""
    if not text:
        return 0, 0, 0, 0
    prose = without_code(text) if ("```" in text or "~~~" in text or "    " in text
                                   or "\t" in text) else text
    return (len(_TOKEN.findall(text)), len(_HEADER.findall(prose)),
            len(_LIST_ITEM.findall(prose)), len(_BOLD.findall(prose)))
