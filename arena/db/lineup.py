"""The Store's lineup settings, changed on the Models page: Ollama hosts added there, each
model's choice (in the arena or not, thinking split or not, the levels of a model that
thinks by level) and the arena's options.

A cloud model an admin includes is also remembered as cloud (a `cloud:<model>` row of the
options table, never removed): its battles and ratings carry the mark even when only its record
said so (a copy under a local-looking name), after the host that served it is gone."""

from __future__ import annotations

from arena.db.connection import Database
from arena.records import PAIRINGS, SCHEDULES, ArenaOptions, ModelChoice, utc_now
from arena.think_levels import packed, unpacked

CLOUD_OPTION = "cloud:"  # options-table name prefix of a model remembered as cloud


class Lineup(Database):
    """The hosts, model_choices and options tables (hosts named by settings are not stored)."""

    def added_hosts(self) -> list[str]:
        with self.reading() as conn:
            return [r[0] for r in conn.execute("SELECT url FROM hosts ORDER BY added_at, url")]

    def add_host(self, url: str) -> bool:
        """Add a host (a normalised URL); False if it was there already."""
        with self.transaction() as conn:
            return conn.execute("INSERT OR IGNORE INTO hosts (url, added_at) VALUES (?, ?)",
                                (url, utc_now())).rowcount == 1

    def remove_host(self, url: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM hosts WHERE url = ?", (url,)).rowcount == 1

    def model_choices(self) -> dict[str, ModelChoice]:
        default = ModelChoice()
        with self.reading() as conn:
            return {r[0]: ModelChoice(bool(r[1]), bool(r[2]), unpacked(r[3]) or default.levels,
                                      r[4] or default.level_on)
                    for r in conn.execute("SELECT model, included, split_thinking, think_levels,"
                                          " think_level_on FROM model_choices")}

    def set_model_choice(self, model: str, choice: ModelChoice, cloud: bool = False) -> None:
        """Store an admin's choice; `cloud`: the model runs elsewhere (remembered for its mark)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO model_choices (model, included, split_thinking, think_levels,"
                " think_level_on) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (model) DO UPDATE SET included = excluded.included,"
                " split_thinking = excluded.split_thinking,"
                " think_levels = excluded.think_levels, think_level_on = excluded.think_level_on",
                (model, int(choice.included), int(choice.split_thinking),
                 packed(choice.levels) or None, choice.level_on))
            if cloud:
                conn.execute("INSERT OR IGNORE INTO options (name, value) VALUES (?, '1')",
                             (CLOUD_OPTION + model,))

    def cloud_models(self) -> frozenset[str]:
        """The models an admin's choice marked as cloud (set_model_choice)."""
        with self.reading() as conn:
            return frozenset(r[0][len(CLOUD_OPTION):] for r in conn.execute(
                "SELECT name FROM options WHERE substr(name, 1, ?) = ?",
                (len(CLOUD_OPTION), CLOUD_OPTION)))

    def arena_options(self) -> ArenaOptions:
        with self.reading() as conn:
            stored = dict(conn.execute("SELECT name, value FROM options").fetchall())
        default = ArenaOptions()
        schedule = stored.get("schedule", default.schedule)
        pairing = stored.get("pairing", default.pairing)
        return ArenaOptions(
            include_new_models=stored.get("include_new_models", "1") == "1",
            schedule=schedule if schedule in SCHEDULES else default.schedule,
            show_thinking_before_vote=stored.get("show_thinking_before_vote", "0") == "1",
            pairing=pairing if pairing in PAIRINGS else default.pairing,
        )

    def set_arena_options(self, options: ArenaOptions) -> None:
        if options.schedule not in SCHEDULES:
            raise ValueError(f"schedule {options.schedule!r} is not one of {SCHEDULES}")
        if options.pairing not in PAIRINGS:
            raise ValueError(f"pairing {options.pairing!r} is not one of {PAIRINGS}")
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO options (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [("include_new_models", "1" if options.include_new_models else "0"),
                 ("schedule", options.schedule),
                 ("show_thinking_before_vote",
                  "1" if options.show_thinking_before_vote else "0"),
                 ("pairing", options.pairing)])
