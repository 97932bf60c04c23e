"""visionkit is a library for training scripts and notebooks: importing all of it must not pull in streamlit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_visionkit_never_imports_streamlit() -> None:
    code = (
        "import pkgutil, sys, visionkit\n"
        "for module in pkgutil.walk_packages(visionkit.__path__, 'visionkit.'):\n"
        "    __import__(module.name)\n"
        "print(len([m for m in sys.modules if m.startswith('visionkit')]))\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    imported, streamlit_loaded = result.stdout.split()
    assert int(imported) > 10
    assert streamlit_loaded == "False"


def test_ops_never_import_models() -> None:
    """Models are built of ops (Conv2dNormActivation, StochasticDepth, ...), never the reverse."""
    code = "import sys, visionkit.ops\nprint(any(m.startswith('visionkit.models') for m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
