import pytest

from arena.think_tags import ThinkTagSplitter

TEXT = "<think>\nLet me think. 2 < 3 and </thi is not a tag.\n</think>\n\nThe answer is 42."


def _run(chunks):
    splitter = ThinkTagSplitter()
    pieces = [p for c in chunks for p in splitter.feed(c)] + splitter.flush()
    thinking = "".join(t for k, t in pieces if k == "thinking")
    content = "".join(t for k, t in pieces if k == "content")
    return thinking, content


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, len(TEXT)])
def test_tags_split_across_chunks_of_any_size(size):
    chunks = [TEXT[i:i + size] for i in range(0, len(TEXT), size)]
    thinking, content = _run(chunks)
    assert thinking == "\nLet me think. 2 < 3 and </thi is not a tag.\n"
    assert content == "The answer is 42."


def test_every_single_cut_point():
    for cut in range(1, len(TEXT)):
        assert _run([TEXT[:cut], TEXT[cut:]])[1] == "The answer is 42."


def test_no_tags_is_all_content():
    assert _run(["Hello", " world"]) == ("", "Hello world")


def test_leading_whitespace_before_the_tag():
    assert _run(["  \n", "<thi", "nk>x</think>y"]) == ("x", "y")


def test_a_tag_later_in_the_answer_is_content():
    text = "Use the <think> element like this: <think>hi</think>"
    assert _run([text]) == ("", text)


def test_unterminated_thinking_is_kept_as_thinking():
    assert _run(["<think>still going", " on"]) == ("still going on", "")


def test_content_that_starts_like_a_tag_but_is_not():
    assert _run(["<th", "ree>"]) == ("", "<three>")
