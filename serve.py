"""The server: ``streamlit run serve.py`` serves the app (app.py) and starts its preview workers with the server.

``streamlit run app.py`` serves the same app, but can only start the preview workers when the first session runs
app.py: the first visitor to the Augmentation page then waits for them to import torch (seconds, on a cold
machine). Here they start while the server starts (:func:`vkapp.preview_worker.start` returns at once; the workers
get ready in the background), through the lifespan of an ``st.App``, which ``streamlit run`` serves as it serves a
script, with the same configuration (.streamlit/config.toml, command-line flags).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st

from vkapp import preview_worker


@asynccontextmanager
async def _start_workers(_app: Any) -> AsyncIterator[None]:
    preview_worker.start()
    yield


app = st.App("app.py", lifespan=_start_workers)
