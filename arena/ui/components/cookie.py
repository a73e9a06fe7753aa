"""Set (or clear) one cookie in the browser: Streamlit can read cookies (st.context.cookies)
but has no way to set one. Mounted without an iframe, so document.cookie is the app's own."""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ data }) {
  if (!data || !data.name) return;
  const current = document.cookie.split("; ").find((c) => c.startsWith(data.name + "="));
  const attributes = "; Path=/; SameSite=Strict";
  if (data.value) {
    const wanted = data.name + "=" + data.value;
    if (current !== wanted) {
      document.cookie = wanted + "; Max-Age=" + data.maxAge + attributes;
    }
  } else if (current) {
    document.cookie = data.name + "=; Max-Age=0" + attributes;
  }
}
"""
_CSS = ":host { display: none; }"

_mount = st.components.v2.component("arena_cookie", js=_JS, css=_CSS)


def set_cookie(name: str, value: str, max_age_s: int, key: str) -> None:
    """Keep cookie `name` at `value` for `max_age_s` seconds (an empty value clears it). Call
    it on every run: the browser writes the cookie only when it differs."""
    _mount(key=key, data={"name": name, "value": value, "maxAge": max(int(max_age_s), 0)},
           height=0)
