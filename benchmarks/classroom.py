"""A classroom on one server: N students work the Augmentation page at the same time (issue 6).

    python benchmarks/classroom.py [--sessions 30] [--seconds 60] [--browsers 2] [--think 0] [--client-nice 10]
                                   [--heavy 1]

Starts ``streamlit run app.py`` on 127.0.0.1 with a fresh data folder and warms it up with one visit. Then every
student opens ``/augment?seed=<own seed>`` at once; when all pages are open, the clock starts and every student
runs the same journey until ``--seconds`` have passed: pick the "CIFAR-10 classic" preset (only when the box does
not show it already: a browser sends nothing for re-picking the shown option) and load it, set RandomHorizontalFlip's
``p`` to the student's own value, reroll, flip the de-normalize toggle, repeat. Students click again as soon as the
page has updated, unless ``--think`` gives them that many seconds (randomly 0.5x to 1.5x) between clicks (and a
random start within the first think time, so that they do not all click at the same instant). The students'
clients and browsers share the server's cores here, where in a classroom they run on the students' own machines:
they run at a lower CPU priority (``--client-nice``, default +10), so that what is measured is the server. Chromium,
which Playwright starts in a session and so a scheduler autogroup of its own, gets that niceness as its group's: a
process's niceness does not count across groups. The browsers then render on what CPU the server leaves them, so
their latencies include that wait, which a student's own machine would not have.

``--sessions`` students speak Streamlit's websocket protocol (benchmarks/_streamlit_client.py: no rendering, so the
client side costs almost nothing); ``--browsers`` more do the same through the UI in real Chromium contexts. A
latency is the time from the interaction to the end of the run it causes; for a browser, until that run's end
has reached the page's websocket and the page is idle, has loaded its images and shows the expected code and
address. After every interaction each student checks that its page shows its own state: the exported code holds
its own first preview's ``torch.manual_seed`` and ``p``, the share link (a browser: its address bar) its own seed
and reroll count; anything else is an isolation failure.

``--heavy`` more students (default 1) open the page with the heaviest pipeline the page's validation lets through
(:data:`HEAVY`: 3.2-megapixel images and the most expected time per image it allows, at 24 previews a page) and
reroll it without pause; their latencies are reported on their own, and the p95 target is the other students'.

The exit code is 0 only with no error (an exception or error element, an interaction without an answer within
TIMEOUT_S, a traceback in the server log) and no isolation failure. The targets (p95 < 2 s, server RSS < 2 GB with
30 students) are printed, never enforced.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import errno
import itertools
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import Browser, async_playwright
from playwright.async_api import Error as PlaywrightError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import WebSocketException

from benchmarks._streamlit_client import Session, ends_run, run_app
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from visionkit.transforms import catalog
from vkapp import augment_lab, sources

PRESET = "CIFAR-10 classic"
JOURNEY = ("select", "load", "param", "reroll", "denorm")
#: The heaviest pipeline the page accepts on its photos (checked at start): 1800 x 1800 px images (3.2 MP, below
#: catalog.MAX_IMAGE_PIXELS), and about 0.24 s expected per image, just below catalog.MAX_IMAGE_SECONDS.
HEAVY = [
    catalog.Step("Resize", {"size": [1800, 1800]}),
    catalog.Step("RandomRotation", {"degrees": [-30.0, 30.0]}),
    catalog.Step("ToTensor"),
]
HEAVY_PREVIEWS = 24
HEAVY_JOURNEY = ("reroll",)
TIMEOUT_S = 120.0
P95_TARGET_S = 2.0
RSS_TARGET_BYTES = 2 * 1024**3
TARGET_SESSIONS = 30
WATCHER_VARIABLE = "STREAMLIT_SERVER_FILE_WATCHER_TYPE"  # the server inherits the environment: set it to compare
# what stops a student: no answer in time, a dropped connection, a page without the widget or text it needs
FAILURES = (OSError, TimeoutError, ValueError, RuntimeError, WebSocketException, PlaywrightError)


@dataclass
class Student:
    """One student's own state, which everything its page shows must match.

    Attributes:
        name: ``protocol 7`` or ``chromium 1``, for the report.
        index: a number unique among all students, which picks the student's ``p`` values.
        seed: the global seed in the student's URL.
        roll: how many times the student has rerolled.
        flip_p: RandomHorizontalFlip's ``p`` (None: the preset's default, left out of the code).
        denormalize: the state of the de-normalize toggle.
    """

    name: str
    index: int
    seed: int
    roll: int = 0
    flip_p: float | None = None
    denormalize: bool = True

    def advance(self, step: str, iteration: int) -> None:
        """Update what the page should show once ``step`` is done."""
        if step == "load":
            self.flip_p = None
        elif step == "param":
            self.flip_p = round(0.01 * (1 + (7 * self.index + iteration) % 49), 2)  # never the default 0.5
        elif step == "reroll":
            self.roll += 1
        elif step == "denorm":
            self.denormalize = not self.denormalize

    def expected_code(self) -> list[str]:
        # a preset loads in the page's default API, v2, whose code calls the transforms ``v2.*``
        flip = "v2.RandomHorizontalFlip()," if self.flip_p is None else f"v2.RandomHorizontalFlip(p={self.flip_p!r}),"
        return [f"torch.manual_seed({self.preview_seed()})", flip]

    def preview_seed(self) -> int:
        """The seed of the first preview, which the exported code reproduces: the global seed, moved on by each
        reroll."""
        return augment_lab.sample_seed(self.seed, self.roll, 0)

    def expected_link(self) -> dict[str, str]:
        return {"seed": str(self.seed), "roll": str(self.roll)}


@dataclass
class Tally:
    """What one kind of client saw: latencies per journey step, errors, isolation failures."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    opens: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    deltas: dict[bool, list[int]] = field(default_factory=lambda: {False: [], True: []})  # by fragment run
    per_student: list[int] = field(default_factory=list)

    def all_latencies(self) -> list[float]:
        return [s for values in self.latencies.values() for s in values]


class Driver(Protocol):
    """A student's hands: opens its page, then does one journey step at a time."""

    student: Student
    tally: Tally

    async def open(self, stack: AsyncExitStack) -> None: ...

    async def interact(self, step: str) -> float | None: ...

    async def failed(self, error: BaseException) -> tuple[str, str]: ...


# ---- a student on the websocket protocol


class ProtocolStudent:
    """Drives the journey through :class:`Session`: one rerun per step, with the widget keys the page uses."""

    journey = JOURNEY

    def __init__(self, url: str, student: Student, tally: Tally):
        self.student, self.tally = student, tally
        self.session = Session(url, path="/augment", query={"seed": student.seed}, timeout=TIMEOUT_S)

    async def open(self, stack: AsyncExitStack) -> None:
        start = time.perf_counter()
        await stack.enter_async_context(self.session)
        self.tally.opens.append(time.perf_counter() - start)
        self.tally.session_ids.append(self.session.session_id)
        self.check("open")

    async def interact(self, step: str) -> float | None:
        seconds = await self.do(step)
        if seconds is not None:
            self.check(step)
        return seconds

    async def do(self, step: str) -> float | None:
        s = self.session
        if step == "select":
            return None if s.value("ag_preset") == PRESET else await s.rerun_with("ag_preset", PRESET)
        if step == "load":
            return await s.rerun_with("ag_load_preset", True)
        if step == "param":
            (key,) = [k for k in s.widget_keys() if k.startswith("ag_") and k.endswith("_param_p")]
            return await s.rerun_with(key, self.student.flip_p)
        if step == "reroll":
            return await s.rerun_with("ag_reroll", True)
        return await s.rerun_with("ag_denorm", self.student.denormalize)

    def check(self, step: str) -> None:
        """Record the run's error elements, and every way the page differs from the student's own state."""
        s, student = self.session, self.student
        self.tally.deltas[s.fragment_run].append(s.deltas)
        self.tally.errors += [f"{student.name} after {step}: {e}" for e in s.errors()]
        texts = s.texts()
        code = next((t for t in texts if "pipeline = v2.Compose" in t), "")
        link = next((t for t in texts if t.startswith("http") and "/augment?" in t), "")
        shown = {k: v[-1] for k, v in parse_qs(urlsplit(link).query).items()}
        wanted = student.expected_link()
        problems = [f"code lacks {text!r}" for text in student.expected_code() if text not in code]
        problems += [f"link has {k}={shown.get(k)}, not {v}" for k, v in wanted.items() if shown.get(k) != v]
        if s.value("seed") != student.seed:
            problems.append(f"seed widget is {s.value('seed')}")
        self.tally.isolation += [f"{student.name} after {step}: {p}" for p in problems]

    async def failed(self, error: BaseException) -> tuple[str, str]:
        return "error", ""


class HeavyStudent(ProtocolStudent):
    """Opens the page with :data:`HEAVY` at :data:`HEAVY_PREVIEWS` previews, then rerolls it without pause."""

    journey = HEAVY_JOURNEY

    def __init__(self, url: str, student: Student, tally: Tally):
        self.student, self.tally = student, tally
        query = {**catalog.to_query(HEAVY, student.seed), "roll": 0}
        self.session = Session(url, path="/augment", query=query, timeout=TIMEOUT_S)

    async def open(self, stack: AsyncExitStack) -> None:
        await super().open(stack)
        await self.session.rerun_with("ag_count", HEAVY_PREVIEWS)

    def check(self, step: str) -> None:
        s, student = self.session, self.student
        self.tally.errors += [f"{student.name} after {step}: {e}" for e in s.errors()]
        code = next((t for t in s.texts() if "pipeline = T.Compose" in t), "")
        if "T.Resize(size=(1800, 1800))" not in code:
            self.tally.isolation.append(f"{student.name} after {step}: code lacks the heavy pipeline")


# ---- a student in Chromium

# the app is idle, has loaded its images and shows the student's code and address
_SHOWS = """([code, params]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const texts = [...document.querySelectorAll('[data-testid="stCode"]')].map(e => e.textContent).join('\\n');
    const search = new URLSearchParams(location.search);
    const drawn = [...document.querySelectorAll('[data-testid="stImage"] img')].every(i => i.complete);
    return drawn && code.every(c => texts.includes(c)) && Object.entries(params).every(([k, v]) => search.get(k) === v);
}"""
_PROBLEMS = """() => [...document.querySelectorAll(
    '[data-testid="stException"], [data-testid="stAlertContentError"]')].map(e => e.textContent.slice(0, 200))"""
# what the page shows, for the report when a student gets stuck
_SEEN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const code = [...document.querySelectorAll('[data-testid="stCode"]')].map(e => e.textContent).join('\\n');
    const line = (word) => (code.split('\\n').find(l => l.includes(word)) || '').trim();
    const images = [...document.querySelectorAll('[data-testid="stImage"] img')];
    return {state: app && app.dataset.testScriptState, connection: app && app.dataset.testConnectionState,
            seed: line('manual_seed'),
            flip: line('RandomHorizontalFlip'), query: location.search.replace(/p=[^&]*&?/, ''),
            imagesLoading: images.filter(i => !i.complete).length};
}"""


class BrowserStudent:
    """Drives the journey through the UI in its own Chromium context, timing each step until the page shows it.

    The end of a run is read off the page's own websocket (the frames Chromium receives), then the page must be idle
    and show the student's state: a rerun too quick for the DOM to ever say "running" still counts.
    """

    def __init__(self, browser: Browser, url: str, student: Student, tally: Tally):
        self.browser, self.url, self.student, self.tally = browser, url, student, tally
        self.run_ended = asyncio.Event()

    async def open(self, stack: AsyncExitStack) -> None:
        context = await self.browser.new_context(viewport={"width": 1400, "height": 1600})
        stack.push_async_callback(context.close)
        self.page = await context.new_page()
        self.page.on("websocket", lambda socket: socket.on("framereceived", self.received))
        start = time.perf_counter()
        await self.page.goto(f"{self.url}/augment?seed={self.student.seed}", timeout=TIMEOUT_S * 1000)
        await self.shows()
        self.tally.opens.append(time.perf_counter() - start)

    def received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and ends_run(ForwardMsg.FromString(payload)):
            self.run_ended.set()

    async def shows(self) -> None:
        wanted = [self.student.expected_code(), self.student.expected_link()]
        await self.page.wait_for_function(_SHOWS, arg=wanted, polling="raf", timeout=TIMEOUT_S * 1000)

    async def interact(self, step: str) -> float | None:
        seconds = await self.do(step)
        problems = await self.page.evaluate(_PROBLEMS)
        self.tally.errors += [f"{self.student.name} after {step}: {p}" for p in problems]
        return seconds

    async def timed(self, action: Callable[[], Awaitable[Any]]) -> float:
        self.run_ended.clear()
        start = time.perf_counter()
        await action()
        await asyncio.wait_for(self.run_ended.wait(), TIMEOUT_S)
        await self.shows()
        return time.perf_counter() - start

    async def do(self, step: str) -> float | None:
        page = self.page
        if step == "select":
            box = page.get_by_role("combobox", name="Preset")
            if await box.input_value() == PRESET:
                return None
            await box.click()
            return await self.timed(page.get_by_role("option", name=PRESET).click)
        if step == "load":
            return await self.timed(page.get_by_role("button", name="Load", exact=True).click)
        if step == "param":
            expander = page.get_by_test_id("stExpander").filter(has_text="RandomHorizontalFlip")
            spin = expander.get_by_role("spinbutton", name="p", exact=True)
            if not await spin.is_visible():
                await expander.locator("summary").click()
            await spin.fill(repr(self.student.flip_p))
            return await self.timed(lambda: spin.press("Enter"))
        if step == "reroll":
            return await self.timed(page.get_by_role("button", name="Reroll").click)
        return await self.timed(page.get_by_text("De-normalize", exact=True).click)

    async def failed(self, error: BaseException) -> tuple[str, str]:
        """An isolation failure when the page shows another seed's code, else an error (e.g. too slow); and what
        the page showed."""
        try:
            seen = await self.page.evaluate(_SEEN)
        except PlaywrightError as exc:
            return "error", f"page unreadable: {exc.message.splitlines()[0]}"
        own = f"torch.manual_seed({self.student.preview_seed()})"
        return ("isolation" if seen["seed"] not in ("", own) else "error"), f"page shows {seen}"


# ---- the class: everyone opens, then the clock runs


async def open_page(driver: Driver, stack: AsyncExitStack) -> bool:
    try:
        await driver.open(stack)
    except FAILURES as exc:
        await record_failure(driver, "open", exc)
        return False
    return True


async def attend(driver: Driver, deadline: float, think: float) -> None:
    """The journey, over and over until the deadline; with a think time, students start at random moments within it."""
    student, tally, pause = driver.student, driver.tally, random.Random(driver.student.seed)
    done = 0
    try:
        await asyncio.sleep(think * pause.uniform(0.0, 1.0))
        for iteration in itertools.count():
            for step in getattr(driver, "journey", JOURNEY):
                if time.monotonic() >= deadline:
                    return
                student.advance(step, iteration)
                seconds = await driver.interact(step)
                if seconds is not None:
                    tally.latencies.setdefault(step, []).append(seconds)
                    done += 1
                    await asyncio.sleep(think * pause.uniform(0.5, 1.5))
    except FAILURES as exc:
        await record_failure(driver, step, exc)
    finally:
        tally.per_student.append(done)


async def record_failure(driver: Driver, step: str, exc: BaseException) -> None:
    kind, detail = await driver.failed(exc)
    message = str(exc).splitlines()[0] if str(exc) else ""
    entry = f"{driver.student.name} at {step}: {type(exc).__name__} {message} {detail}".rstrip()
    (driver.tally.isolation if kind == "isolation" else driver.tally.errors).append(entry)


async def run_class(drivers: list[Driver], seconds: float, think: float) -> float:
    """Open every page at once, then run every journey for ``seconds``; returns the journeys' wall time."""
    async with AsyncExitStack() as stack:
        opened = await asyncio.gather(*(open_page(d, stack) for d in drivers))
        start = time.monotonic()
        present = [d for d, ok in zip(drivers, opened, strict=True) if ok]
        await asyncio.gather(*(attend(d, start + seconds, think) for d in present))
        return time.monotonic() - start


# ---- the server's memory and CPU


#: Linux's ``prctl`` option that removes a capability from the bounding set, and the capability to raise priority.
PR_CAPBSET_DROP, CAP_SYS_NICE = 24, 23


def keep_children_niced() -> None:
    """Make the programs this process starts from now on keep its niceness. Run as root, Chromium raises its own
    threads' priority (nice 0, and -8 for its IO and compositor threads), so the browsers took the CPU the server
    should have had; without ``CAP_SYS_NICE`` in the bounding set a program started later cannot get it back. A
    process that lacks the capability anyway (not root) cannot drop it, and needs not."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EPERM:
        raise OSError(ctypes.get_errno(), "cannot keep the browsers at the clients' niceness")


def nice_autogroups(root: int, spare: int, nice: int) -> int:
    """Give the scheduler autogroup of every descendant of ``root`` (not of ``spare``, the server) that sits in
    another autogroup than ``root`` the niceness ``nice``; returns how many groups changed. With autogroups on
    (``/proc/sys/kernel/sched_autogroup_enabled``), Playwright starts Chromium in a session, and so an autogroup,
    of its own: the kernel then shares the CPU between that group and the server's equally, whatever each process's
    niceness, and the two browsers took half the machine. A group's niceness, unlike a process's, covers the
    renderers Chromium starts later in it."""
    own = Path(f"/proc/{root}/autogroup")
    if not own.exists():
        return 0
    mine, spared, done = own.read_text().split()[0], set(_family(spare)), set()
    for member in _family(root):
        path = Path(f"/proc/{member}/autogroup")
        with contextlib.suppress(OSError):
            group = path.read_text().split()[0]
            if member in spared or group == mine or group in done:
                continue
            path.write_text(str(nice))
            done.add(group)
    return len(done)


def _family(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            queue += [int(c) for c in children]
    return found


def _status_bytes(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) * 1024
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its live descendants."""
    ticks = 0
    for member in _family(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


async def sample_rss(pid: int, stop: asyncio.Event, peak: list[int]) -> None:
    """Keep ``peak[0]`` at the largest summed VmRSS of the server and its children, sampled every 0.25 s."""
    while not stop.is_set():
        with contextlib.suppress(OSError):  # a child that just exited
            peak[0] = max(peak[0], sum(_status_bytes(p, "VmRSS") for p in _family(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


@dataclass
class Outcome:
    """Everything the report needs: both tallies, the server's memory and CPU, the warm-up, the server's tracebacks."""

    protocol: Tally
    chromium: Tally
    heavy: Tally = field(default_factory=Tally)
    peak_rss: int = 0  # bytes, summed VmRSS of the server and its children, sampled
    hwm: int = 0  # bytes, the server process's own VmHWM at the end
    warmup_s: float = 0.0
    total_s: float = 0.0  # from the first page opening until the last journey ended
    journeys_s: float = 0.0  # from the start of the clock until the last journey ended
    cpu_s: float = 0.0  # the server's CPU time over total_s
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average when the class starts and ends
    tracebacks: list[str] = field(default_factory=list)
    watcher_overflows: int = 0  # "Inotify queue overflowed" lines: the file watcher re-walking the source tree


async def classroom(url: str, pid: int, args: argparse.Namespace) -> Outcome:
    """Warm the server up with one visit, then hold the class, watching the server's memory and CPU."""
    outcome, peak, stop = Outcome(Tally(), Tally()), [0], asyncio.Event()
    start = time.perf_counter()
    async with Session(url, path="/augment", timeout=TIMEOUT_S):  # imports and caches, as a teacher's first visit
        outcome.warmup_s = time.perf_counter() - start
    students = [Student(f"protocol {i}", i, 1000 + i) for i in range(args.sessions)]
    viewers = [Student(f"chromium {j}", args.sessions + j, 2000 + j) for j in range(args.browsers)]
    heavies = [Student(f"heavy {k}", args.sessions + args.browsers + k, 3000 + k) for k in range(args.heavy)]
    # In a classroom the students' clients run on their own machines; here they share the server's cores, so they
    # (this process, and the Chromium it starts from now on) yield the CPU to the server (started already).
    os.nice(args.client_nice)
    keep_children_niced()
    sampler = asyncio.create_task(sample_rss(pid, stop, peak))
    start, cpu_start, outcome.load = time.monotonic(), _cpu_seconds(pid), (os.getloadavg()[0], 0.0)
    try:
        async with AsyncExitStack() as stack:
            drivers: list[Driver] = [ProtocolStudent(url, s, outcome.protocol) for s in students]
            drivers += [HeavyStudent(url, s, outcome.heavy) for s in heavies]
            if viewers:
                playwright = await stack.enter_async_context(async_playwright())
                browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                stack.push_async_callback(browser.close)
                nice_autogroups(os.getpid(), pid, args.client_nice)
                drivers += [BrowserStudent(browser, url, s, outcome.chromium) for s in viewers]
            outcome.journeys_s = await run_class(drivers, args.seconds, args.think)
    finally:
        stop.set()
        await sampler
    outcome.total_s, outcome.cpu_s = time.monotonic() - start, _cpu_seconds(pid) - cpu_start
    outcome.load = (outcome.load[0], os.getloadavg()[0])
    outcome.peak_rss = peak[0]
    return outcome


def measure(args: argparse.Namespace) -> Outcome:
    """Start the server on a fresh data folder, hold the class, stop the server."""
    with tempfile.TemporaryDirectory(prefix="classroom-") as temp:
        log = Path(temp) / "streamlit.log"
        with run_app(Path(temp) / "data", log) as (url, server):
            outcome = asyncio.run(classroom(url, server.pid, args))
            outcome.hwm = _status_bytes(server.pid, "VmHWM")
        lines = log.read_text().splitlines()
        outcome.tracebacks = [f"server log: {line}" for line in lines if "Traceback" in line]
        outcome.watcher_overflows = sum("Inotify queue overflowed" in line for line in lines)
    return outcome


# ---- the report


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in [0, 100]) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def latency_line(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<18} n=0"
    p50, p95, top = percentile(values, 50), percentile(values, 95), max(values)
    return f"  {label:<18} n={len(values):<5} p50={p50:7.3f} s  p95={p95:7.3f} s  max={top:7.3f} s"


def report(kind: str, tally: Tally, students: int) -> list[str]:
    lines = [f"{kind}: {students} students, {len(tally.all_latencies())} interactions"]
    if tally.per_student:
        lines[0] += f" ({min(tally.per_student)}..{max(tally.per_student)} per student)"
    lines.append(latency_line("open /augment", tally.opens))
    lines.append(latency_line("all interactions", tally.all_latencies()))
    lines += [latency_line(step, tally.latencies[step]) for step in JOURNEY if step in tally.latencies]
    if students and not any(step in tally.latencies for step in JOURNEY if step != "reroll"):
        lines = lines[:3]  # a heavy student only rerolls
    for fragment, what in ((False, "whole-page runs"), (True, "runs of the previews panel alone")):
        if found := tally.deltas[fragment]:
            lines.append(f"  delta messages per run: {min(found)}..{max(found)} in {len(found)} {what}")
    if tally.session_ids:
        lines.append(f"  distinct server sessions: {len(set(tally.session_ids))} of {len(tally.session_ids)}")
    return lines


def server_lines(outcome: Outcome) -> list[str]:
    interactions = sum(len(t.all_latencies()) for t in (outcome.protocol, outcome.chromium))
    runs = interactions + len(outcome.protocol.opens) + len(outcome.chromium.opens)
    cores = outcome.cpu_s / outcome.total_s
    return [
        f"throughput: {interactions / outcome.journeys_s:.2f} interactions/s over {outcome.journeys_s:.0f} s",
        f"server CPU: {outcome.cpu_s:.0f} s in {outcome.total_s:.0f} s ({cores:.2f} of {os.cpu_count()} cores), "
        f"{outcome.cpu_s / max(runs, 1):.2f} CPU-s per page run ({runs} runs); machine load average "
        f"{outcome.load[0]:.1f} at the start, {outcome.load[1]:.1f} at the end",
        f"server file watcher: STREAMLIT_SERVER_FILE_WATCHER_TYPE={os.environ.get(WATCHER_VARIABLE, '(unset)')}, "
        f"{outcome.watcher_overflows} inotify queue overflows in the server log",
        f"server memory: peak RSS {outcome.peak_rss / 2**20:.0f} MiB (server + children, sampled every 0.25 s), "
        f"server VmHWM {outcome.hwm / 2**20:.0f} MiB",
    ]


def verdict(outcome: Outcome, sessions: int) -> int:
    """Print errors, isolation failures and the targets; returns the exit code."""
    protocol, chromium = outcome.protocol, outcome.chromium
    errors = protocol.errors + chromium.errors + outcome.heavy.errors + outcome.tracebacks
    isolation = protocol.isolation + chromium.isolation + outcome.heavy.isolation
    if len(set(protocol.session_ids)) != len(protocol.session_ids):
        isolation.append("two protocol students share a server session")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    print(f"isolation failures: {len(isolation)}" + "".join(f"\n  {e}" for e in isolation[:10]))
    found = {kind: tally.all_latencies() for kind, tally in (("protocol", protocol), ("Chromium", chromium))}
    p95s = {kind: percentile(values, 95) for kind, values in found.items() if values}
    worst = max(p95s.values(), default=float("inf"))
    shown = ", ".join(f"{kind} {p95:.3f} s" for kind, p95 in p95s.items())
    peak = max(outcome.peak_rss, outcome.hwm)
    scale = "" if sessions == TARGET_SESSIONS else f" (measured with {sessions} sessions; the targets are for 30)"
    print(f"target p95 < {P95_TARGET_S:g} s: {'holds' if worst < P95_TARGET_S else 'MISSED'} ({shown}){scale}")
    print(f"target RSS < 2 GB: {'holds' if peak < RSS_TARGET_BYTES else 'MISSED'} ({peak / 2**30:.2f} GiB){scale}")
    return 0 if not errors and not isolation else 1


def yardstick() -> float:
    """Seconds this machine's interpreter takes for a fixed piece of pure-Python work (best of 3), measured before
    the server starts: the server's work is interpreter-bound, so its latencies compare across machines only
    next to this number."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def check_heavy() -> None:
    """:data:`HEAVY` must be what the page accepts, and close to its limits, on every embedded photo."""
    photos = sources.open_dataset("photos")
    for index in range(len(photos)):
        found = augment_lab.check_steps(HEAVY, augment_lab.preview_input(photos[index][0]))
        if found.seconds < 0.9 * catalog.MAX_IMAGE_SECONDS:
            raise RuntimeError(f"HEAVY is no longer near the limit: {found.seconds:.3f} s per image expected")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30, help="protocol students (default 30)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the journeys run (default 60)")
    parser.add_argument("--browsers", type=int, default=2, help="Chromium students beside them (default 2)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a student's clicks (default 0)")
    parser.add_argument(
        "--heavy", type=int, default=1, help="students rerolling the heaviest allowed pipeline (default 1)"
    )
    parser.add_argument(
        "--client-nice", type=int, default=10, help="CPU niceness of the students' clients and browsers (default 10)"
    )
    args = parser.parse_args()
    if args.heavy < 0:
        parser.error(f"need --heavy >= 0, got {args.heavy}")
    check_heavy()
    if args.sessions < 1 or args.browsers < 0 or args.seconds <= 0 or args.think < 0 or not 0 <= args.client_nice <= 19:
        parser.error(
            f"need --sessions >= 1, --browsers >= 0, --seconds > 0, --think >= 0, 0 <= --client-nice <= 19; "
            f"got {vars(args)}"
        )
    if args.browsers and not CHROMIUM.exists():
        parser.error(f"Chromium is not installed at {CHROMIUM}: install it, or pass --browsers 0")
    speed = yardstick()
    outcome = measure(args)
    print(
        f"classroom: {args.sessions} protocol + {args.browsers} Chromium students on /augment, "
        f"{args.seconds:g} s of journeys after all pages opened, think time {args.think:g} s, clients and "
        f"browsers at nice +{args.client_nice} beside the server"
    )
    print(
        f"machine: {os.cpu_count()} cores, a 2-million-step Python loop takes {speed * 1e3:.0f} ms (compare runs on "
        "machines with similar values only)"
    )
    print(f"warm-up: the first visit to a cold server took {outcome.warmup_s:.1f} s (not counted below)")
    print("\n".join(report("protocol client", outcome.protocol, args.sessions)))
    print("\n".join(report("Chromium", outcome.chromium, args.browsers)))
    if args.heavy:
        label = f"heavy pipeline, {HEAVY_PREVIEWS} previews (not in the p95)"
        print("\n".join(report(label, outcome.heavy, args.heavy)))
    print("\n".join(server_lines(outcome)))
    return verdict(outcome, args.sessions)


if __name__ == "__main__":
    sys.exit(main())
