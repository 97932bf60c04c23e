"""visionkit app: the router and frame around the pages (run with `streamlit run app.py`)."""

from __future__ import annotations

import streamlit as st

from vkapp import sidebar

st.set_page_config(page_title="visionkit", page_icon=":material/visibility:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/datasets.py", title="Datasets", icon=":material/photo_library:", default=True),
    ]
)
sidebar.draw()
page.run()
