"""What tests read of a database that the arena itself never needs."""

from arena.db import Store


def count_battles(store: Store) -> int:
    """How many battles are stored, failed ones included, whatever their names' state."""
    with store.reading() as conn:
        return conn.execute("SELECT COUNT(*) FROM battles").fetchone()[0]
