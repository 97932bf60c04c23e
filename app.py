"""visionkit app: the router and frame around the pages (run with `streamlit run app.py`)."""

from __future__ import annotations

import streamlit as st

from vkapp import preview_worker, routing, server_tuning, sidebar

server_tuning.send_without_delay()  # once per server: each rerun's messages leave at once, not ~40 ms later
preview_worker.start()  # once per server: the preview workers import torch while the first visitor looks around
st.set_page_config(page_title="visionkit", page_icon=":material/visibility:", layout="wide")

DATASETS = "pages/datasets.py"
page = st.navigation(
    [
        st.Page(DATASETS, title="Datasets", icon=":material/photo_library:", default=True, url_path=""),
        # The default page is served at "/" only: Streamlit matches a new session's URL path against each page's
        # url_path, which is "" for the default page, so a bookmark of /datasets needs this hidden page of its own
        # (url_path="" above leaves the name "datasets", which also keys the page, free for it).
        st.Page(DATASETS, title="Datasets", icon=":material/photo_library:", url_path="datasets", visibility="hidden"),
        st.Page("pages/augment.py", title="Augmentation", icon=":material/auto_fix_high:"),
        st.Page("pages/models.py", title="Models", icon=":material/account_tree:"),
        st.Page("pages/boxes.py", title="Boxes & IoU", icon=":material/crop_free:"),
    ]
)
routing.mark_routed()
sidebar.draw()
page.run()
