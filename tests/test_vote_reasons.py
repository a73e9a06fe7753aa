"""Why you voted: the reason codes, their checks, the counts per model, and the store."""

import pandas as pd
import pytest
from test_store import make_battle

from arena.db import Store, migrations
from arena.db.migrations import MIGRATIONS
from arena.i18n import MESSAGES
from arena.records import WINNERS
from arena.vote_reasons import (
    ALL_REASONS,
    BOTH_BAD_REASONS,
    COMMENT_MAX_CHARS,
    TIE_REASONS,
    WINNER_REASONS,
    ReasonsRejected,
    check_reasons,
    parse_reasons,
    reason_counts,
    reasons_for,
    reasons_text,
)

# --- the codes and their checks -------------------------------------------------------------


def test_each_kind_of_vote_has_its_own_reasons():
    assert reasons_for("model_a") == reasons_for("model_b") == WINNER_REASONS
    assert reasons_for("tie") == TIE_REASONS
    assert reasons_for("tie (bothbad)") == BOTH_BAD_REASONS
    assert len(set(ALL_REASONS)) == len(ALL_REASONS)  # one code, one meaning
    with pytest.raises(ValueError):
        reasons_for("nobody")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_code_is_named_in_both_catalogs(language):
    catalog = MESSAGES[language]
    for code in ALL_REASONS:
        assert f"reason.{code}" in catalog
        assert "_" not in catalog[f"reason.{code}"]  # words, not the code


def test_check_reasons_keeps_the_lists_order_once_each_and_trims_the_comment():
    assert check_reasons("model_b", ["faster", "more_accurate", "faster"], "  nice  ") == (
        ("more_accurate", "faster"), "nice")
    assert check_reasons("tie", [], "   ") == ((), None)


def test_reasons_of_another_kind_of_vote_are_refused_by_name():
    with pytest.raises(ReasonsRejected, match="'refused'") as refused:
        check_reasons("model_a", ["more_accurate", "refused"])
    assert refused.value.reason == ReasonsRejected.UNKNOWN_CODES
    with pytest.raises(ReasonsRejected, match="'made up'"):
        check_reasons("tie (bothbad)", ["made up"])


def test_a_comment_over_the_limit_is_refused_not_cut():
    check_reasons("tie", [], "x" * COMMENT_MAX_CHARS)
    with pytest.raises(ReasonsRejected) as refused:
        check_reasons("tie", [], "x" * (COMMENT_MAX_CHARS + 1))
    assert refused.value.reason == ReasonsRejected.COMMENT_TOO_LONG


def test_stored_text_round_trips():
    assert reasons_text([]) is None
    assert parse_reasons(reasons_text(["wrong", "refused"])) == ("wrong", "refused")
    assert parse_reasons(None) == parse_reasons("") == ()
    with pytest.raises(ValueError):
        parse_reasons('{"a": 1}')


# --- counting per model ---------------------------------------------------------------------


def test_reasons_are_counted_per_model_for_wins_losses_both_bad_and_ties():
    votes = pd.DataFrame([
        ("m1", "m2", "model_a", ("more_accurate", "faster")),
        ("m2", "m1", "model_b", ("more_accurate",)),
        ("m1", "m3", "model_b", ("better_written",)),
        ("m2", "m3", "tie (bothbad)", ("wrong",)),
        ("m1", "m2", "tie", ("both_good",)),
    ], columns=["model_a", "model_b", "winner", "reasons"])
    counts = reason_counts(votes)
    got = {tuple(r[:3]): r[3] for r in counts.itertuples(index=False)}
    assert got == {
        ("m1", "wins", "more_accurate"): 2, ("m1", "wins", "faster"): 1,
        ("m1", "losses", "better_written"): 1,
        ("m1", "ties", "both_good"): 1,
        ("m2", "losses", "more_accurate"): 2, ("m2", "losses", "faster"): 1,
        ("m2", "both_bad", "wrong"): 1, ("m2", "ties", "both_good"): 1,
        ("m3", "wins", "better_written"): 1, ("m3", "both_bad", "wrong"): 1,
    }
    m1 = counts[counts["model"] == "m1"]
    assert m1["kind"].tolist() == ["wins", "wins", "losses", "ties"]  # most given first
    assert m1["reason"].tolist()[:2] == ["more_accurate", "faster"]


def test_no_reasons_no_rows():
    empty = pd.DataFrame(columns=["model_a", "model_b", "winner", "reasons"])
    assert reason_counts(empty).empty


# --- the store ------------------------------------------------------------------------------


def voted(store: Store, winner: str = "model_a", voter: str = "ann") -> str:
    battle = make_battle()
    store.save_battle(battle)
    store.record_vote(battle.id, winner, voter=voter)
    return battle.id


def test_the_voter_sets_and_replaces_the_reasons_of_their_vote(store):
    battle_id = voted(store)
    tally_before = store.vote_counts().values.tolist()
    version = store.votes_version()
    vote = store.set_vote_reasons(battle_id, "ann", ["faster", "more_accurate"], " quick ")
    assert vote.reasons == ("more_accurate", "faster") and vote.comment == "quick"
    assert store.get_vote(battle_id).reasons == ("more_accurate", "faster")
    assert store.votes_version() > version  # the reasons section reads them fresh
    assert store.vote_counts().values.tolist() == tally_before  # no count moves
    again = store.set_vote_reasons(battle_id, "ann", ["better_format"])
    assert again.reasons == ("better_format",) and again.comment is None
    cleared = store.set_vote_reasons(battle_id, "ann", [])
    assert cleared.reasons == () and cleared.comment is None


def test_reasons_are_refused_for_no_vote_someone_elses_or_bad_codes(store):
    battle_id = voted(store, winner="tie (bothbad)")
    store.set_vote_reasons(battle_id, "ann", ["wrong"], "first")
    cases = [(("nobody-voted-here", "ann", ["wrong"]), ReasonsRejected.NO_VOTE),
             ((battle_id, "bob", ["wrong"]), ReasonsRejected.NOT_YOURS),
             ((battle_id, "ann", ["wrong", "faster"]), ReasonsRejected.UNKNOWN_CODES),
             ((battle_id, "ann", ["too_long"], "y" * 1000), ReasonsRejected.COMMENT_TOO_LONG)]
    for args, reason in cases:
        with pytest.raises(ReasonsRejected) as refused:
            store.set_vote_reasons(*args)
        assert refused.value.reason == reason
    vote = store.get_vote(battle_id)  # nothing half-written by the refusals
    assert (vote.reasons, vote.comment) == (("wrong",), "first")


def test_an_anonymous_vote_takes_reasons_from_anonymous(store):
    battle_id = voted(store, winner="tie", voter="")
    assert store.set_vote_reasons(battle_id, " ", ["hard_to_tell"]).reasons == ("hard_to_tell",)


def test_reason_votes_reads_only_counted_votes_with_reasons(store):
    given = voted(store)
    store.set_vote_reasons(given, "ann", ["faster"])
    voted(store)  # no reasons
    uncounted = make_battle()
    store.save_battle(uncounted)
    store.record_vote(uncounted.id, "model_b", voter="ann", counts=False,
                      not_counted_reason="test")
    store.set_vote_reasons(uncounted.id, "ann", ["faster"])
    rows = store.reason_votes()
    assert rows.values.tolist() == [
        ["general", "qwen3:8b (thinking)", "llama3.2:3b (thinking)", "model_a", ("faster",)]]


def test_the_migration_adds_the_columns_to_an_older_database(tmp_path, monkeypatch):
    path = tmp_path / "older.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:-1])
    old = Store(path)
    battle = make_battle()
    old.save_battle(battle)
    old.record_vote(battle.id, "model_b", voter="ann")
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with Store(path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        vote = upgraded.get_vote(battle.id)
        assert (vote.winner, vote.reasons, vote.comment) == ("model_b", (), None)
        assert upgraded.set_vote_reasons(battle.id, "ann", ["faster"]).reasons == ("faster",)


def test_every_winner_has_reasons():
    assert set(WINNERS) == {w for w in WINNERS if reasons_for(w)}
