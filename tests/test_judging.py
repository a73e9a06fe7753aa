"""The judge's prompt, how its verdict line is read, and how the two orders combine."""

import math
import re

import pytest

from arena.categories import DEFAULT_CATEGORIES
from arena.judging import (
    ABSTAIN,
    DEFAULT_INSTRUCTIONS,
    JUDGE_A,
    JUDGE_B,
    JUDGE_TIE,
    NO_VERDICT,
    OUTCOMES,
    PROMPT_VERSION,
    VERDICTS,
    JudgeRates,
    combine,
    default_instruction,
    judge_messages,
    judge_rates,
    parse_verdict,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("output", "verdict"), [
    ("Both are fine but A is more precise.\n\n[[A]]", "A"),
    ("[[B]]", "B"),
    ("A tie.\n[[C]]\n\n   \n", "C"),  # blank lines after it do not count
    ("Reasoning.\n   [[A]]   ", "A"),
    ("Reasoning.\n**[[B]]**", "B"),
    ("Reasoning.\n*[[C]]*", "C"),
    ("Reasoning.\n__[[A]]__", "A"),
    ("Reasoning.\nFinal verdict: [[C]]", "C"),
    ("Reasoning.\nfinal verdict: [[B]]", "B"),
    ("Reasoning.\n**Final verdict:** [[A]]", "A"),
    ("Reasoning.\n**Final verdict: [[B]]**", "B"),
    ("Reasoning.\nFinal verdict [[A]]", "A"),
    ("两个回答都正确，但助手B更简洁。\n最终判断如下。\n[[B]]", "B"),  # Chinese reasoning before
    ("At first [[B]] seemed right.\nOn reflection:\n[[A]]", "A"),  # only the last line counts
    ("[[B]]\nOn reflection A is better.", None),  # an earlier verdict is ignored
    ("Reasoning.\n[[A]] or [[B]]", None),  # two verdicts on the line
    ("Reasoning.\n[[A]][[B]]", None),
    ("Reasoning.\n[[A]] [[A]]", None),
    ("Reasoning.\nI pick [[A]]", None),
    ("Reasoning.\n[[A]] because it is shorter", None),
    ("Reasoning.\n最终裁决：[[A]]", None),  # a label other than "Final verdict:"
    ("Reasoning.\n[[a]]", None),
    ("Reasoning.\n[[D]]", None),
    ("Reasoning.\n[A]", None),
    ("Reasoning.\nA", None),
    ("Reasoning without any verdict.", None),
    ("", None),
    ("  \n\n ", None),
])
def test_parse_verdict(output, verdict):
    assert parse_verdict(output) == verdict


def test_parse_verdict_handles_windows_line_ends():
    assert parse_verdict("Reasoning.\r\n[[B]]\r\n") == "B"


# (first order, second order) -> outcome; second is the verdict with side b shown as A.
TRUTH_TABLE = {
    ("A", "B"): JUDGE_A,  # side a wins in both orders
    ("B", "A"): JUDGE_B,  # side b wins in both orders
    ("C", "C"): JUDGE_TIE,
    ("A", "C"): JUDGE_TIE,  # a win and a tie: the conservative reading
    ("C", "B"): JUDGE_TIE,
    ("B", "C"): JUDGE_TIE,
    ("C", "A"): JUDGE_TIE,
    ("A", "A"): ABSTAIN,  # Assistant A both times: the position won, not an answer
    ("B", "B"): ABSTAIN,
    ("A", None): NO_VERDICT,
    ("B", None): NO_VERDICT,
    ("C", None): NO_VERDICT,
    (None, "A"): NO_VERDICT,
    (None, "B"): NO_VERDICT,
    (None, "C"): NO_VERDICT,
    (None, None): NO_VERDICT,
}


def test_the_truth_table_covers_every_pair_of_verdicts():
    options = (*VERDICTS, None)
    assert set(TRUTH_TABLE) == {(f, s) for f in options for s in options}


@pytest.mark.parametrize(("first", "second"), list(TRUTH_TABLE))
def test_combine(first, second):
    assert combine(first, second) == TRUTH_TABLE[(first, second)]


def test_combine_refuses_what_is_not_a_verdict():
    with pytest.raises(ValueError, match="'\\[\\[A\\]\\]'"):
        combine("[[A]]", "B")
    with pytest.raises(ValueError, match="'a'"):
        combine("A", "a")


def test_judge_messages_show_the_question_instruction_and_both_answers_in_order():
    messages = judge_messages("Classify: great phone!", "只给出正确的标签。", "positive",
                              "negative\nbecause")
    assert [m["role"] for m in messages] == ["system", "user"]
    system, user = messages[0]["content"], messages[1]["content"]
    assert all(v in system for v in ("[[A]]", "[[B]]", "[[C]]"))
    found = re.search(r"\[The Start of Assistant A's Answer\]\n(.*?)\n"
                      r"\[The End of Assistant A's Answer\]\n\n"
                      r"\[The Start of Assistant B's Answer\]\n(.*?)\n"
                      r"\[The End of Assistant B's Answer\]", user, re.DOTALL)
    assert found.groups() == ("positive", "negative\nbecause")
    question, instruction = user.index("Classify: great phone!"), user.index("只给出正确的标签。")
    assert question < instruction < found.start()
    demand = user[found.end():]  # the demand comes last, after the answers
    assert "last line" in demand and all(v in demand for v in ("[[A]]", "[[B]]", "[[C]]"))
    assert "System Prompt" not in user


def test_judge_messages_swap_puts_the_other_answer_first():
    straight = judge_messages("Q", "I", "one", "two")[1]["content"]
    swapped = judge_messages("Q", "I", "two", "one")[1]["content"]
    assert straight.index("one") < straight.index("two")
    assert swapped.index("two") < swapped.index("one")


def test_judge_messages_show_the_contestants_system_prompt_and_leave_out_an_empty_instruction():
    user = judge_messages("Q?", "  ", "x", "y", system_prompt="Output only the translation.")[1]
    assert user["content"].index("Output only the translation.") < user["content"].index("Q?")
    assert "Instructions" not in user["content"]


def test_every_default_category_has_an_instruction_in_english_and_chinese():
    assert set(DEFAULT_INSTRUCTIONS) == {c.slug for c in DEFAULT_CATEGORIES}
    for slug, texts in DEFAULT_INSTRUCTIONS.items():
        assert set(texts) == {"en", "zh"}, slug
        assert texts["en"].strip() and not CJK.search(texts["en"]), slug
        assert len(CJK.findall(texts["zh"])) > 10, slug  # real Chinese, not a copy
        assert default_instruction(slug, "zh") == texts["zh"]
    assert "label" in default_instruction("classification")
    assert "runnable" in default_instruction("coding")


def test_default_instruction_falls_back_to_the_general_one_and_to_english():
    assert default_instruction("poetry") == DEFAULT_INSTRUCTIONS["general"]["en"]
    assert default_instruction("poetry", "zh") == DEFAULT_INSTRUCTIONS["general"]["zh"]
    assert default_instruction("coding", "fr") == DEFAULT_INSTRUCTIONS["coding"]["en"]


def test_the_prompt_version_is_set():
    assert PROMPT_VERSION == "judge-v1"


def test_judge_rates_count_outcomes_and_give_the_position_bias_and_no_verdict_rates():
    outcomes = [JUDGE_A, JUDGE_B, JUDGE_B, JUDGE_TIE, ABSTAIN, ABSTAIN, ABSTAIN, NO_VERDICT]
    rates = judge_rates(outcomes)
    assert rates == JudgeRates(judged=8, wins=3, ties=1, abstained=3, no_verdict=1)
    assert rates.position_bias_rate == pytest.approx(3 / 7)  # of the 7 with two verdicts
    assert rates.no_verdict_rate == pytest.approx(1 / 8)


def test_an_always_a_judge_has_a_position_bias_of_one():
    rates = judge_rates(combine("A", "A") for _ in range(5))
    assert rates.position_bias_rate == 1.0 and rates.wins == 0 and rates.no_verdict_rate == 0.0


def test_judge_rates_without_judgements_are_not_numbers():
    rates = judge_rates([])
    assert rates == JudgeRates(0, 0, 0, 0, 0)
    assert math.isnan(rates.position_bias_rate) and math.isnan(rates.no_verdict_rate)
    only_missing = judge_rates([NO_VERDICT, NO_VERDICT])
    assert math.isnan(only_missing.position_bias_rate) and only_missing.no_verdict_rate == 1.0


def test_judge_rates_refuse_an_unknown_outcome():
    assert len(OUTCOMES) == 5
    with pytest.raises(ValueError, match="'tie \\(bothbad\\)'"):
        judge_rates([JUDGE_A, "tie (bothbad)"])
