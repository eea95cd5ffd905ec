"""Choices that live in the URL, so a shared link reproduces the view exactly.

Pattern: when the URL differs from what this session last wrote (a new visit or an opened
link), the page parses it and seeds its widgets' session state; after the widgets have run, the
page writes the cleaned choices back. Problems found while parsing are shown once.
"""

from __future__ import annotations

import streamlit as st


def current() -> dict[str, str]:
    return {key: str(value) for key, value in st.query_params.to_dict().items()}


def changed_from_outside(scope: str) -> bool:
    """True on a first visit or when the URL no longer matches what this page last wrote."""
    return st.session_state.get(f"_url_{scope}") != current()


def write(scope: str, params: dict[str, object]) -> None:
    """Replace the query parameters by ``params`` (empty values left out) and remember them."""
    clean = {key: str(value) for key, value in params.items() if value not in (None, "", [], ())}
    if current() != clean:
        st.query_params.from_dict(clean)
    st.session_state[f"_url_{scope}"] = clean


def joined(values) -> str:
    return ",".join(str(v) for v in values)
