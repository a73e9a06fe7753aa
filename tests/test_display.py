"""How answers are shown: images never fetched, long answers cut."""

import re

import pytest

from arena.display import no_remote_images, shown_part

ZWSP = "\u200b"


def images(markdown: str) -> list[str]:
    """What a CommonMark renderer would take for an image: "![" right before a bracket that
    closes and is followed by a link or a reference (enough for these cases)."""
    return re.findall(r"!\[[^\]]*\][(\[]", markdown)


@pytest.mark.parametrize("answer", [
    "![a pixel](https://tracker.example/p.png)",
    "Look: ![x](http://h/x.png \"title\") and ![y][ref]\n\n[ref]: http://h/y.png",
    "![multi\nline alt](http://h/z.png)",
    "Wow!![x](http://h/x.png)",
    "Escaped backslash first: \\\\![x](http://h/x.png)",
    "Escaped image first: \\![x](a) then ![y](http://h/y.png)",
    "`code` then ![x](http://h/x.png) then `more`",
    "``` not a fence `because` of backticks\n![x](http://h/x.png)\n",
])
def test_every_image_outside_code_becomes_a_link(answer):
    shown = no_remote_images(answer)
    assert images(shown) == []
    assert shown.replace(ZWSP, "") == answer  # nothing visible changes but the image syntax


def test_code_blocks_are_left_as_written_unless_they_hold_an_image():
    answer = ("```rust\nlet v = vec![1, 2];\n```\n\n"
              "~~~markdown\n![logo](http://h/logo.png)\n~~~\n")
    shown = no_remote_images(answer)
    assert "vec![1, 2]" in shown  # Rust code is not an image and stays byte for byte
    # A block that is code to us might not be to the renderer: its image is split too.
    assert "!" + ZWSP + "[logo]" in shown


def test_a_reference_anywhere_splits_every_image_in_code_too():
    answer = "```\n![ref]\n```\n\n[ref]: http://h/y.png\n"
    assert "!" + ZWSP + "[ref]" in no_remote_images(answer)


def test_shown_part_cuts_long_text_near_a_line_end():
    text = ("line of text\n" * 1000)
    shown, hidden = shown_part(text, 5000)
    assert len(shown) <= 5000 and shown.endswith("text") and hidden == len(text) - len(shown)
    assert shown_part("short", 5000) == ("short", 0)
    one_line = "x" * 10_000
    assert shown_part(one_line, 5000) == ("x" * 5000, 5000)


def test_literal_markdown_shows_anyones_text_as_written():
    from arena.display import literal_markdown

    text = "**yes** [link](http://x.test) ![img](http://x.test/a.png) `code` #1"
    escaped = literal_markdown(text)
    assert "**" not in escaped.replace("\\*", "") and "![" not in escaped
    assert escaped.replace("\\", "") == text  # nothing lost, only escaped
