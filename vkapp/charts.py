"""Plotly figures that are safe to build while another script thread imports pandas.

Plotly looks pandas up in ``sys.modules`` to check its inputs, without importing it: while another thread (a rerun
that Streamlit started before the previous run had stopped, say) is still importing pandas, plotly finds the half-made
module and fails with "partially initialized module 'pandas' has no attribute 'Series'". Importing pandas first waits
for that import to finish (the import lock), so :func:`figure` never sees it half-made; after the first time it costs
nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

import plotly.graph_objects as go


def figure(*args: Any, **kwargs: Any) -> go.Figure:
    """``go.Figure(*args, **kwargs)``, once pandas is wholly imported."""
    importlib.import_module("pandas")
    return go.Figure(*args, **kwargs)
