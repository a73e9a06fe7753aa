"""An answer's style counts, for style control (arena.style_control): its length in tokens and
how many markdown headers, list items and bold spans it has.

As lmarena counts them (their regular expressions, docs/ratings.md "Style control"): headers
`^#{1,6}\\s`, list items `^\\s*\\d+\\.\\s` and `^\\s*[-*+]\\s`, bold spans `\\*\\*[^*\\n]+\\*\\*`
and `__[^_\\n]+__`, each counted in the answer with its code blocks removed first (fenced with
``` or ~~~, or indented by four spaces after a blank line): a `# comment` in a code block is no
header. The length counts the whole answer, code included, as lmarena's token length does: code
is part of what the reader got.

Tokens are an approximation, not a model's tokenizer (each model has its own, and a local arena
has no tokenizer files): one token per CJK character, and one per four other characters that are
not spaces (the rule of thumb for English with BPE tokenizers), rounded up. Only ratios of two
answers' lengths enter the fit, so what matters is that the count grows in proportion to the
text; and it is cheap (a few C-speed passes over the text), as every answer saved is counted.
"""

from __future__ import annotations

import re

# The counts, in the order they are stored and fitted.
STYLE_FEATURES = ("tokens", "headers", "list_items", "bold")

_HEADER = re.compile(r"^#{1,6}\s", re.M)
_LIST_ITEM = re.compile(r"^\s*\d+\.\s|^\s*[-*+]\s", re.M)
_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# A fence opening or closing a code block, as arena.display reads them: up to three spaces,
# then ``` or ~~~ (a backtick fence's info string holds no backtick).
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LIST_START = re.compile(r"^\s*(?:\d+\.|[-*+])\s")
# Where a code block could start (a fence, or an indented line after a blank line or at the
# start): an answer without one skips without_code's line-by-line pass.
_MAYBE_CODE = re.compile(r"```|~~~|(?:\A|\n[ \t]*\n)(?: {4}|\t)")


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


def tokens(text: str) -> int:
    """About how many tokens `text` is: its CJK characters, plus a quarter of its other
    characters that are not spaces, rounded up."""
    rest = text if text.isascii() else _CJK.sub("", text)  # most answers: no scan at all
    cjk = len(text) - len(rest)
    return cjk + (len("".join(rest.split())) + 3) // 4


def answer_style(text: str | None) -> tuple[int, int, int, int]:
    """(tokens, headers, list items, bold spans) of an answer, in STYLE_FEATURES order; zeros for
    no text."""
    if not text:
        return 0, 0, 0, 0
    prose = without_code(text) if _MAYBE_CODE.search(text) else text
    return (tokens(text), len(_HEADER.findall(prose)),
            len(_LIST_ITEM.findall(prose)), len(_BOLD.findall(prose)))
