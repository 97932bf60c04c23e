"""App-side support for the Streamlit pages: data locations, dataset sources, grids and the cache glue.

Only `vkapp.cache` and `vkapp.sidebar` import streamlit; the rest is plain Python so it can be tested directly.
"""
