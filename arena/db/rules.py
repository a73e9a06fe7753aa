"""The schema's rules in SQL, outside the frozen migrations: when a battle's names may be shown
(REVEALED), and what the per-row vote triggers do, done once for a whole bulk write.

The triggers themselves are created by arena.db.migrations; a new migration that changes one of
ROW_TRIGGERS must change its set-based form here too (tests/test_store.py checks they agree).
"""

from __future__ import annotations

from datetime import timedelta

# An unvoted battle older than this counts as abandoned (settings: ARENA_UNVOTED_HIDDEN_S).
UNVOTED_HIDDEN_FOR = timedelta(hours=1)
NAMES_VISIBLE = "names visible"  # the not-counted reason of a vote cast after the names showed


def _ended(b: str, v: str) -> str:
    """Whether battle `b` (with its vote `v`) is over for anonymity: voted, failed, abandoned,
    or older than the store's time limit (parameter: the limit's cutoff, ISO UTC)."""
    return (f"({v}.battle_id IS NOT NULL OR {b}.status = 'failed' OR {b}.abandoned_at IS NOT NULL"
            f" OR {b}.created_at < ?)")


# A battle's own anonymity is over (1 parameter): a vote cast after that does not count.
ENDED = _ended("b", "v")
# The battles still waiting for their vote (2 parameters). They are few and recent: the
# created_at index finds them without reading the rest.
_WAITING = ("FROM battles h LEFT JOIN votes hv ON hv.battle_id = h.id"
            f" WHERE h.created_at >= ? AND NOT {_ended('h', 'hv')}")
# The battles still waiting for their vote, by id (WAITING_CUTOFFS parameters): what a judge
# must not judge yet (arena.db.judgements), so that no judge figure moves while one is on screen.
WAITING_BATTLES = f"SELECT h.id {_WAITING}"
WAITING_CUTOFFS = WAITING_BATTLES.count("?")
# The stored answers (prompt_answers ids) a waiting queue battle shows (4 parameters).
_WAITING_ANSWERS = (f"SELECT h.answer_id_a {_WAITING} AND h.answer_id_a IS NOT NULL"
                    f" UNION SELECT h.answer_id_b {_WAITING} AND h.answer_id_b IS NOT NULL")
# Whether a battle's names may be shown outside the arena tab that showed it: its own anonymity
# is over, and no battle still waiting for a vote shows one of its answers (a queue answer
# appears in several battles: names next to it would name the model of a battle being looked
# at). Live battles have no answer ids. While no queue battle waits (the EXISTS, worked out
# once), no battle's row is read for it. Parameters: the cutoff, REVEALED_CUTOFFS times.
REVEALED = (f"({ENDED} AND (NOT EXISTS ({_WAITING_ANSWERS})"
            f" OR (IFNULL(b.answer_id_a, 0) NOT IN ({_WAITING_ANSWERS})"
            f" AND IFNULL(b.answer_id_b, 0) NOT IN ({_WAITING_ANSWERS}))))")
# The battles whose names are not REVEALED (the cutoff, HIDDEN_CUTOFFS times): the waiting
# ones, and those that show an answer of one (by the battles_answers index, queue battles only).
HIDDEN_BATTLES = (f"{WAITING_BATTLES}"
                  f" UNION SELECT id FROM battles WHERE answer_id_a IN ({_WAITING_ANSWERS})"
                  " UNION SELECT id FROM battles WHERE answer_id_a IS NOT NULL"
                  f" AND answer_id_b IN ({_WAITING_ANSWERS})")
# The same stored answers, public: a judgement of a pair showing one is not exported meanwhile.
WAITING_ANSWERS = _WAITING_ANSWERS
WAITING_ANSWERS_CUTOFFS = WAITING_ANSWERS.count("?")
REVEALED_CUTOFFS = REVEALED.count("?")
HIDDEN_CUTOFFS = HIDDEN_BATTLES.count("?")

# The triggers that run once per inserted vote, which a bulk write replaces by one statement each
# (arena.db.bulk.insert_votes_in_bulk); the first two take the first new vote's rowid.
ROW_TRIGGERS = ("votes_only_for_complete_battles", "vote_tally_add", "votes_version_insert")
# votes_only_for_complete_battles: how many new votes it would have refused.
REFUSED_VOTES = ("SELECT COUNT(*) FROM votes v LEFT JOIN battles b ON b.id = v.battle_id"
                 " WHERE v.rowid >= ? AND b.status IS NOT 'complete'")
# vote_tally_add: the new counted votes, added to the tally.
TALLY_ADD = ("INSERT INTO vote_tally (category, model_a, model_b, winner, count)"
             " SELECT category, model_a, model_b, winner, COUNT(*) FROM votes"
             " WHERE rowid >= ? AND counts = 1 GROUP BY category, model_a, model_b, winner"
             " ON CONFLICT (category, model_a, model_b, winner)"
             " DO UPDATE SET count = count + excluded.count")
# votes_version_insert: one bump for the whole write (the version only has to change).
VERSION_BUMP = "UPDATE votes_version SET version = version + 1 WHERE id = 1"
