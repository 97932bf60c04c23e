"""A tiny page for the box canvas browser tests: run with `python -m streamlit run tests/browser/box_canvas_demo.py`.

Three canvases: a photo to annotate (labels, a button that replaces the boxes as a coordinate table would), a blank
editable canvas, and a view-only canvas with overlays. Each writes the boxes it returned as JSON; a counter shows
how many times the script ran (once per completed mouse interaction, not per mouse move).
"""

from __future__ import annotations

import json

import streamlit as st
from PIL import Image

from vkapp.box_canvas import box_canvas
from vkapp.paths import ASSETS_DIR

PHOTO = ASSETS_DIR / "photos" / "animal" / "chelsea.jpg"
REPLACEMENT = [{"id": "t1", "x1": 10, "y1": 20, "x2": 110, "y2": 120, "label": "dog"}]
REPLAY_BOXES = [
    {"id": "kept", "x1": 30, "y1": 30, "x2": 150, "y2": 130, "label": "cat", "score": 0.92},
    {"id": "dropped", "x1": 45, "y1": 40, "x2": 170, "y2": 150, "label": "cat", "score": 0.61, "style": "dashed"},
]
OVERLAYS = [
    {"kind": "rect", "x1": 45, "y1": 40, "x2": 150, "y2": 130, "color": "#ffb000", "fill": "rgba(255, 176, 0, 0.3)"},
    {"kind": "rect", "x1": 30, "y1": 30, "x2": 170, "y2": 150, "color": "#333333", "dash": True},
    {"kind": "grid", "x1": 190, "y1": 40, "x2": 280, "y2": 130, "rows": 3, "cols": 3, "color": "#1f77b4"},
    {"kind": "points", "xy": [[205, 55], [235, 55], [265, 55], [205, 85]], "color": "#d62728"},
]


def show(name: str, boxes: list[dict]) -> None:
    with st.container(key=f"result-{name}"):
        st.code(json.dumps(boxes), language="json")


st.set_page_config(page_title="box canvas demo", layout="wide")
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.text(f"script runs: {st.session_state['runs']}")
st.session_state.setdefault("photo_boxes", [])
if st.button("Replace boxes"):
    st.session_state.photo_boxes = REPLACEMENT
st.session_state.photo_boxes = box_canvas(
    Image.open(PHOTO), st.session_state.photo_boxes, width=600, height=400, key="photo", labels=["cat", "dog"]
)
show("photo", st.session_state.photo_boxes)
show("blank", box_canvas(None, [], width=300, height=200, key="blank"))
show("replay", box_canvas(None, REPLAY_BOXES, width=300, height=200, key="replay", mode="view", overlays=OVERLAYS))
