"""The fake Ollama as a judge: over real HTTP with the official `ollama` client, it reads the
arena's judge prompt and answers with a verdict by the rule the test chose, in both orders."""

import subprocess
import sys
from pathlib import Path

import ollama
import pytest
from fake_ollama import (
    THINK_TAGS,
    THINKING,
    FakeOllama,
    always_a_judge,
    judge,
    longer_answer_judge,
    malformed_judge,
)

from arena.judging import (
    ABSTAIN,
    JUDGE_A,
    JUDGE_B,
    JUDGE_TIE,
    NO_VERDICT,
    combine,
    judge_messages,
    parse_verdict,
)
from arena.think_tags import CONTENT, ThinkTagSplitter

PROMPT = "Name the capital of France."
SHORT = "Paris."
LONG = "The capital of France is Paris, on the Seine."


def ask(client: ollama.Client, model: str, first: str, second: str,
        think: bool | None = None) -> tuple[str, str]:
    """(content, thinking) of a judge's streamed answer to `first` shown as A, `second` as B."""
    content, thinking = [], []
    messages = judge_messages(PROMPT, "Be correct and brief.", first, second)
    for chunk in client.chat(model=model, messages=messages, stream=True, think=think):
        content.append(chunk.message.content or "")
        thinking.append(chunk.message.thinking or "")
    return "".join(content), "".join(thinking)


def both_orders(client: ollama.Client, model: str, a: str, b: str) -> tuple[str | None, ...]:
    """The verdicts with side a shown first, then with the sides swapped."""
    return (parse_verdict(ask(client, model, a, b)[0]), parse_verdict(ask(client, model, b, a)[0]))


@pytest.fixture
def client():
    judges = [always_a_judge("always-a:1"), longer_answer_judge("longer:1"),
              malformed_judge("malformed:1"),
              longer_answer_judge("thinker:1", style=THINKING),
              longer_answer_judge("tagger:1", style=THINK_TAGS)]
    with FakeOllama(judges) as fake:
        yield ollama.Client(host=fake.url, timeout=30)


def test_an_always_a_judge_flips_with_the_order_and_so_abstains(client):
    first, second = both_orders(client, "always-a:1", SHORT, LONG)
    assert (first, second) == ("A", "A")
    assert combine(first, second) == ABSTAIN


def test_a_longer_answer_judge_is_consistent_in_both_orders(client):
    assert both_orders(client, "longer:1", SHORT, LONG) == ("B", "A")
    assert combine(*both_orders(client, "longer:1", SHORT, LONG)) == JUDGE_B
    assert combine(*both_orders(client, "longer:1", LONG, SHORT)) == JUDGE_A
    assert both_orders(client, "longer:1", SHORT, "Lille.") == ("C", "C")  # same length: a tie
    assert combine(*both_orders(client, "longer:1", SHORT, "Lille.")) == JUDGE_TIE


def test_a_judge_replies_with_reasoning_then_the_verdict_alone_on_the_last_line(client):
    content, thinking = ask(client, "longer:1", SHORT, LONG)
    reasoning, verdict = content.rsplit("\n", 1)
    assert verdict == "[[B]]" and len(reasoning.strip()) > 20 and thinking == ""


def test_a_malformed_judge_gives_no_verdict_though_it_names_one_in_its_reasoning(client):
    content, _ = ask(client, "malformed:1", SHORT, LONG)
    assert "[[A]]" in content
    first, second = both_orders(client, "malformed:1", SHORT, LONG)
    assert first is None and second is None
    assert combine(first, second) == NO_VERDICT


def test_a_thinking_judge_thinks_apart_and_honours_think(client):
    content, thinking = ask(client, "thinker:1", SHORT, LONG, think=True)
    assert thinking and "[[" not in thinking
    assert parse_verdict(content) == "B"
    content, thinking = ask(client, "thinker:1", SHORT, LONG, think=False)
    assert thinking == "" and parse_verdict(content) == "B"
    # Not streamed: the same answer in one object.
    whole = client.chat(model="thinker:1", messages=judge_messages(PROMPT, "", LONG, SHORT))
    assert whole.message.thinking and parse_verdict(whole.message.content) == "A"


def test_a_judge_thinking_in_tags_has_its_verdict_after_the_tags(client):
    content, _ = ask(client, "tagger:1", SHORT, LONG)
    splitter = ThinkTagSplitter()
    pieces = splitter.feed(content) + splitter.flush()
    answer = "".join(text for kind, text in pieces if kind == CONTENT)
    assert answer != content and parse_verdict(answer) == "B"


def test_a_judge_reads_only_the_last_user_message():
    seen = []
    with FakeOllama([judge("j:1", lambda a, b: seen.append((a, b)) or "A")]) as fake:
        client = ollama.Client(host=fake.url, timeout=30)
        earlier = judge_messages("Old question", "", "old one", "old two")[1]
        messages = [earlier, {"role": "assistant", "content": "[[B]]"},
                    *judge_messages(PROMPT, "Be brief.", "first\nanswer", "")]
        reply = client.chat(model="j:1", messages=messages).message.content
        assert parse_verdict(reply) == "A"
        assert seen == [("first\nanswer", "")]  # both answers whole, an empty one included
        plain = client.chat(model="j:1", messages=[{"role": "user", "content": "Hello"}])
        assert parse_verdict(plain.message.content) is None and len(seen) == 1


def test_the_command_line_serves_the_judges_beside_the_default_models():
    fake = Path(__file__).with_name("fake_ollama.py")
    process = subprocess.Popen([sys.executable, str(fake), "--judges", "--token-delay", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        client = ollama.Client(host=process.stdout.readline().strip(), timeout=30)
        names = {m.model for m in client.list().models}
        assert {"judge-always-a:1", "judge-longer:1", "judge-malformed:1", "qwen3:8b"} <= names
        assert both_orders(client, "judge-always-a:1", SHORT, LONG) == ("A", "A")
        assert both_orders(client, "judge-longer:1", SHORT, LONG) == ("B", "A")
        assert both_orders(client, "judge-malformed:1", SHORT, LONG) == (None, None)
        assert ask(client, "judge-longer:1", SHORT, LONG, think=True)[1]  # a thinking judge
    finally:
        process.terminate()
        process.wait(10)
