"""Export and import: round trips in every format, formula cells, hostile files, all or nothing."""

import csv
import json

import pandas as pd
import pytest
from db_helpers import count_battles
from rating_helpers import leaderboards
from seed import seed_votes

from arena import ratings
from arena.db import BattleFilter, Store
from arena.files import export, read
from arena.files.checks import MAX_ERRORS, ImportRejected, VoteFileError
from arena.files.export import export_bytes, write_export
from arena.files.importer import import_file
from arena.records import Battle, Side, Vote

TRICKY = ["=SUM(A1:A9)", "+1 call me", "-rm -rf", "@here", "\tindented", "\rreturn",
          "'already quoted", "''two", "plain", "中文：把这句话翻译成英文。", "line\nbreak, \"quoted\"",
          "ctrl\x01char"]


def records(store: Store, where: BattleFilter = BattleFilter()) -> list[dict]:
    """The battles a filter selects, oldest first, with their votes, as nested records: the
    JSON Lines export read back."""
    return [json.loads(line) for line in export_bytes(store, where, "jsonl").splitlines()]


def rich_battles() -> tuple[list[Battle], list[Vote]]:
    battles, votes = [], []
    for k, text in enumerate(TRICKY):
        battle = Battle(
            category="coding" if k % 2 else "copywriting",
            prompt=text, system_prompt="Be brief." if k % 3 else "",
            options={"temperature": 0.7, "seed": k, "num_ctx": 8192, "num_predict": 512},
            side_a=Side("qwen3:8b", digest="d" * 64, host="http://gpu:11434", think="on",
                        answer=text, thinking="hmm " + text, ttft_s=0.25, total_s=3.5,
                        load_s=1.25, prompt_tokens=30, output_tokens=120, tokens_per_s=41.5,
                        done_reason="stop"),
            side_b=Side("llama3.2:3b", think="default", answer=f"B says {k}", ttft_s=0.5,
                        total_s=2.0, output_tokens=80, tokens_per_s=55.0, done_reason="length"),
            created_at=f"2026-11-{10 + k:02d}T08:00:00.000Z",
        )
        if k % 3 == 0:  # a vote-queue battle: its set, item (by id, or by its prompt) and answer
            battle.source, battle.prompt_set = "prompt_set", "新闻分类 news"
            battle.item_id = ["007", None, "条目-3", "=1+1"][k // 3]
            battle.expected = ["体育", "科技", None, "'财经"][k // 3]
        if k == 4:
            battle.status, battle.failure_reason = "failed", "b: busy: server busy"
            battle.side_b.error_kind, battle.side_b.error = "busy", "server busy"
        battles.append(battle)
        if battle.status == "complete" and k != 7:
            votes.append(Vote(battle.id, ["model_a", "model_b", "tie", "tie (bothbad)"][k % 4],
                              "ann" if k % 2 else "小明", f"2026-11-{10 + k:02d}T08:01:00.000Z",
                              counts=k != 9, not_counted_reason="identity leak" if k == 9 else None))
    return battles, votes


@pytest.fixture
def source(tmp_path) -> Store:
    store = Store(tmp_path / "source.db")
    battles, votes = rich_battles()
    store.save_battles(battles, votes)
    return store


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_round_trip(tmp_path, source, form):
    first = tmp_path / f"first.{form}"
    assert write_export(source, first, form) == len(TRICKY)
    target = Store(tmp_path / "target.db")
    result = import_file(target, first)
    assert (result.added, result.skipped) == (len(TRICKY), 0)
    second = tmp_path / f"second.{form}"
    write_export(target, second, form)
    assert list(records(target)) == list(records(source))
    assert first.read_bytes() == second.read_bytes()
    for store in (source, target):
        assert store.count_votes() == len(rich_battles()[1])
    kept = [(b["prompt_set"], b["item_id"], b["expected"]) for b in records(target)]
    assert kept[:4] == [("新闻分类 news", "007", "体育"), (None, None, None), (None, None, None),
                        ("新闻分类 news", None, "科技")]
    assert kept[9] == ("新闻分类 news", "=1+1", "'财经")  # formula-like text survives CSV too
    boards = [leaderboards(s.vote_counts(clusters=True), rounds=100) for s in (source, target)]
    for name in boards[0]:
        pd.testing.assert_frame_equal(boards[0][name], boards[1][name])
    assert import_file(target, first).added == 0  # importing again adds nothing


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_exports_written_in_chunks_read_back_whole(tmp_path, source, monkeypatch, form):
    monkeypatch.setattr(export, "CHUNK", 5)  # twelve battles: three chunks, the last short
    path = tmp_path / f"chunked.{form}"
    assert write_export(source, path, form) == len(TRICKY)
    target = Store(tmp_path / "target.db")
    assert import_file(target, path).added == len(TRICKY)
    assert list(records(target)) == list(records(source))
    if form == "csv":
        assert path.read_bytes().count(b"\xef\xbb\xbf") == 1  # one byte-order mark, at the start


def test_csv_neutralises_formulas_and_opens_in_excel(tmp_path, source):
    path = tmp_path / "votes.csv"
    write_export(source, path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    prompts = [row["prompt"] for row in rows]
    assert "'=SUM(A1:A9)" in prompts and "'+1 call me" in prompts and "'@here" in prompts
    assert "'-rm -rf" in prompts and "'\tindented" in prompts and "''already quoted" in prompts
    assert all(not p.startswith(("=", "+", "-", "@", "\t", "\r")) for p in prompts)
    assert "中文：把这句话翻译成英文。" in prompts


def test_chatbot_arena_rows(tmp_path):
    path = tmp_path / "clean_battle.json"
    rows = [{"model_a": "gpt-4", "model_b": "claude-2", "winner": "model_a", "tstamp": 1.7e9},
            {"model_a": "gpt-4", "model_b": "claude-2", "winner": "model_a"},
            {"model_a": "gpt-4", "model_b": "claude-2", "winner": "model_a"},
            {"model_a": "claude-2", "model_b": "vicuna", "winner": "tie (bothbad)",
             "category": "hard_prompts"}]
    path.write_text(json.dumps(rows))
    store = Store(tmp_path / "arena.db")
    assert import_file(store, path).added == 4  # identical rows are separate votes
    assert import_file(store, path).added == 0  # and get the same ids again
    assert "hard_prompts" in {c.slug for c in store.categories()}
    battles = list(records(store))
    assert {b["source"] for b in battles} == {"import:clean_battle.json"}
    assert battles[0]["tstamp"].startswith("2023-11-14T22:13:20")
    board = ratings.leaderboard(store.vote_counts().drop(columns="category"), rounds=0)
    assert set(board["model"]) == {"gpt-4", "claude-2", "vicuna"}


@pytest.mark.parametrize("name, content, message", [
    ("votes.csv", "model_a,model_b\nx,y\n", r"missing column\(s\): winner"),
    ("votes.csv", "model_a,model_b,winner\nx,y,model_a\nx,y,draw\n", "row 2: unknown winner"),
    ("votes.csv", "model_a,model_b,winner\nx,x,tie\n", "row 1: model_a and model_b are the same"),
    ("votes.csv", "", "cannot read it as csv"),
    ("votes.jsonl", '{"model_a": "x", "model_b": "y", "winner": "tie"}\n{"model_a": \n',
     "row 2: broken JSON"),
    ("votes.jsonl", "", "the file has no rows"),
    ("votes.jsonl", "[1, 2]", "row 1: not a JSON object"),
])
def test_bad_files_write_nothing(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    store = Store(tmp_path / "arena.db")
    with pytest.raises((ImportRejected, VoteFileError), match=message):
        import_file(store, path)
    assert count_battles(store) == 0 and store.count_votes() == 0


def edited_export(source: Store, path, row: int, change) -> None:
    """A JSON Lines export of `source` at `path` with row `row` (1-based) changed in place."""
    write_export(source, path, "jsonl")
    lines = path.read_text().splitlines()
    record = json.loads(lines[row - 1])
    change(record)
    lines[row - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")


def test_one_bad_row_among_good_ones_writes_nothing(tmp_path, source):
    path = tmp_path / "votes.jsonl"
    edited_export(source, path, 6, lambda r: r["side_a"].update(think="sometimes"))
    store = Store(tmp_path / "arena.db")
    with pytest.raises(ImportRejected, match="row 6: think_a is 'sometimes'"):
        import_file(store, path)
    assert count_battles(store) == 0


def test_same_id_twice_with_different_content(tmp_path, source):
    path = tmp_path / "votes.jsonl"
    write_export(source, path, "jsonl")
    lines = path.read_text().splitlines()
    twin = json.loads(lines[0])
    twin["prompt"] = "something else"
    path.write_text("\n".join(lines + [json.dumps(twin)]) + "\n")
    store = Store(tmp_path / "arena.db")
    with pytest.raises(ImportRejected, match="appears twice with different content"):
        import_file(store, path)
    assert count_battles(store) == 0


def test_parquet_with_wrong_types(tmp_path):
    path = tmp_path / "votes.parquet"
    pd.DataFrame({"model_a": [1, 2], "model_b": [3, 3], "winner": [0.5, 1.0]}).to_parquet(path)
    store = Store(tmp_path / "arena.db")
    with pytest.raises(ImportRejected, match="row 1: unknown winner label"):
        import_file(store, path)
    assert count_battles(store) == 0


def test_a_very_large_prompt_is_kept_whole(tmp_path, source):
    big = Store(tmp_path / "big.db")
    seed_votes(big, [("x:1", "y:1", "model_a")])
    [battle] = list(records(big))
    with big.transaction() as conn:
        conn.execute("UPDATE battles SET prompt = ?", ("长" * 2_000_000,))
    path = tmp_path / "big.jsonl"
    write_export(big, path, "jsonl")
    target = Store(tmp_path / "target.db")
    import_file(target, path)
    assert target.get_battle(battle["id"]).prompt == "长" * 2_000_000


def test_text_that_looks_like_a_number_stays_text(tmp_path):
    store = Store(tmp_path / "source.db")
    battle = Battle(category="coding", prompt="007", system_prompt="1.50", options={},
                    side_a=Side("x:1", answer="0042"), side_b=Side("y:1", answer="1e3"))
    store.save_battles([battle], [Vote(battle.id, "tie", "ann", "2026-11-01T00:00:00.000Z")])
    path = tmp_path / "votes.csv"
    write_export(store, path, "csv")
    target = Store(tmp_path / "target.db")
    import_file(target, path)
    copy = target.get_battle(battle.id)
    assert (copy.prompt, copy.system_prompt) == ("007", "1.50")
    assert (copy.side_a.answer, copy.side_b.answer) == ("0042", "1e3")


@pytest.mark.parametrize("change, message", [
    (lambda r: r["side_a"].update(output_tokens=12.5), "row 3: output_tokens_a is 12.5, not a whole"),
    (lambda r: r["side_b"].update(ttft_s="soon"), "row 3: ttft_s_b is 'soon', not a number"),
    (lambda r: r.update(tstamp="yesterday"), "row 3: tstamp is 'yesterday', not a time"),
    (lambda r: r.update(side_b="none"), "row 3: side_b is not an object"),
    (lambda r: r.update(options="[1]"), "row 3: options is not an object"),
    (lambda r: r.update(counted="maybe"), "row 3: counted is 'maybe', not true or false"),
    (lambda r: r.update(status="done"), "row 3: status is 'done'"),
    (lambda r: r.update(id=""), "row 3: id is empty"),
])
def test_each_bad_field_is_named_with_its_row(tmp_path, source, change, message):
    path = tmp_path / "votes.jsonl"
    edited_export(source, path, 3, change)
    store = Store(tmp_path / "arena.db")
    with pytest.raises(ImportRejected, match=message):
        import_file(store, path)
    assert count_battles(store) == 0


def test_errors_are_listed_in_row_order_and_counted(tmp_path):
    path = tmp_path / "votes.csv"
    rows = ["x,x,tie" if k % 2 else "x,y,draw" for k in range(50)]
    path.write_text("model_a,model_b,winner\n" + "\n".join(rows) + "\n")
    with pytest.raises(ImportRejected) as caught:
        import_file(Store(tmp_path / "arena.db"), path)
    numbers = [int(e.split(":")[0].removeprefix("row ")) for e in caught.value.errors]
    assert numbers == sorted(numbers) and numbers[:2] == [1, 2]
    assert len(numbers) == MAX_ERRORS
    assert str(caught.value).endswith("and 30 more")


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_export_of_a_filter_and_of_nothing(tmp_path, source, form):
    path = tmp_path / f"coding.{form}"
    assert write_export(source, path, form, BattleFilter(category="coding")) == len(TRICKY) // 2
    target = Store(tmp_path / "target.db")
    import_file(target, path)
    assert {r["category"] for r in records(target)} == {"coding"}
    empty = tmp_path / f"empty.{form}"
    assert write_export(source, empty, form, BattleFilter(category="nothing")) == 0
    with pytest.raises(ImportRejected, match="the file has no rows"):
        import_file(target, empty)


def test_chatbot_arena_csv_with_unix_times_counts_and_known_categories(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner,tstamp,category,counts\n"
                    "x:1,y:1,model_a,1700000000,Coding,yes\n"
                    "x:1,y:1,model_b,1700000060.5,CODING,no\n"
                    "x:1,y:1,tie,,New Things,\n")
    store = Store(tmp_path / "arena.db")
    assert import_file(store, path).added == 3
    rows = list(records(store))
    assert rows[0]["tstamp"] == "2023-11-14T22:13:20.000Z"
    assert [r["category"] for r in rows[:2]] == ["coding", "coding"]  # by name, any case
    assert [r["counted"] for r in rows] == [True, False, True]
    slugs = [c.slug for c in store.categories()]
    assert slugs.count("coding") == 1 and "New Things" in slugs


def test_a_time_in_our_form_must_be_a_real_time(tmp_path, source):
    path = tmp_path / "votes.jsonl"
    edited_export(source, path, 2, lambda r: r.update(tstamp="2026-02-30T08:00:00.000Z"))
    with pytest.raises(ImportRejected, match="row 2: tstamp is '2026-02-30T08:00:00.000Z', not a"):
        import_file(Store(tmp_path / "arena.db"), path)


def test_flat_rows_in_json_lines_are_ours_too(tmp_path, source):
    flat = tmp_path / "votes.parquet"
    write_export(source, flat, "parquet")
    path = tmp_path / "flat.jsonl"
    pd.read_parquet(flat).to_json(path, orient="records", lines=True, force_ascii=False)
    target = Store(tmp_path / "target.db")
    assert import_file(target, path).added == len(TRICKY)
    assert [r["prompt"] for r in records(target)] == [r["prompt"] for r in records(source)]


def test_json_lines_read_by_pyarrow_or_line_by_line_alike(tmp_path, source):
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast, slow = tmp_path / "fast" / "votes.jsonl", tmp_path / "slow" / "votes.jsonl"
    write_export(source, fast, "jsonl")
    slow.write_text(fast.read_text() + "\n")  # a blank line: read line by line instead
    assert read._arrow_nested_frame(fast) is not None
    assert read._arrow_nested_frame(slow) is None
    pd.testing.assert_frame_equal(read.read_import(fast), read.read_import(slow))


def test_row_numbers_are_line_numbers_even_after_a_blank_line(tmp_path, source):
    path = tmp_path / "votes.jsonl"
    edited_export(source, path, 4, lambda r: r.update(status="done"))
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:2] + [""] + lines[2:]) + "\n")
    with pytest.raises(ImportRejected, match="row 5: status is 'done'"):
        import_file(Store(tmp_path / "arena.db"), path)


# --- the set fields: a vote-queue battle's set, item and expected answer -------------------


def queue_store(path) -> tuple[Store, Battle]:
    """A store with one vote-queue battle that showed two stored answers, voted."""
    from arena.prompt_sets import PromptAnswer, PromptItem, PromptSet

    store = Store(path)
    store.add_prompt_set(PromptSet("评论情感 reviews", "classification", ("正面", "负面")),
                         [PromptItem("这家店的面很好吃。", "r-007", "正面")])
    [item] = store.set_items("评论情感 reviews")
    for model in ("qwen3:8b", "gemma3:4b"):
        store.save_answer(PromptAnswer(item.item_id, Side(model, answer=f"{model}：正面"), {}))
    first, second = (a.answer_id for a in store.answers("评论情感 reviews"))
    battle = Battle(category="classification", prompt=item.item.prompt, system_prompt="",
                    options={}, side_a=Side("gemma3:4b", answer="gemma3:4b：正面"),
                    side_b=Side("qwen3:8b", answer="qwen3:8b：正面"), source="prompt_set",
                    prompt_set="评论情感 reviews", item_id="r-007", expected="正面",
                    answer_id_a=second, answer_id_b=first)
    store.save_battles([battle], [Vote(battle.id, "model_a", "小明", battle.created_at)])
    return store, battle


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_a_queue_battle_keeps_its_set_item_and_expected_answer_but_not_its_answer_ids(
        tmp_path, form):
    source, battle = queue_store(tmp_path / "source.db")
    path = tmp_path / f"queue.{form}"
    write_export(source, path, form)
    columns = (list(json.loads(path.read_text(encoding="utf-8"))) if form == "jsonl"
               else list(pd.read_parquet(path).columns) if form == "parquet"
               else path.read_text(encoding="utf-8-sig").splitlines()[0].split(","))
    assert not [c for c in columns if "answer_id" in c]  # they mean nothing elsewhere
    target = Store(tmp_path / "fresh.db")
    assert import_file(target, path).added == 1
    copy = target.get_battle(battle.id)
    assert (copy.prompt_set, copy.item_id, copy.expected, copy.source) == (
        "评论情感 reviews", "r-007", "正面", "prompt_set")
    assert (copy.answer_id_a, copy.answer_id_b) == (None, None)
    assert copy.prompt == "这家店的面很好吃。"


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_files_without_the_set_fields_import_as_before(tmp_path, source, form):
    """An export written before battles had sets: the same file less the three columns."""
    path = tmp_path / f"older.{form}"
    write_export(source, path, form)
    set_fields = ["prompt_set", "item_id", "expected"]
    if form == "jsonl":
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        path.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in set_fields},
                                           ensure_ascii=False) + "\n" for r in lines),
                        encoding="utf-8")
    elif form == "csv":
        import pyarrow.csv as pa_csv

        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
            strings_can_be_null=True))
        pa_csv.write_csv(table.drop_columns(set_fields), path)
    else:
        pd.read_parquet(path).drop(columns=set_fields).to_parquet(path)
    target = Store(tmp_path / "target.db")
    assert import_file(target, path).added == len(TRICKY)
    mine = [{k: v for k, v in r.items() if k not in set_fields} for r in records(source)]
    assert [{k: v for k, v in r.items() if k not in set_fields} for r in records(target)] == mine
    assert {(r["prompt_set"], r["item_id"], r["expected"]) for r in records(target)} == {
        (None, None, None)}


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
def test_chatbot_arena_rows_may_name_their_set_and_item(tmp_path, form):
    from seed import write_votes

    path = tmp_path / f"votes.{form}"
    write_votes(pd.DataFrame({
        "model_a": ["x:1", "x:1", "y:1"], "model_b": ["y:1", "y:1", "x:1"],
        "winner": ["model_a", "tie", "model_b"],
        "prompt_set": ["标语 slogans", "标语 slogans", None],
        "item_id": ["007", None, None], "prompt": ["为茶饮写一句广告语", "给书店写标语", "hi"],
        "expected": ["清新", None, None]}), path)
    store = Store(tmp_path / "arena.db")
    assert import_file(store, path).added == 3
    kept = [(r["prompt_set"], r["item_id"], r["expected"], r["prompt"]) for r in records(store)]
    assert kept == [("标语 slogans", "007", "清新", "为茶饮写一句广告语"),
                    ("标语 slogans", None, None, "给书店写标语"), (None, None, None, "hi")]


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(item_id="r1"), "row 2: item_id without a prompt_set"),
    (lambda r: r.update(expected="正面"), "row 2: expected without a prompt_set"),
    (lambda r: r.update(prompt_set="set\x07"), r"row 2: prompt_set has a control character "
                                               r"\(U\+0007\)"),
    (lambda r: r.update(prompt_set="s", item_id="x" * 201), "row 2: item_id is 201 characters"),
    (lambda r: r.update(item_id=["r1"]), "row 2: item_id is a list, not a single value"),
])
def test_bad_set_fields_are_named_with_their_row(tmp_path, source, change, message):
    path = tmp_path / "votes.jsonl"
    edited_export(source, path, 2, change)
    store = Store(tmp_path / "arena.db")
    with pytest.raises(ImportRejected, match=message):
        import_file(store, path)
    assert count_battles(store) == 0
