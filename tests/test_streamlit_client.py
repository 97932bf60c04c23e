"""The classroom benchmark's websocket client against a real app server: sessions are independent, and a widget
the page does not have, or a value the widget cannot take, fails loudly instead of sending a silent no-op."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

from benchmarks._streamlit_client import Session, run_app
from vkapp import augment_lab

T = TypeVar("T")


def run_on_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh event loop in its own thread: the browser tests' Playwright keeps a loop running
    on the main thread for the whole session, and asyncio.run() refuses to start inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("client-app")
    with run_app(folder / "data", folder / "streamlit.log") as (url, _):
        yield url


def code_of(session: Session) -> str:
    return next(t for t in session.texts() if "pipeline = T.Compose" in t or "pipeline = v2.Compose" in t)


def link_of(session: Session) -> str:
    return next(t for t in session.texts() if t.startswith("http") and "/augment?" in t)


def link_query(session: Session) -> dict[str, str]:
    """The share link's seed and reroll count."""
    query = parse_qs(urlsplit(link_of(session)).query)
    return {key: query[key][0] for key in ("seed", "roll")}


class TestSessionIsolation:
    def test_a_reroll_in_one_session_leaves_the_other_as_it_was(self, app_url: str) -> None:
        async def scenario() -> tuple[list[str], list[str], Session, Session]:
            async with (
                Session(app_url, path="/augment", query={"seed": 3}) as first,
                Session(app_url, path="/augment", query={"seed": 4}) as second,
            ):
                before = second.texts()
                await first.rerun_with("ag_reroll", True)
                await second.rerun_with("ag_denorm", True)  # the value it already has: the same page again
                return before, second.texts(), first, second

        before, after, first, second = run_on_own_loop(scenario())
        assert first.session_id != second.session_id
        assert f"torch.manual_seed({3 + augment_lab.MAX_PREVIEWS})" in code_of(first)  # preview 1, after a reroll
        assert link_query(first) == {"seed": "3", "roll": "1"}
        assert "torch.manual_seed(4)" in code_of(second)  # preview 1: seed 4 + 24 x 0 rerolls + 0
        assert link_query(second) == {"seed": "4", "roll": "0"}
        assert after == before
        assert first.value("seed") == 3
        assert second.value("seed") == 4
        assert first.errors() == second.errors() == []

    def test_a_widget_change_reruns_the_whole_page_with_that_value(self, app_url: str) -> None:
        async def scenario() -> Session:
            async with Session(app_url, path="/augment", query={"seed": 5}) as session:
                await session.rerun_with("ag_preset", "CIFAR-10 classic")
                await session.rerun_with("ag_load_preset", True)
                (key,) = [k for k in session.widget_keys() if k.endswith("_param_p")]
                await session.rerun_with(key, 0.25)
                return session

        session = run_on_own_loop(scenario())
        assert "v2.RandomHorizontalFlip(p=0.25)," in code_of(session)
        assert "v2.RandomCrop(size=(28, 28))," in code_of(session)
        assert "Augmentation" in session.texts()
        assert session.deltas > 100


class TestFragments:
    def test_a_reroll_reruns_the_previews_alone_and_the_rest_of_the_page_stays(self, app_url: str) -> None:
        async def scenario() -> tuple[Session, list[str], int, int, bool]:
            async with Session(app_url, path="/augment", query={"seed": 6}) as session:
                await session.rerun_with("ag_denorm", False)
                full = session.deltas
                editor_keys = [k for k in session.widget_keys() if k.endswith("_enabled")]
                await session.rerun_with("ag_reroll", True)
                after_reroll = session.fragment_run
                await session.rerun_with(editor_keys[0], False)  # an editor widget: the whole page again
                return session, editor_keys, full, session.deltas, after_reroll

        session, editor_keys, full, edited, fragment_reroll = run_on_own_loop(scenario())
        assert fragment_reroll
        assert not session.fragment_run and edited >= full
        assert set(editor_keys) <= set(session.widget_keys())  # the editor stayed on the page through the reroll
        assert link_query(session) == {"seed": "6", "roll": "1"}
        assert "Augmentation" in session.texts()
        assert session.errors() == []

    def test_a_fragment_run_sends_only_the_previews(self, app_url: str) -> None:
        async def scenario() -> tuple[int, int, list[str], list[str]]:
            async with Session(app_url, path="/augment", query={"seed": 7}) as session:
                before = session.widget_keys()
                full = session.deltas
                await session.rerun_with("ag_reroll", True)
                return full, session.deltas, before, session.widget_keys()

        full, rerolled, before, after = run_on_own_loop(scenario())
        assert rerolled < full
        assert after == before


# (widget key, value, error, message): one case per way rerun_with refuses, on widgets of the Augmentation page
BAD_CHANGES: list[tuple[str, Any, type[Exception], str]] = [
    ("ag_no_such_widget", True, ValueError, "widget_key should be one of the last run's widget keys"),
    ("ag_dl_code", True, ValueError, "'ag_dl_code' is a download_button, which rerun_with cannot set"),
    ("ag_reroll", False, ValueError, r"value of a button should be True \(a click\), got False"),
    ("ag_preset", "CIFAR-100", ValueError, "value should be one of the options .*, got 'CIFAR-100'"),
    ("ag_source", "Scanner", ValueError, "value should be among the options .*, got 'Scanner'"),
    ("ag_denorm", "yes", TypeError, "value of a checkbox or toggle should be a bool, got 'yes'"),
    ("ag_count", "12", TypeError, "value of a slider should be a number or a list of numbers, got '12'"),
    ("seed", True, TypeError, "value of a number_input should be a number, got True"),
    ("ag_search", 7, TypeError, "value of a text widget should be a str, got 7"),
]


class TestSessionErrors:
    def test_a_bad_widget_or_value_raises_and_leaves_the_session_usable(self, app_url: str) -> None:
        async def scenario() -> Session:
            async with Session(app_url, path="/augment", query={"seed": 6}) as session:
                for key, value, error, match in BAD_CHANGES:
                    with pytest.raises(error, match=match):
                        await session.rerun_with(key, value)
                await session.rerun_with("ag_reroll", True)
            with pytest.raises(RuntimeError, match="the session is not connected"):
                await session.rerun_with("ag_reroll", True)
            return session

        session = run_on_own_loop(scenario())
        assert link_query(session) == {"seed": "6", "roll": "1"}  # no refused change reached the server
        assert session.value("ag_denorm") is True
        assert session.errors() == []

    @pytest.mark.parametrize(
        ("url", "path", "match"),
        [
            ("ws://127.0.0.1:8501", "/", "url should start with http://, got 'ws://127.0.0.1:8501'"),
            ("http://127.0.0.1:8501", "augment", "path should start with /, got 'augment'"),
        ],
    )
    def test_a_bad_address_is_refused(self, url: str, path: str, match: str) -> None:
        with pytest.raises(ValueError, match=match):
            Session(url, path=path)
