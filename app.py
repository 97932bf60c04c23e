"""visionkit app: the router and frame around the pages (run with `streamlit run app.py`)."""

from __future__ import annotations

import streamlit as st

from vkapp import preview_worker, routing, server_tuning, sidebar

server_tuning.send_without_delay()  # once per server: each rerun's messages leave at once, not ~40 ms later
preview_worker.start()  # once per server: the preview workers import torch while the first visitor looks around
st.set_page_config(page_title="visionkit", page_icon=":material/visibility:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/datasets.py", title="Datasets", icon=":material/photo_library:", default=True),
        st.Page("pages/augment.py", title="Augmentation", icon=":material/auto_fix_high:"),
        st.Page("pages/models.py", title="Models", icon=":material/account_tree:"),
        st.Page("pages/boxes.py", title="Boxes & IoU", icon=":material/crop_free:"),
    ]
)
routing.mark_routed()
sidebar.draw()
page.run()
