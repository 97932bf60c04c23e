"""A Streamlit client that speaks the app's own websocket protocol, so a benchmark can hold many sessions cheaply.

A browser tab talks to ``streamlit run`` over one websocket, ``/_stcore/stream`` with the ``streamlit``
subprotocol: it sends ``BackMsg`` protobufs (a ``rerun_script`` carrying the page, the query string and the state of
every widget it shows) and receives ``ForwardMsg`` protobufs (``new_session`` opens a run, ``delta`` messages carry
the elements at their place in the page, ``script_finished`` closes it). :class:`Session` does the same without a
browser: it opens a page, keeps what the page shows as a browser does (a fragment's run replaces that fragment's
elements only), reports the values a browser would for its widgets, and changes one widget per rerun (one inside a
fragment reruns that fragment, as a browser asks)::

    async with Session("http://127.0.0.1:8501", path="/augment", query={"seed": 3}) as session:
        seconds = await session.rerun_with("ag_reroll", True)
        print(session.texts(), session.errors())

Images are not downloaded (a browser would fetch those the elements carry as media URLs), so the client's cost per
rerun is decoding the protobufs only. :func:`run_app` starts the app on a free local port for tests and
benchmarks.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Delta_pb2 import Delta
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import ClientConnection, connect

from tests.browser.conftest import SERVER, streamlit_server

__all__ = ["Session", "ends_run", "run_app", "widget_key"]

STREAM_PATH = "/_stcore/stream"
_ID_PREFIX = "$$ID-"
_FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
_TEXT_FIELDS = {"markdown": "body", "heading": "body", "text": "body", "code": "code_text"}


def ends_run(message: ForwardMsg) -> bool:
    """True for the ``script_finished`` that ends a run for good (not a run stopped early for a rerun it asked for)."""
    return message.WhichOneof("type") == "script_finished" and message.script_finished in _FINAL


def widget_key(widget_id: str) -> str | None:
    """The user key embedded in a widget id (``$$ID-<hash>-<key>``), or None for a widget without a key."""
    if not widget_id.startswith(_ID_PREFIX):
        return None
    key = widget_id.split("-", 2)[2]
    return None if key == "None" else key


# ---- the value a browser reports for a widget, read from its element, and written into a WidgetState


def _checkbox_value(proto: Any) -> bool:
    return proto.value if proto.set_value else proto.default


def _slider_value(proto: Any) -> list[float]:
    return list(proto.value if proto.set_value else proto.default)


def _optional_value(proto: Any) -> Any:
    """number_input, text_input and text_area: ``value`` when the server set it, else the optional ``default``."""
    if proto.set_value and proto.HasField("value"):
        return proto.value
    return proto.default if proto.HasField("default") else None


def _selectbox_value(proto: Any) -> str | None:
    if proto.set_value:
        return proto.raw_value if proto.HasField("raw_value") else None
    return proto.options[proto.default] if proto.HasField("default") else None


def _button_group_value(proto: Any) -> list[str]:
    return list(proto.raw_values) if proto.set_value else [proto.options[i].content for i in proto.default]


def _set_bool(state: WidgetState, proto: Any, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"value of a checkbox or toggle should be a bool, got {value!r}")
    state.bool_value = value


def _set_doubles(state: WidgetState, proto: Any, value: Any) -> None:
    numbers = list(value) if isinstance(value, list | tuple) else [value]
    if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
        raise TypeError(f"value of a slider should be a number or a list of numbers, got {value!r}")
    state.double_array_value.data[:] = numbers


def _set_number(state: WidgetState, proto: Any, value: Any) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"value of a number_input should be a number, got {value!r}")
    if proto.data_type == NumberInput.INT:
        state.int_value = int(value)
    else:
        state.double_value = float(value)


def _set_string(state: WidgetState, proto: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise TypeError(f"value of a text widget should be a str, got {value!r}")
    state.string_value = value


def _set_option(state: WidgetState, proto: Any, value: Any) -> None:
    if value not in proto.options:
        raise ValueError(f"value should be one of the options {list(proto.options)}, got {value!r}")
    state.string_value = value


def _set_options(state: WidgetState, proto: Any, value: Any) -> None:
    chosen = [value] if isinstance(value, str) else list(value)
    offered = [option.content for option in proto.options]
    if not set(chosen) <= set(offered):
        raise ValueError(f"value should be among the options {offered}, got {value!r}")
    state.string_array_value.data[:] = chosen


def _set_trigger(state: WidgetState, proto: Any, value: Any) -> None:
    if value is not True:
        raise ValueError(f"value of a button should be True (a click), got {value!r}")
    state.trigger_value = True


# element type -> (the value a browser reports before the user touches it, how a value is written)
_WIDGETS: dict[str, tuple[Callable[[Any], Any] | None, Callable[[WidgetState, Any, Any], None]]] = {
    "checkbox": (_checkbox_value, _set_bool),
    "slider": (_slider_value, _set_doubles),
    "number_input": (_optional_value, _set_number),
    "text_input": (_optional_value, _set_string),
    "text_area": (_optional_value, _set_string),
    "selectbox": (_selectbox_value, _set_option),
    "button_group": (_button_group_value, _set_options),
    "button": (None, _set_trigger),
}


def _state_of(widget_id: str, kind: str, proto: Any, value: Any) -> WidgetState:
    state = WidgetState(id=widget_id)
    _WIDGETS[kind][1](state, proto, value)
    return state


def _initial_state(widget_id: str, kind: str, proto: Any) -> WidgetState | None:
    """What a browser reports for an untouched widget; None where this client reports nothing (file uploaders and
    charts: the server then sees no file and no selection, as it does for a browser that sends empty ones)."""
    read = _WIDGETS[kind][0] if kind in _WIDGETS else None
    value = None if read is None else read(proto)
    return None if value is None else _state_of(widget_id, kind, proto, value)


def _decoded(state: WidgetState) -> Any:
    field = state.WhichOneof("value")
    value = getattr(state, field)
    return list(value.data) if hasattr(value, "data") else value


def _error_text(kind: str, proto: Any) -> str | None:
    if kind == "exception":
        return f"{proto.type}: {proto.message}"
    if kind == "alert" and proto.format == Alert.ERROR:
        return proto.body
    return None


class Session:
    """One app session over Streamlit's websocket protocol: what a browser tab does, without drawing anything.

    Use it as an async context manager: entering connects and waits until the first run of the page has finished.

    Args:
        url: the app's base URL, ``http://127.0.0.1:<port>``.
        path: the page's URL path, e.g. ``/augment``.
        query: the page's query parameters, e.g. ``{"seed": 3}``.
        timeout: seconds to wait for a run to finish before raising ``TimeoutError``.
    """

    def __init__(self, url: str, *, path: str = "/", query: Mapping[str, Any] | None = None, timeout: float = 60.0):
        if not url.startswith("http://"):
            raise ValueError(f"url should start with http://, got {url!r}")
        if not path.startswith("/"):
            raise ValueError(f"path should start with /, got {path!r}")
        self._url, self._path, self._timeout = url.rstrip("/"), path, timeout
        self._query = urlencode(dict(query or {}))
        self._socket: ClientConnection | None = None
        self._page_hash = ""
        self.session_id = ""
        self.deltas = 0  # delta messages of the last run (the final one when the page asked for a rerun)
        self.fragment_run = False  # whether the last run was a fragment's alone (the rest of the page stayed)
        # What the page shows, as a browser keeps it: delta path -> (element type or "block", proto, fragment id).
        self._nodes: dict[tuple[int, ...], tuple[str, Any, str]] = {}
        self._fresh: set[tuple[int, ...]] = set()  # paths the current run has sent
        self._run_fragments: set[str] = set()  # the fragments the current run runs (none: the whole page)
        self._widgets: dict[str, tuple[str, Any, str]] = {}  # widget id -> (element type, proto, fragment id)
        self._states: dict[str, WidgetState] = {}
        self._missing_pages: list[str] = []

    async def __aenter__(self) -> Session:
        stream = "ws://" + self._url.removeprefix("http://") + STREAM_PATH
        self._socket = await connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=self._timeout)
        await self._run(ClientState(query_string=self._query, page_name=self._path.strip("/")))
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    def widget_keys(self) -> list[str]:
        """The keys of the widgets the last run drew, in page order."""
        return [key for key in map(widget_key, self._widgets) if key is not None]

    def value(self, widget_key: str) -> Any:
        """The value this session reports for a widget (None for a button or a widget without a value)."""
        state = self._states.get(self._widget_id(widget_key))
        return None if state is None else _decoded(state)

    def texts(self) -> list[str]:
        """The text, markdown, heading and code elements the page shows, in page order."""
        return [getattr(proto, _TEXT_FIELDS[kind]) for kind, proto, _ in self._elements() if kind in _TEXT_FIELDS]

    def errors(self) -> list[str]:
        """Exceptions and ``st.error`` messages the page shows (and a page the server did not find)."""
        found = [_error_text(kind, proto) for kind, proto, _ in self._elements()]
        return [error for error in found if error is not None] + self._missing_pages

    async def rerun_with(self, widget_key: str, value: Any) -> float:
        """Set one widget (True clicks a button) and rerun the page as a browser would.

        Args:
            widget_key: the ``key=`` the page gave the widget; it must be among :meth:`widget_keys`.
            value: a bool (checkbox, toggle), a number (number_input), a number or list of numbers (slider),
                an option's label (selectbox), a str (text_input), a str or list of str (segmented control),
                or True (button).

        Returns:
            Seconds from sending the change to the end of the run it started (reruns the page asked for included).

        Raises:
            ValueError: if no widget of the last run has this key, or the value is not one of its options.
            TypeError: if the value has the wrong type for the widget.
            RuntimeError: if the session is not connected (outside its ``async with``).
            TimeoutError: if the run does not finish within the session's timeout.
        """
        widget_id = self._widget_id(widget_key)
        kind, proto, fragment = self._widgets[widget_id]
        if kind not in _WIDGETS:
            raise ValueError(f"widget_key {widget_key!r} is a {kind}, which rerun_with cannot set")
        state = _state_of(widget_id, kind, proto, value)
        states = {**self._states, widget_id: state}
        if kind != "button":  # a click is sent once; a value stays
            self._states[widget_id] = state
        # A widget inside a fragment reruns that fragment alone, as a browser asks.
        request = ClientState(query_string=self._query, page_script_hash=self._page_hash, fragment_id=fragment)
        request.widget_states.CopyFrom(WidgetStates(widgets=states.values()))
        start = time.perf_counter()
        await self._run(request)
        return time.perf_counter() - start

    def _widget_id(self, key: str) -> str:
        for widget_id in self._widgets:
            if widget_key(widget_id) == key:
                return widget_id
        raise ValueError(f"widget_key should be one of the last run's widget keys {self.widget_keys()}, got {key!r}")

    async def _run(self, request: ClientState) -> None:
        """Send a rerun and read the session's messages until that run (and any rerun it asked for) has finished."""
        if self._socket is None:
            raise RuntimeError("the session is not connected: use it inside `async with Session(...)`")
        request.context_info.CopyFrom(ContextInfo(url=self._url + self._path, timezone="UTC", locale="en-US"))
        await self._socket.send(BackMsg(rerun_script=request).SerializeToString())
        async with asyncio.timeout(self._timeout):
            while not self._handle(ForwardMsg.FromString(await self._socket.recv(decode=False))):
                pass
        self._states = {i: s for i, s in self._states.items() if i in self._widgets}
        for widget_id, (kind, proto, _) in self._widgets.items():
            if widget_id not in self._states and (state := _initial_state(widget_id, kind, proto)) is not None:
                self._states[widget_id] = state

    def _handle(self, message: ForwardMsg) -> bool:
        """Take in one message; True when it ends a run for good (not a run stopped early for a rerun)."""
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id
            self._run_fragments = set(message.metadata.run.fragment_ids)
            self._fresh, self._missing_pages, self.deltas = set(), [], 0
        elif kind == "delta":
            self.deltas += 1
            self._take_delta(tuple(message.metadata.delta_path), message.delta)
        elif kind == "navigation":  # st.navigation names the page that runs; reruns must ask for that page
            self._page_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self._query = message.page_info_changed.query_string
        elif kind == "page_not_found":
            self._missing_pages.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "ref_hash":
            raise RuntimeError("the server referred to a cached message, which this client never announces")
        if not ends_run(message):
            return False
        self._drop_stale()
        return True

    def _take_delta(self, path: tuple[int, ...], delta: Delta) -> None:
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            element_kind = element.WhichOneof("type")
            self._nodes[path] = (element_kind, getattr(element, element_kind), delta.fragment_id)
        elif which == "add_block":
            self._nodes[path] = ("block", delta.add_block, delta.fragment_id)
        else:
            return
        self._fresh.add(path)

    def _drop_stale(self) -> None:
        """What a browser does when a run ends: drop what the run could have sent again but did not (anything after
        a whole-page run; only the fragments' own elements after a fragment run), then index the widgets."""
        self.fragment_run = bool(self._run_fragments)
        for path, (_, _, fragment) in list(self._nodes.items()):
            if path not in self._fresh and (not self._run_fragments or fragment in self._run_fragments):
                del self._nodes[path]
        self._widgets = {
            proto.id: (kind, proto, fragment)
            for kind, proto, fragment in self._elements()
            if getattr(proto, "id", "").startswith(_ID_PREFIX)
        }

    def _elements(self) -> list[tuple[str, Any, str]]:
        """The page's elements (blocks left out), in page order."""
        return [node for _, node in sorted(self._nodes.items()) if node[0] != "block"]


@contextmanager
def run_app(data_dir: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``streamlit run serve.py`` on a free port of 127.0.0.1, with its own data folder; stopped on exit.

    Yields:
        The base URL (``http://127.0.0.1:<port>``) and the server process.
    """
    with streamlit_server(SERVER, log, data_dir) as running:
        yield running
