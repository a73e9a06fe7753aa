"""The identity-leak rule on a labelled corpus, and on whole battles."""

import identity_heldout
import pytest
from identity_corpus import EXACT_NAMES, ORDINARY, SELF_IDENTIFICATIONS

from arena.identity import identity_leak, names_a_model
from arena.records import Battle, Side


def test_corpus_is_big_enough():
    assert len(ORDINARY) >= 40 and len(SELF_IDENTIFICATIONS) >= 20
    chinese = [t for t, _ in ORDINARY + SELF_IDENTIFICATIONS if any("\u4e00" <= c <= "\u9fff"
                                                                    for c in t)]
    assert len(chinese) >= 15


@pytest.mark.parametrize("text,models", ORDINARY + identity_heldout.ORDINARY)
def test_a_passing_mention_is_not_a_leak(text, models):
    assert not names_a_model(text, list(models))


@pytest.mark.parametrize("text,models",
                         SELF_IDENTIFICATIONS + EXACT_NAMES + identity_heldout.LEAKS)
def test_self_identification_and_exact_names_are_leaks(text, models):
    assert names_a_model(text, list(models))


def battle(answer_a, prompt="Say hi", model_b="llama3.2:3b", thinking_b=""):
    return Battle("general", prompt, "", {}, Side("qwen3:8b", answer=answer_a),
                  Side(model_b, answer="Hello!", thinking=thinking_b))


def test_identity_leak_reads_both_answers_and_thinking():
    assert identity_leak(battle("I am Qwen, made by Alibaba."))
    assert identity_leak(battle("As LLaMA, I think..."))
    assert identity_leak(battle("我是通义千问。"))
    assert identity_leak(battle("Hi", thinking_b="I am Llama, so I should greet."))
    assert identity_leak(battle("Hi", model_b="phi4:14b", thinking_b="As Phi-4, I answer."))
    assert identity_leak(battle("Hi", model_b="phi4:14b", thinking_b="Microsoft trained me."))
    assert not identity_leak(battle("Hello there!"))


def test_thinking_the_voter_cannot_see_gives_nothing_away():
    hidden = battle("Hi", thinking_b="I am Llama, so I should greet.")
    assert not identity_leak(hidden, thinking_shown=False)


def test_a_word_in_the_prompt_does_not_switch_the_check_off():
    # "philosophy" in the prompt used to disable the check for phi.
    assert identity_leak(battle("Hi", prompt="Explain philosophy", model_b="phi4:14b",
                                thinking_b="I am Phi, made by Microsoft."))


def test_an_exact_name_the_prompt_asked_about_is_fair_to_repeat():
    assert not identity_leak(battle("Qwen3 is a model family.", prompt="What is qwen3?"))
    assert identity_leak(battle("Qwen3 is a model family.", prompt="What is a model?"))
    # A self-introduction gives the model away whatever the prompt asked.
    assert identity_leak(battle("I am Qwen.", prompt="Are you Qwen?"))


def test_a_self_introduction_at_the_end_of_a_long_answer_is_found():
    long_answer = "Google it, then open Microsoft Excel. " * 20_000 + "By the way, I am Qwen."
    assert names_a_model(long_answer, ["qwen3:8b", "gemma3:4b"])
    assert not names_a_model(long_answer[:-22], ["qwen3:8b", "gemma3:4b"])
