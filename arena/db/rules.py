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

# Whether a battle's names may be shown outside the arena tab that ran it: once voted, failed,
# abandoned, or older than the store's time limit (parameter: the limit's cutoff, ISO UTC).
REVEALED = ("(v.battle_id IS NOT NULL OR b.status = 'failed' OR b.abandoned_at IS NOT NULL"
            " OR b.created_at < ?)")
# The battles whose names are still hidden (parameters: the cutoff, twice). They are few and
# recent: the created_at index finds them without reading the rest.
HIDDEN_BATTLES = ("SELECT b.id FROM battles b LEFT JOIN votes v ON v.battle_id = b.id"
                  f" WHERE b.created_at >= ? AND NOT {REVEALED}")

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
