"""What style control reads of the votes (arena.style_control): the counted votes with their two
answers' style counts, which each vote carries (schema 13), and how many votes have no answer
texts (imported battles without them) and are left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.db.bulk import VOTE_STYLE_COLUMNS
from arena.db.connection import Database
from arena.db.filters import VoteFilter
from arena.style_control import GROUP_COLUMNS, StyleVotes

# A vote has answer texts when either answer has (a side without text has NULL counts).
_HAS_TEXT = "(style_tokens_a IS NOT NULL OR style_tokens_b IS NOT NULL)"
# Each vote's counts as text, the groups' joined by commas: a million votes come out of SQLite as
# a few thousand rows (one per category, pair and outcome), parsed by numpy at once.
_COUNTS_TEXT = " || ',' || ".join(f"IFNULL({c}, 0)" for c in VOTE_STYLE_COLUMNS)


class Styles(Database):
    """The votes' style counts, read for style control."""

    def style_votes(self, where: VoteFilter = VoteFilter()) -> StyleVotes:
        """The counted votes the filter selects that have answer texts, with their style counts,
        and per category how many were left out for having none."""
        clause, params = where.where()
        with self.reading() as conn:
            cursor = conn.cursor()
            cursor.row_factory = None
            cursor.execute("BEGIN")  # one moment for both reads
            rows = cursor.execute(
                f"SELECT category, model_a, model_b, winner, COUNT(*), group_concat({_COUNTS_TEXT})"
                f" FROM votes WHERE {clause} AND {_HAS_TEXT}"
                " GROUP BY category, model_a, model_b, winner", params).fetchall()
            left_out = cursor.execute(
                f"SELECT category, COUNT(*) FROM votes WHERE {clause} AND NOT {_HAS_TEXT}"
                " GROUP BY category", params).fetchall()
            cursor.execute("COMMIT")
        groups = pd.DataFrame([r[:5] for r in rows], columns=GROUP_COLUMNS)
        text = ",".join(r[5] for r in rows)
        counts = (np.fromstring(text, dtype=np.int64, sep=",") if text
                  else np.zeros(0, dtype=np.int64)).reshape(-1, len(VOTE_STYLE_COLUMNS))
        return StyleVotes(groups, counts,
                          pd.Series(dict(left_out), dtype="int64"))
