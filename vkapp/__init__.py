"""App-side support for the Streamlit pages: data locations, dataset sources, grids, the labs behind each page,
the cache glue and shared widgets.

The modules that compute (`paths`, `sources`, `grid`, `augment_lab`, `model_lab`, `box_lab`) never import streamlit,
so they are tested directly; `cache`, `state`, `sidebar`, `progress`, `routing` and `box_canvas` are the UI side.
"""
