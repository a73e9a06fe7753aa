"""Who may do what. The one switch for admin actions (importing and deleting data): everyone,
until access control (issue 6) plugs in here."""

from __future__ import annotations


def can_administer(user: str | None = None) -> bool:
    """Whether `user` may import or delete battles."""
    return True
