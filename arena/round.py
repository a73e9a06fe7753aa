"""One person's round in an Arena tab: a place in the battle queue, the battle while it runs,
the battle once stored, and its one vote, with every rule that vote obeys.

No Streamlit: arena/ui/arena_view.py keeps one Round per browser session and only draws it.
Two script runs of one session may hold the same Round at once (a click interrupts a run that
is still unwinding), so its changes of state are made under a lock.

The rules of a vote, and who decides each:
- who may vote: arena.access.may_vote, asked here;
- an answer that names a model (arena.identity): the vote is stored but does not count; worked
  out here, once per battle;
- one vote per battle, none on a failed or stopped battle, and none that counts once the names
  could be seen elsewhere (its anonymity is over, arena.db.rules ENDED): the database
  decides (Store.record_vote); the round asks it and keeps its answer.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid

from arena.access import Voter, may_vote
from arena.battle import new_battle, validate_prompt
from arena.battle_queue import BattleQueue, Ticket
from arena.categories import Category
from arena.conversation import TurnRefused, new_turn
from arena.db import Store, VoteRejected
from arena.engine import STOPPED, BattleRun
from arena.identity import IDENTITY_LEAK, identity_leak
from arena.images import ImageRecord
from arena.lineup import Contestant, sides_for
from arena.ollama_api import make_client
from arena.records import STATUS_COMPLETE, Battle, Turn, Vote
from arena.settings import Settings
from arena.turns import add_turn, followup_blocked

# Where a round is (Round.state).
IDLE = "idle"  # no battle
WAITING = "waiting"  # in the queue, before the battle runs
RUNNING = "running"  # the battle is streaming
UNSTORED = "unstored"  # the battle ended but the database refused it: no vote
FAILED = "failed"  # a side failed: no vote
STOPPED_STATE = "stopped"  # stopped before it was complete: no vote
AWAITING_VOTE = "awaiting vote"
VOTED = "voted"  # a vote is stored (this tab's, or one the database already had)

# The vote problem of a voter that may not vote (with a voter passcode, only whoever has entered
# it votes; the page's gate normally stops them first).
NOT_ALLOWED = ("vote.not_allowed", {})


class Round:
    """A tab's round, from the Battle click to the vote (or to the next round)."""

    def __init__(self, session: str | None = None) -> None:
        self.session = session or uuid.uuid4().hex  # the queue's name for this tab
        self.battle: Battle | None = None  # the last battle, once it has ended
        self.stored_vote: Vote | None = None  # the battle's vote, as stored
        # Why the last vote did not go through (refused, or not stored): a catalog key and
        # its values. Not a page notice (arena.ui.common.NOTICE_KEY): it belongs to the battle.
        self.vote_problem: tuple[str, dict] | None = None
        self.storage_error: str | None = None  # why the battle could not be stored
        self._store: Store | None = None  # where the battle is stored
        self._queue: BattleQueue | None = None
        self._ticket: Ticket | None = None  # this round's place in the queue, until given up
        self._run: BattleRun | None = None  # the battle streaming, until it is stored
        # ((battle id, turn count), verdict), worked out once per battle and turn.
        self._leak: tuple[tuple[str, int], bool] | None = None
        self.turn_problem: str | None = None  # why the last follow-up was not stored
        self._settings: Settings | None = None  # the settings of the round's battle
        self._lock = threading.RLock()

    # --- what the page draws -----------------------------------------------------------------

    @property
    def state(self) -> str:
        with self._lock:
            battle = self.battle
            if self._run is not None:
                return RUNNING
            if battle is None:
                return IDLE if self._ticket is None else WAITING
            if self.storage_error:
                return UNSTORED
            if battle.status != STATUS_COMPLETE:
                # The latest turn says why: a follow-up stopped is a battle stopped.
                stopped = any(s.error_kind == STOPPED[0] for s in battle.last_sides.values())
                return STOPPED_STATE if stopped else FAILED
            return AWAITING_VOTE if self.stored_vote is None else VOTED

    @property
    def leaks(self) -> bool:
        """Whether an answer names a model (arena.identity), worked out once per battle: the
        warning above the vote buttons and the vote itself agree, and a long answer is read
        once. Thinking counts only when voters can read it before the vote."""
        with self._lock:
            battle, known = self.battle, self._leak
            if battle is None or self._store is None:
                return False
            if known is None or known[0] != (battle.id, battle.turn_count):
                shown = self._store.arena_options().show_thinking_before_vote
                known = ((battle.id, battle.turn_count),
                         identity_leak(battle, thinking_shown=shown))
                self._leak = known
            return known[1]

    # --- the queue and the battle ------------------------------------------------------------

    def clear(self) -> None:
        """Move on to a new round. A battle left without a vote is abandoned: its names may be
        shown from now on, and a vote cast on it later does not count."""
        with self._lock:
            battle, store = self.battle, self._store
            if battle is not None and self.stored_vote is None and store is not None:
                try:
                    store.abandon_battle(battle.id)
                except sqlite3.Error:
                    pass  # the next write says what is wrong with the database
            self.battle = self.stored_vote = self.vote_problem = self.storage_error = None
            self.turn_problem = None

    def join(self, queue: BattleQueue) -> Ticket:
        """A place in the line; raises AlreadyQueued while this tab holds one."""
        ticket = queue.join(self.session)
        with self._lock:
            self._queue, self._ticket = queue, ticket
        return ticket

    def position(self, ticket: Ticket) -> int | None:
        """0 when the battle may run, n when n battles start before it, None when the place
        was given up (a newer script run of this tab took over, or it went stale)."""
        return None if self._queue is None else self._queue.position(ticket)

    def leave(self, ticket: Ticket) -> None:
        """Give the place up (done, stopped or cancelled); leaving twice is harmless."""
        with self._lock:
            if self._queue is not None:
                self._queue.leave(ticket)
            if self._ticket == ticket:
                self._ticket = None

    def start(self, ticket: Ticket, store: Store, settings: Settings, category: Category,
              prompt: str, pair: tuple[Contestant, Contestant],
              images: tuple[ImageRecord, ...] = ()) -> BattleRun | None:
        """Start the battle on `ticket`'s turn (with the prompt's images, sent to both sides);
        None if the place was given up meanwhile."""
        if self.position(ticket) != 0:
            return None
        battle = new_battle(category.slug, prompt, category.system_prompt, sides_for(pair),
                            settings, images=images)
        return self._begin(_new_run(battle, store, settings), store, settings)

    def start_followup(self, ticket: Ticket, prompt: str) -> BattleRun | None:
        """Run `prompt` as the next turn of the round's battle on `ticket`'s turn (each side
        its own conversation, arena.conversation); None if the place was given up or the
        battle takes no follow-up now (arena.turns.followup_blocked). PromptRejected for a
        bad prompt."""
        battle, store, settings = self.battle, self._store, self._settings
        if followup_blocked(self) is not None or self.position(ticket) != 0:
            return None
        prompt = validate_prompt(prompt, settings.max_prompt_chars)
        self.turn_problem = None
        return self._begin(_new_run(battle, store, settings, new_turn(battle, prompt)),
                           store, settings)

    @property
    def settings(self) -> Settings | None:
        """The settings the round's live battle ran with (None for none, or a queue battle)."""
        return self._settings

    def _begin(self, run: BattleRun, store: Store, settings: Settings) -> BattleRun:
        with self._lock:
            self._run, self._store, self._settings = run, store, settings
        # From here on the run is the round's: whichever comes first, `finish` or the next
        # script run's `settle_interrupted`, stops both sides and stores the battle (or turn).
        return run.start()

    def finish(self, run: BattleRun) -> bool:
        """Stop `run` if it still runs and store its battle. True if it is this round's battle
        now; False if a newer script run settled it first and owns the round."""
        battle = run.settle(self._saver(run))
        with self._lock:
            if self._run is not run:
                return False
            self._run, self.battle = None, battle
        _ = self.leaks  # worked out now, so that the vote buttons come with the verdict
        return True

    def settle_interrupted(self) -> None:
        """Stop and store a battle whose script run was interrupted by a click (Stop
        included), and give its place up. With fast reruns Streamlit starts the new run at
        once, while the interrupted one is still unwinding; whichever settles first stops the
        workers and stores the battle."""
        with self._lock:
            run, self._run = self._run, None
            ticket = self._ticket
            if run is not None:
                self.battle = run.settle(self._saver(run))
            if ticket is not None:
                self.leave(ticket)

    def offer(self, battle: Battle, store: Store) -> None:
        """Make a stored battle of the vote queue (arena.vote_queue) this round's battle: no
        run and no place in the queue, so it awaits its vote at once; the vote, the leak check
        and `clear` then treat it as any other battle. The round before is cleared first (an
        unvoted battle is abandoned)."""
        with self._lock:
            self.clear()
            self._run, self._store, self.battle = None, store, battle
        _ = self.leaks  # worked out now, as in `finish`

    def _saver(self, run: BattleRun):
        """How `run`'s battle is stored once settled: whole, or (a follow-up) its new turn."""
        if run.turn is None:
            return self._save
        return lambda battle: self._save_turn(battle, run.turn)

    def _save(self, battle: Battle) -> None:
        """Store a finished battle; if the database refuses, say why instead of failing."""
        try:
            self._store.save_battle(battle)
        except sqlite3.Error as exc:
            self.storage_error = str(exc)

    def _save_turn(self, battle: Battle, turn: Turn) -> None:
        """Store a settled follow-up (Store.add_turn, one transaction) and add it to `battle`;
        if the store refuses, the battle stays as it was and `turn_problem` says why."""
        try:
            self._store.add_turn(battle.id, turn, self._settings.max_turns)
        except TurnRefused as refused:
            self.turn_problem = refused.reason
            return
        except sqlite3.Error as exc:
            self.turn_problem, self.storage_error = "storage", str(exc)
            return
        add_turn(battle, turn)

    # --- the vote ----------------------------------------------------------------------------

    def vote(self, winner: str, voter: Voter, battle_id: str | None = None) -> None:
        """Cast the battle's vote by the rules above; `stored_vote` and `vote_problem` say
        what came of it. `battle_id`: the battle the click was cast on; a click on a battle
        that is no longer the round's (a second click, arriving after the next battle came)
        casts nothing."""
        with self._lock:
            battle, store = self.battle, self._store
            if battle is None or store is None:
                return  # the round moved on before the click arrived: nothing to vote on
            if battle_id is not None and battle_id != battle.id:
                return  # cast on the battle before this one: nobody has read this one yet
            if not may_vote(voter):
                self.vote_problem = NOT_ALLOWED
                return
            leak = self.leaks
            try:
                try:
                    self.stored_vote = store.record_vote(
                        battle.id, winner, voter=voter.name, counts=not leak,
                        not_counted_reason=IDENTITY_LEAK if leak else None)
                    self.vote_problem = None
                except VoteRejected as rejected:
                    self.vote_problem = (f"vote.{rejected.reason}", {})
                    self.stored_vote = store.get_vote(battle.id)
            except sqlite3.Error as exc:
                self.vote_problem = ("error.storage_vote", {"path": store.path, "reason": exc})


def _new_run(battle: Battle, store: Store, settings: Settings, turn: Turn | None = None
             ) -> BattleRun:
    """The run of a battle's first turn, or (`turn`) of its follow-up, with the settings'
    clients, keep-alive, schedule and stall timeout."""
    return BattleRun(
        battle,
        client_factory=lambda host, transport: make_client(
            host, settings.ollama_read_timeout, settings.ollama_connect_timeout, transport),
        keep_alive=settings.keep_alive,
        sequential=store.arena_options().schedule == "sequential",
        stall_timeout=settings.ollama_stall_timeout,
        turn=turn,
    )
