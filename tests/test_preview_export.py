"""The exported script makes the preview on the page: for every preset and random mixes of steps, the code for a
preview, run in a fresh Python process on the downloaded input, gives that preview's output value for value."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from visionkit.transforms import catalog
from vkapp import augment_lab, sources

REPO = Path(__file__).resolve().parent.parent
#: Run in the child after each script: keep ``out`` as a tensor (PIL images as their array) in a file.
SAVE = """
import numpy, torch
from PIL import Image as _Image
torch.save(torch.from_numpy(numpy.asarray(out).copy()) if isinstance(out, _Image.Image) else out, {path!r})
"""


def _random_step(rng: random.Random, names: list[str]) -> catalog.Step:
    name = rng.choice(names)
    params = dict(catalog.default_step(name).params)
    for param in catalog.CATALOG[name].params:
        if param.kind in ("float", "int") and param.minimum is not None and rng.random() < 0.5:
            value = rng.uniform(param.minimum, min(param.maximum, param.minimum + 40))
            params[param.name] = round(value) if param.kind == "int" else round(value, 2)
    step = catalog.Step(name, params, p=rng.choice([1.0, 1.0, 0.5]))
    return step if not catalog.validate_step(step) else catalog.default_step(name)


def _random_mix(rng: random.Random, image: Image.Image, conversion: str | None) -> list[catalog.Step]:
    """Random valid steps on the PIL image, then, after ``conversion`` (a step name), random steps on the tensor it
    makes: a pipeline the page accepts (order checks and :func:`vkapp.augment_lab.check_steps`)."""
    on_images = [spec.name for spec in catalog.search() if spec.input == "image"]  # the page offers v1
    on_tensors = [spec.name for spec in catalog.search() if spec.input != "pil" and spec.group != "conversion"]
    while True:
        steps = [_random_step(rng, on_images) for _ in range(rng.randint(2, 4))]
        if conversion is not None:
            steps += [catalog.Step(conversion), *(_random_step(rng, on_tensors) for _ in range(rng.randint(2, 4)))]
        if catalog.check_pipeline(steps):
            continue
        try:
            augment_lab.check_steps(steps, image)
        except catalog.StepInputError:
            continue
        return steps


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """The first embedded photo, as the page previews it."""
    return augment_lab.preview_input(sources.open_dataset("photos")[0][0])


PIPELINES: dict[str, Any] = {**{f"preset {name}": steps for name, steps in catalog.PRESETS.items()}}
PIPELINES |= {f"random mix {seed}, {conversion}": (seed, conversion) for seed, conversion in enumerate(
    [None, "PILToTensor", "ToTensor", "ToTensor"])}  # fmt: skip


def run_scripts(scripts: list[Path], folder: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the scripts one after another in one fresh Python process (one torch import), in ``folder``, with only
    this repository on the path; with ``check``, fail with the child's error if one fails."""
    runner = "import runpy\n" + "\n".join(f"runpy.run_path({str(s)!r}, run_name='__main__')" for s in scripts)
    done = subprocess.run(
        [sys.executable, "-c", runner],
        cwd=folder,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert not check or done.returncode == 0, done.stderr[-2000:]
    return done


def run_previews(codes: dict[int, str], save: str, folder: Path) -> dict[int, Any]:
    """Run each preview's script followed by ``save`` (a template with ``{path}``: where it saves what it made),
    all in one process in ``folder``; what each saved, by preview index."""
    scripts = []
    for index, code in codes.items():
        script = folder / f"preview{index}.py"
        script.write_text(code + save.format(path=str(folder / f"out{index}.pt")))
        scripts.append(script)
    run_scripts(scripts, folder)
    return {index: torch.load(folder / f"out{index}.pt", weights_only=True) for index in codes}


def _as_tensor(output: Any) -> torch.Tensor:
    return torch.from_numpy(np.asarray(output).copy()) if isinstance(output, Image.Image) else output


@pytest.mark.parametrize("name", list(PIPELINES))
def test_the_code_for_a_preview_makes_that_preview(name: str, photo: Image.Image, tmp_path: Path) -> None:
    chosen = PIPELINES[name]
    steps = _random_mix(random.Random(chosen[0]), photo, chosen[1]) if isinstance(chosen, tuple) else chosen
    seed, roll = 11, 3
    samples = augment_lab.previews(steps, photo, seed=seed, roll=roll, count=4, boxes=None, keep_outputs=True)
    script_input = augment_lab.preview_script_input(photo)
    (tmp_path / augment_lab.INPUT_FILE).write_bytes(augment_lab.input_png(photo))
    codes = {}
    for index in (0, 3):
        sample = samples[index]
        assert sample.seed == augment_lab.sample_seed(seed, roll, index)
        assert sample.pictures[True].caption.startswith(f"seed {sample.seed}")
        code = augment_lab.preview_code(steps, "visionkit", preview_seed=sample.seed, image=script_input)
        assert f"torch.manual_seed({sample.seed})" in code and f"{photo.width} x {photo.height} px" in code
        codes[index] = code
    for index, made in run_previews(codes, SAVE, tmp_path).items():
        expected = _as_tensor(samples[index].output)
        assert made.dtype == expected.dtype and made.shape == expected.shape
        assert torch.equal(made, expected), f"preview {index + 1} of {name} differs"


def test_the_script_refuses_an_input_of_another_size(photo: Image.Image, tmp_path: Path) -> None:
    """A student who opens another image is told so, instead of getting other pixels silently."""
    code = augment_lab.preview_code(
        [catalog.Step("RandomInvert")], "visionkit", preview_seed=5, image=augment_lab.preview_script_input(photo)
    )
    photo.resize((photo.width + 1, photo.height)).save(tmp_path / augment_lab.INPUT_FILE)
    (tmp_path / "pipeline.py").write_text(code)
    done = run_scripts([tmp_path / "pipeline.py"], tmp_path, check=False)
    assert done.returncode != 0
    assert f"expected the {photo.width} x {photo.height} px input, got ({photo.width + 1}, {photo.height})" in (
        done.stderr
    )
