"""A local model as judge: the prompt it is given, how its verdict is read, and how the two
orders of a battle combine (issue 14). Pure: no database, no Streamlit, no Ollama.

The format is the pairwise one of MT-Bench and Arena-Hard: the user question, the category's
instruction, the two answers between fixed markers, then reasoning and a final verdict alone on
the last line, exactly one of `[[A]]`, `[[B]]`, `[[C]]` (tie). Every battle is judged twice, the
second time with the answers swapped, so that a judge that prefers a position rather than an
answer shows it: its verdict flips with the order and it abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

PROMPT_VERSION = "judge-v1"  # bump whenever the prompt text below changes; stored with each one

VERDICTS = ("A", "B", "C")  # C: a tie

# Outcomes, in the battle's own sides (stored and exported; the first three are the human labels).
JUDGE_A = "model_a"
JUDGE_B = "model_b"
JUDGE_TIE = "tie"
ABSTAIN = "abstain"  # the verdict flipped with the order: position bias
NO_VERDICT = "no_verdict"  # an order's output had no valid verdict line
OUTCOMES = (JUDGE_A, JUDGE_B, JUDGE_TIE, ABSTAIN, NO_VERDICT)

START_A, END_A = "[The Start of Assistant A's Answer]", "[The End of Assistant A's Answer]"
START_B, END_B = "[The Start of Assistant B's Answer]", "[The End of Assistant B's Answer]"

SYSTEM = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two "
    "AI assistants to the user question displayed below. You should choose the assistant that "
    "follows the user's instructions and answers the user's question better. Follow the "
    "instructions for this kind of task given with the question. Begin your evaluation by "
    "comparing the two responses and provide a short explanation. Avoid any position biases and "
    "ensure that the order in which the responses were presented does not influence your "
    "decision. Do not allow the length of the responses to influence your evaluation. Do not "
    "favor certain names of the assistants. Be as objective as possible. After providing your "
    'explanation, output your final verdict by strictly following this format: "[[A]]" if '
    'assistant A is better, "[[B]]" if assistant B is better, and "[[C]]" for a tie.'
)
DEMAND = (
    "Compare the two answers. Write your reasoning first. Then write your final verdict alone on "
    "the last line, exactly one of: [[A]] if assistant A is better, [[B]] if assistant B is "
    "better, [[C]] for a tie."
)

DEFAULT_INSTRUCTIONS: dict[str, dict[str, str]] = {
    "general": {
        "en": "A good answer is correct, helpful and relevant to the question, as detailed as "
              "the question needs and no more, and clearly written.",
        "zh": "好的回答内容正确、有帮助、切题，详略得当，不多不少，表达清楚。",
    },
    "classification": {
        "en": "A good answer gives the right label, one of those the question names, and "
              "nothing else beyond at most one sentence of justification. A wrong label loses "
              "to a right one whatever the explanation; an answer without a clear label is bad.",
        "zh": "好的回答给出正确的标签（必须是题目列出的标签之一），除最多一句理由外不附加其他内容。"
              "标签错误的回答无论解释得多好，都不如标签正确的回答；没有明确标签的回答是差的回答。",
    },
    "copywriting": {
        "en": "A good answer follows the brief exactly (number of lines, length limits, "
              "audience, product facts), is original, memorable and natural in its language, "
              "and invents no claims about the product.",
        "zh": "好的回答严格遵守要求（条数、字数限制、目标受众、产品事实），原创、好记，"
              "语言自然地道，不编造产品没有的卖点。",
    },
    "coding": {
        "en": "A good answer gives correct, runnable code that does what was asked, handles the "
              "obvious edge cases, and explains briefly. Code that would not run or gives wrong "
              "results loses to correct code, however well explained.",
        "zh": "好的回答给出正确、可以直接运行、满足要求的代码，处理明显的边界情况，并作简要说明。"
              "无法运行或结果错误的代码，无论解释得多好，都不如正确的代码。",
    },
    "math": {
        "en": "A good answer reaches the right result by valid steps and shows them clearly. A "
              "wrong final result loses to a right one; check the arithmetic yourself.",
        "zh": "好的回答通过正确的步骤得出正确的结果，并清楚地写出步骤。最终结果错误的回答不如结果"
              "正确的回答；请自己核对计算。",
    },
    "translation": {
        "en": "A good answer is a faithful, fluent translation into the requested language that "
              "keeps the meaning and tone of the original, and outputs only the translation.",
        "zh": "好的回答是译入指定语言的忠实、流畅的译文，保留原文的意思和语气，只输出译文。",
    },
}
GENERAL = "general"  # the instruction for categories without one of their own


def default_instruction(category: str, lang: str = "en") -> str:
    """The default judging instruction for a category slug, in `lang` ("en" or "zh"); a
    category without a default gets the general one, a language without one gets English."""
    texts = DEFAULT_INSTRUCTIONS.get(category, DEFAULT_INSTRUCTIONS[GENERAL])
    return texts.get(lang, texts["en"])


def judge_messages(prompt: str, instruction: str, first: str, second: str,
                   system_prompt: str | None = None) -> list[dict]:
    """The chat (system + user) asking the judge to compare `first` (shown as Assistant A) with
    `second` (Assistant B). `system_prompt` is the one the contestants were given, shown to the
    judge as part of the question; an empty `instruction` is left out."""
    parts = []
    if system_prompt:
        parts.append(f"[System Prompt Given to the Assistants]\n{system_prompt}")
    parts.append(f"[User Question]\n{prompt}")
    if instruction.strip():
        parts.append(f"[Instructions for Judging This Task]\n{instruction.strip()}")
    parts.append(f"{START_A}\n{first}\n{END_A}")
    parts.append(f"{START_B}\n{second}\n{END_B}")
    parts.append(DEMAND)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


# An optional `Final verdict` label (any case, colon optional, ASCII or full-width), then the
# verdict; emphasis characters are dropped before matching, as neither contains one.
_VERDICT_LINE = re.compile(r"(?:(?i:final\s+verdict)\s*[:：]?\s*)?\[\[([ABC])\]\]")
_EMPHASIS = str.maketrans("", "", "*_")


def parse_verdict(output: str) -> str | None:
    """The verdict ("A", "B" or "C") on the last non-empty line of a judge's output, or None
    when that line is not a verdict. Allowed around `[[X]]`: whitespace, markdown emphasis
    (`**[[A]]**`) and a leading "Final verdict:" label; nothing else (a verdict earlier in the
    output never counts, nor does a line with two verdicts). The letter must be upper case."""
    lines = [line for line in (output or "").splitlines() if line.strip()]
    if not lines:
        return None
    match = _VERDICT_LINE.fullmatch(lines[-1].translate(_EMPHASIS).strip())
    return match.group(1) if match else None


_FIRST_ORDER = {"A": JUDGE_A, "B": JUDGE_B, "C": JUDGE_TIE}
_SWAPPED_ORDER = {"A": JUDGE_B, "B": JUDGE_A, "C": JUDGE_TIE}  # side b was shown as Assistant A


def combine(first: str | None, second: str | None) -> str:
    """The outcome of a battle judged in both orders. `first` is the verdict with the battle's
    side a shown as Assistant A, `second` the verdict with the sides swapped. Rules, after
    mapping `second` back to the battle's sides:

    - either verdict missing (None) → NO_VERDICT;
    - the same side wins both times → that side (JUDGE_A or JUDGE_B);
    - a tie both times → JUDGE_TIE;
    - a win in one order and a tie in the other → JUDGE_TIE: the conservative reading, since the
      judge did not prefer that answer whatever the order (a full flip would have abstained);
    - opposite winners → ABSTAIN: the judge preferred a position, not an answer.
    """
    for verdict in (first, second):
        if verdict is not None and verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r} (expected one of {', '.join(VERDICTS)})")
    if first is None or second is None:
        return NO_VERDICT
    one, other = _FIRST_ORDER[first], _SWAPPED_ORDER[second]
    if one == other:
        return one
    if JUDGE_TIE in (one, other):
        return JUDGE_TIE
    return ABSTAIN


@dataclass(frozen=True)
class JudgeRates:
    """One judge's outcomes counted: `judged` battles in all, of which `wins` (either side),
    `ties`, `abstained` (the verdict flipped) and `no_verdict`."""

    judged: int
    wins: int
    ties: int
    abstained: int
    no_verdict: int

    @property
    def position_bias_rate(self) -> float:
        """Share of the battles with two verdicts in which the verdict flipped with the order
        (NaN with none)."""
        both = self.judged - self.no_verdict
        return self.abstained / both if both else math.nan

    @property
    def no_verdict_rate(self) -> float:
        """Share of the judged battles without a valid verdict in some order (NaN with none)."""
        return self.no_verdict / self.judged if self.judged else math.nan


def judge_rates(outcomes: Iterable[str]) -> JudgeRates:
    """Count a judge's combined outcomes (each one of OUTCOMES)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome in outcomes:
        if outcome not in counts:
            raise ValueError(f"unknown judge outcome {outcome!r} "
                             f"(expected one of {', '.join(OUTCOMES)})")
        counts[outcome] += 1
    return JudgeRates(judged=sum(counts.values()), wins=counts[JUDGE_A] + counts[JUDGE_B],
                      ties=counts[JUDGE_TIE], abstained=counts[ABSTAIN],
                      no_verdict=counts[NO_VERDICT])


# What is judged (arena.db.judgements): a live battle, or a prompt set's pair of stored answers.
SUBJECT_BATTLE = "battle"
SUBJECT_PAIR = "pair"


@dataclass(frozen=True)
class JudgeSubject:
    """Two complete answers to one prompt, to judge. A live battle is known by `battle_id`
    (side a is its side a); a prompt-set pair by its two stored answers' ids, `answer_low` <
    `answer_high` (side a is the low one). Models are contestant names, as votes have them."""

    kind: str  # SUBJECT_BATTLE or SUBJECT_PAIR
    category: str
    prompt: str
    system_prompt: str
    model_a: str
    model_b: str
    text_a: str
    text_b: str
    battle_id: str | None = None
    answer_low: int | None = None
    answer_high: int | None = None


@dataclass(frozen=True)
class Judgement:
    """One judge's judgement of a subject in both orders (`first`: side a shown as Assistant A),
    or a failed attempt: `error` set and `outcome` None (retried by the next run)."""

    subject: JudgeSubject
    judge_model: str
    judge_digest: str
    judge_host: str
    prompt_version: str
    instruction: str
    started_at: str
    finished_at: str
    output_first: str = ""
    output_second: str = ""
    thinking_first: str = ""
    thinking_second: str = ""
    verdict_first: str | None = None
    verdict_second: str | None = None
    outcome: str | None = None  # one of OUTCOMES
    error: str | None = None
