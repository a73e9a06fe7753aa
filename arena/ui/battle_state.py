"""What other pages may ask about this tab's battle on the Arena page (its state lives in
arena_view's session keys; this module only reads them)."""

from __future__ import annotations

import streamlit as st

from arena.ui.arena_view import BATTLE_KEY, RUN_KEY, VOTE_KEY


def has_unvoted_battle() -> bool:
    """Whether this tab has a battle running, or one shown and not voted on yet (a failed or
    stopped one included, until a new round clears it: the safe side)."""
    if st.session_state.get(RUN_KEY) is not None:
        return True
    return st.session_state.get(BATTLE_KEY) is not None and \
        st.session_state.get(VOTE_KEY) is None
