"""Time per interaction on each page's default state, on a real `streamlit run app.py` server, one session at a time.

    python benchmarks/interactions.py [--repeat 15]

Each interaction is one widget change sent over Streamlit's websocket protocol (benchmarks/_streamlit_client.py),
timed until that rerun's last message arrives: the server's time for the rerun plus loopback. Images are not
downloaded, so this is what the server spends, not what a browser spends drawing. Target: p50 under 150 ms; the
Augmentation page with 12 previews of a 256-px image under 150 ms per slider change or reroll.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._streamlit_client import Session, run_app  # noqa: E402

#: (page path, widget key, the values to cycle through; True clicks a button).
INTERACTIONS = [
    ("/", "ds_reshuffle", [True]),
    ("/", "ds_rows", [2, 3]),
    ("/augment", "ag_reroll", [True]),
    ("/augment", "ag_count", [11, 12]),
    ("/augment", "ag_denorm", [False, True]),
    ("/models", "md_depth", [3, 2]),
    ("/boxes", "bx_pair_clear", [True]),
]


async def measure(url: str, repeat: int) -> list[tuple[str, str, float, float]]:
    rows = []
    for path, key, values in INTERACTIONS:
        async with Session(url, path=path) as session:
            await session.rerun_with(key, values[0])  # warm-up
            times = sorted([await session.rerun_with(key, values[(i + 1) % len(values)]) for i in range(repeat)])
            if session.errors():
                raise RuntimeError(f"{path} {key}: {session.errors()}")
        rows.append((path, key, statistics.median(times), times[int(0.9 * (len(times) - 1))]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, run_app(Path(tmp) / "data", Path(tmp) / "server.log") as (url, _):
        rows = asyncio.run(measure(url, args.repeat))
    print(f"one session at a time, median and p90 of {args.repeat} interactions after a warm-up")
    print(f"{'page':<10} {'widget':<14} {'p50':>9} {'p90':>9}  target p50 < 150 ms")
    for path, key, p50, p90 in rows:
        verdict = "holds" if p50 < 0.150 else "MISSED"
        print(f"{path:<10} {key:<14} {p50 * 1e3:6.1f} ms {p90 * 1e3:6.1f} ms  {verdict}")


if __name__ == "__main__":
    main()
