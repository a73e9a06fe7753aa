"""The arena's SQLite database: a versioned schema (migrations, frozen), and battles, votes,
the lineup's settings, categories and prompt sets read and written in transactions, through one Store.

Code outside this package imports from here: `from arena.db import Store, BattleFilter`.
"""

from arena.db.battles import ROW_COLUMNS
from arena.db.bulk import VOTE_COLUMNS, columns_of, options_text
from arena.db.filters import BattleFilter, VoteFilter
from arena.db.judgements import JUDGEMENT_COLUMNS, JudgementRefused
from arena.db.prompt_sets import PromptSetRefused
from arena.db.queue import CANDIDATE_COLUMNS
from arena.db.schema import NewerSchema, NotArenaDatabase, OlderSchema
from arena.db.store import Store
from arena.db.votes import VoteRejected

__all__ = ["CANDIDATE_COLUMNS", "JUDGEMENT_COLUMNS", "JudgementRefused", "ROW_COLUMNS", "VOTE_COLUMNS", "BattleFilter", "NewerSchema", "NotArenaDatabase",
           "OlderSchema", "PromptSetRefused", "Store", "VoteFilter", "VoteRejected", "columns_of",
           "options_text"]
