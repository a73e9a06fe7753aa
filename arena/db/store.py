"""The Store: the arena's one object for its database, made of one part per thing stored."""

from __future__ import annotations

from arena.db.battles import Battles
from arena.db.categories import Categories
from arena.db.judgements import Judgements
from arena.db.lineup import Lineup
from arena.db.prompt_sets import PromptSets
from arena.db.queue import Queue
from arena.db.styles import Styles
from arena.db.turns import Turns
from arena.db.votes import Votes


class Store(Battles, Votes, Lineup, Categories, Judgements, PromptSets, Queue, Styles, Turns):
    """The arena's database. Create one per file; it migrates the schema on creation, unless
    opened `read_only`: then nothing is ever written (not even the schema) and a file that is
    not an up-to-date arena database is refused. Close it when done (or use it in `with`).

    Each part reads and writes its own tables through the file's connections (Database, in
    arena.db.connection): battles (Battles), votes and what the ratings read (Votes), hosts,
    model choices and arena options (Lineup), categories (Categories), prompt sets with
    their items and stored answers (PromptSets), and the pairs of answers the vote queue may
    show (Queue), the votes' style counts for style control (Styles), and a judge model's
    judgements of battles and of those pairs (Judgements).
    """
