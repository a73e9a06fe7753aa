"""How a model's answer may be shown: markdown that fetches nothing, and a bounded part of it.

An answer is the model's text, so it is untrusted: a markdown image `![x](https://…)` would make
every reader's browser ask a third party for it (telling it who reads, and when). And an answer
can be megabytes long: redrawing all of it on every update costs minutes in the browser.
"""

from __future__ import annotations

import re

# How much of an answer the page shows, in characters: while it streams (redrawn ten times a
# second), and once it has ended, before the reader asks for all of it.
STREAMING_CHARS = 20_000
SHOWN_CHARS = 100_000

# A fence opening or closing a code block: up to three spaces, then ``` or ~~~.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Inside a code block, only what would be an image if the block were prose after all:
# `![…](` or `![…][` on one line, or any `![` once the text defines a reference (`[name]: url`).
_CODE_IMAGE = re.compile(r"!(?=\[[^\n]*\][(\[])")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.M)
# Between "!" and "[" it breaks the image syntax and shows nothing: `![alt](url)` reads "!alt",
# with alt a link. (A backslash would do in prose but show in code spans, as in `vec![1]`.)
_SPLIT = "!\u200b"


def _split_all(text: str) -> str:
    return text.replace("![", _SPLIT + "[")


def _split_in_code(line: str, any_image: bool) -> str:
    """Code is changed only where it matters, so that code such as Rust's `vec![1, 2]` in a
    code block is left as written."""
    return _split_all(line) if any_image else _CODE_IMAGE.sub(_SPLIT, line)


def no_remote_images(text: str) -> str:
    """The markdown `text` with every image turned into a link to it, so that showing it asks
    no one for anything. Raw HTML (`<img src=…>`) needs nothing here: Streamlit's markdown
    shows it as text.

    In code blocks only what would be an image is changed, in case a block taken for code here
    is not code to the renderer.
    """
    any_image = _REFERENCE.search(text) is not None
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None:
            # A backtick fence's info string may not hold a backtick.
            if match and not (match.group(1)[0] == "`" and "`" in line[match.end():]):
                out.append(_split_all("".join(prose)))
                prose = []
                fence = match.group(1)
                out.append(line)
            else:
                prose.append(line)
            continue
        # A fence closes with the same character, at least as long, and nothing after it.
        if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line[match.end():].strip():
            fence = None
            out.append(line)
        else:
            out.append(_split_in_code(line, any_image))
    out.append(_split_all("".join(prose)))
    return "".join(out)


def shown_part(text: str, limit: int) -> tuple[str, int]:
    """The beginning of `text` to show (at most `limit` characters, cut at a line end when one
    is near) and how many characters are left out."""
    if len(text) <= limit:
        return text, 0
    cut = text.rfind("\n", limit - limit // 10, limit)
    cut = cut if cut > 0 else limit
    return text[:cut], len(text) - cut


def literal_markdown(text: str) -> str:
    """`text` shown as written where markdown is rendered (a set's name, an expected answer:
    anyone's text): every character markdown gives a meaning escaped."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$])", r"\\\1", text)
