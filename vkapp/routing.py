"""Make every page run inside app.py's frame, also when its URL is the first one a fresh server sees.

Streamlit runs the files of a ``pages/`` folder on their own (its first multipage mode) until some session has
executed ``st.navigation``. A student who opens ``/augment`` first would get that page without the app's frame:
no page config, no shared sidebar, file names as navigation. Pages call :func:`require_router` first; app.py calls
:func:`mark_routed`. A run that did not come through app.py switches Streamlit to ``st.navigation`` mode and reruns,
which serves the same URL through the router.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROUTED_KEY = "_vk_routed"


def mark_routed() -> None:
    st.session_state[ROUTED_KEY] = True


def require_router() -> None:
    if st.session_state.get(ROUTED_KEY):
        return
    PagesManager.uses_pages_directory = False
    st.rerun()
