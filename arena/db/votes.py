"""The Store's votes: one per battle, refused or not counted by the schema's rules, and what the
ratings read of them (counted votes, aggregated or one by one)."""

from __future__ import annotations

import sqlite3

import pandas as pd

from arena.access import ANONYMOUS
from arena.db.battles import read_battle
from arena.db.bulk import VOTE_COLUMNS, VOTE_STYLE_COLUMNS, side_styles
from arena.db.connection import Database
from arena.db.filters import VoteFilter
from arena.db.rules import ENDED, NAMES_VISIBLE
from arena.ratings import item_clusters
from arena.records import WINNERS, Vote, contestant_name, utc_now
from arena.vote_reasons import ReasonsRejected, check_reasons, parse_reasons, reasons_text

# With its battle's style counts (schema 13), copied as the pair is.
_VOTE_INSERT = (f"INSERT INTO votes ({', '.join(VOTE_COLUMNS + VOTE_STYLE_COLUMNS)})"
                f" VALUES ({', '.join('?' for _ in VOTE_COLUMNS + VOTE_STYLE_COLUMNS)})")
# What a vote needs from its battle, and whether the battle's names could already be seen: its
# own anonymity is over (parameters: the cutoff of ENDED, the battle's id).
# Also whether the voter has voted already on another battle showing one of this battle's
# stored answers (a queue battle): that vote revealed the answer's model to them, so this battle
# was not blind for them (parameter: the voter, NULL for a shared name such as "anonymous").
_SEEN_BEFORE = ("(b.answer_id_a IS NOT NULL AND EXISTS (SELECT 1 FROM battles o JOIN votes ov ON ov.battle_id = o.id"
                " WHERE o.answer_id_a IS NOT NULL AND o.id != b.id AND ov.voter = ?"
                " AND (o.answer_id_a IN (b.answer_id_a, b.answer_id_b)"
                " OR o.answer_id_b IN (b.answer_id_a, b.answer_id_b))))")
_VOTE_PAIR = (f"SELECT b.category, b.created_at, {ENDED}, a.model, a.think, bb.model, bb.think,"
              f" {_SEEN_BEFORE}"
              " FROM battles b LEFT JOIN votes v ON v.battle_id = b.id"
              " JOIN battle_sides a ON a.battle_id = b.id AND a.side = 'a'"
              " JOIN battle_sides bb ON bb.battle_id = b.id AND bb.side = 'b' WHERE b.id = ?")


class VoteRejected(Exception):
    """A vote the database refused; `reason` is one of the keys below, for the UI to translate."""

    ALREADY_VOTED = "already_voted"
    BATTLE_FAILED = "battle_failed"
    UNKNOWN_BATTLE = "unknown_battle"
    BAD_WINNER = "bad_winner"

    def __init__(self, reason: str, battle_id: str):
        super().__init__(f"vote for battle {battle_id} refused: {reason}")
        self.reason = reason
        self.battle_id = battle_id


class Votes(Database):
    """The votes table, and the vote_tally and votes_version its triggers keep."""

    def record_vote(
        self,
        battle_id: str,
        winner: str,
        voter: str = "anonymous",
        counts: bool = True,
        not_counted_reason: str | None = None,
    ) -> Vote:
        """Store the one vote of a battle and return it as stored. Raises VoteRejected if the
        database refuses it. A vote on a battle whose names could already be seen (abandoned,
        or unvoted past the time limit; or, for a named voter, a queue battle showing an answer
        whose model an earlier vote of theirs revealed, in another tab say) is stored but does
        not count (NAMES_VISIBLE)."""
        if winner not in WINNERS:
            raise VoteRejected(VoteRejected.BAD_WINNER, battle_id)
        voter = voter.strip() or ANONYMOUS
        try:
            with self.transaction() as conn:
                # One prepared statement for everything the vote needs from its battle.
                known = None if voter == ANONYMOUS else voter
                row = conn.execute(_VOTE_PAIR, (self._hidden_after(), known,
                                                battle_id)).fetchone()
                if row is None:
                    pair, visible = (None, None, None, None), False
                else:
                    pair = (row[0], row[1], contestant_name(row[3], row[4]),
                            contestant_name(row[5], row[6]))
                    visible = bool(row[2]) or bool(row[7])
                if visible and counts:
                    counts, not_counted_reason = False, NAMES_VISIBLE
                vote = Vote(battle_id=battle_id, winner=winner, voter=voter, voted_at=utc_now(),
                            counts=counts, not_counted_reason=not_counted_reason)
                conn.execute(_VOTE_INSERT, (vote.battle_id, vote.winner, vote.voter,
                                            vote.voted_at, int(vote.counts),
                                            vote.not_counted_reason, *pair,
                                            *side_styles(conn, battle_id)))
        except sqlite3.IntegrityError as exc:
            message = str(exc)
            if "UNIQUE" in message or "PRIMARY KEY" in message:
                raise VoteRejected(VoteRejected.ALREADY_VOTED, battle_id) from None
            if "vote refused" in message:
                with self.reading() as conn:
                    exists = read_battle(conn, battle_id) is not None
                reason = VoteRejected.BATTLE_FAILED if exists else VoteRejected.UNKNOWN_BATTLE
                raise VoteRejected(reason, battle_id) from None
            raise
        return vote

    def set_vote_reasons(self, battle_id: str, voter: str, reasons: list[str] | tuple[str, ...],
                         comment: str | None = None) -> Vote:
        """Set why a stored vote was cast (arena.vote_reasons), in one transaction, and return
        the vote as stored. Only the voter's own vote (the same name; "anonymous" for none),
        and as often as they like: each call replaces the reasons and comment before it (the
        row of reasons saves at each click), none clears them. Raises ReasonsRejected for no
        vote, someone else's, or codes that are not reasons of this vote's kind (nothing is
        written then). Reasons change no count: the tally is left alone (votes_version moves,
        so the Leaderboard's reasons read fresh)."""
        voter = voter.strip() or ANONYMOUS
        with self.transaction() as conn:
            row = conn.execute("SELECT winner, voter FROM votes WHERE battle_id = ?",
                               (battle_id,)).fetchone()
            if row is None:
                raise ReasonsRejected(ReasonsRejected.NO_VOTE,
                                      f"battle {battle_id} has no vote to give reasons for")
            if row["voter"] != voter:
                raise ReasonsRejected(ReasonsRejected.NOT_YOURS,
                                      f"the vote on battle {battle_id} is not {voter!r}'s")
            reasons, comment = check_reasons(row["winner"], reasons, comment)
            conn.execute("UPDATE votes SET reasons = ?, comment = ? WHERE battle_id = ?",
                         (reasons_text(reasons), comment, battle_id))
        return self.get_vote(battle_id)

    def reason_votes(self, where: VoteFilter = VoteFilter()) -> pd.DataFrame:
        """The counted votes given reasons (the filter's), one row each: category, model_a,
        model_b, winner and reasons (a tuple of codes), for arena.vote_reasons.reason_counts.
        Through the index of votes with reasons: the others are not read."""
        clause, params = where.where()
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT category, model_a, model_b, winner, reasons FROM votes"
                f" INDEXED BY votes_with_reasons WHERE reasons IS NOT NULL AND {clause}",
                params).fetchall()
        return pd.DataFrame([(*r[:4], parse_reasons(r[4])) for r in rows],
                            columns=["category", "model_a", "model_b", "winner", "reasons"])

    def get_vote(self, battle_id: str) -> Vote | None:
        with self.reading() as conn:
            row = conn.execute("SELECT * FROM votes WHERE battle_id = ?", (battle_id,)).fetchone()
        return None if row is None else _vote_from_row(row)

    def count_votes(self, voter: str | None = None) -> int:
        """All votes, or those of one voter (counted or not)."""
        with self.reading() as conn:
            if voter is None:
                return conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
            return conn.execute("SELECT COUNT(*) FROM votes WHERE voter = ?",
                                (voter,)).fetchone()[0]

    # --- what the ratings read ----------------------------------------------------------------

    def votes_version(self) -> int:
        """Changes whenever a vote is added, changed or removed: a cache key for anything
        computed from votes."""
        with self.reading() as conn:
            return conn.execute("SELECT version FROM votes_version WHERE id = 1").fetchone()[0]

    def vote_counts(self, where: VoteFilter = VoteFilter(),
                    clusters: bool = False) -> pd.DataFrame:
        """Counted votes aggregated to (category, model_a, model_b, winner, count): the input of
        arena.ratings. Unfiltered, it is the trigger-kept tally; filtered, one GROUP BY.

        With `clusters`, also a `cluster` column (arena.ratings.CLUSTER), for the bootstrap to
        resample votes that are not independent together: for the votes on prompt-set battles,
        their item (arena.ratings.item_clusters); None for the live battles' votes, each a cluster
        of its own. Only the votes on set battles are read item by item (through the index of
        set battles); the rest stay the tally's rows."""
        if where == VoteFilter():
            query, params = ("SELECT category, model_a, model_b, winner, count FROM vote_tally"
                             " WHERE count > 0"), []
        else:
            clause, params = where.where()
            query = ("SELECT category, model_a, model_b, winner, COUNT(*) FROM votes"
                     f" WHERE {clause} GROUP BY category, model_a, model_b, winner")
        columns = ["category", "model_a", "model_b", "winner", "count"]
        with self.reading() as conn:
            cursor = conn.cursor()
            cursor.row_factory = None  # plain tuples, straight into the frame
            if clusters:  # one read transaction: the tally and the set votes of one moment
                cursor.execute("BEGIN")
            counts = pd.DataFrame(cursor.execute(query, params).fetchall(), columns=columns)
            if not clusters:
                return counts
            clause, params = where.where()
            items = pd.DataFrame(cursor.execute(SET_VOTES.format(where=clause), params).fetchall(),
                                 columns=columns + ["prompt_set", "item_id", "prompt"])
            cursor.execute("COMMIT")
        return _with_clusters(counts, items)

    def counted_votes(self, where: VoteFilter = VoteFilter(),
                      category: str | None = None) -> pd.DataFrame:
        """Counted votes one row each, oldest first: for Elo, which depends on vote order."""
        clause, params = where.where()
        if category is not None:
            clause += " AND category = ?"
            params.append(category)
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT battle_at, category, model_a, model_b, winner, voter FROM votes"
                f" WHERE {clause} ORDER BY battle_at, rowid",
                params,
            ).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows],
                             columns=["tstamp", "category", "model_a", "model_b", "winner",
                                      "voter"])
        frame["tstamp"] = pd.to_datetime(frame["tstamp"], utc=True, format="ISO8601")
        return frame

    def voters(self) -> list[str]:
        with self.reading() as conn:
            return [r[0] for r in conn.execute(
                "SELECT DISTINCT voter FROM votes WHERE counts = 1 ORDER BY voter")]


_COUNT_KEYS = ["category", "model_a", "model_b", "winner"]
# The counted votes on set battles by item, `where` a VoteFilter's condition (on the votes'
# columns). CROSS JOIN: the set battles first, found through their index (battles_in_sets),
# so that the live battles' votes cost nothing here.
SET_VOTES = ("SELECT v.category, v.model_a, v.model_b, v.winner, COUNT(*), b.prompt_set,"
             " b.item_id, b.prompt FROM battles b CROSS JOIN votes v"
             " WHERE b.prompt_set IS NOT NULL AND v.battle_id = b.id AND {where}"
             " GROUP BY v.category, v.model_a, v.model_b, v.winner, b.prompt_set, b.item_id,"
             " b.prompt")


def _with_clusters(counts: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The count rows of every counted vote and those of the votes on set battles among them
    (with their items) as one count table with a cluster column: the set votes moved out of the
    first rows into rows of their own item's cluster."""
    columns = _COUNT_KEYS + ["count"]
    if items.empty:  # no set votes: the tally as it is
        return counts.assign(cluster=None)
    taken = items.groupby(_COUNT_KEYS)["count"].sum()
    left = counts.set_index(_COUNT_KEYS)["count"].sub(taken, fill_value=0)
    counts = left[left > 0].astype("int64").reset_index()
    return pd.concat([counts[columns].assign(cluster=None),
                      items[columns].assign(cluster=item_clusters(items))], ignore_index=True)


def _vote_from_row(row: sqlite3.Row) -> Vote:
    return Vote(
        battle_id=row["battle_id"],
        winner=row["winner"],
        voter=row["voter"],
        voted_at=row["voted_at"],
        counts=bool(row["counts"]),
        not_counted_reason=row["not_counted_reason"],
        reasons=parse_reasons(row["reasons"]),
        comment=row["comment"],
    )

