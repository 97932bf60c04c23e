"""CutMix / MixUp previews on a batch: what the transform made, shown with each item's label vector in words."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from visionkit import transforms as T
from visionkit import tv_tensors
from visionkit.transforms import v2
from visionkit.utils import to_displayable
from vkapp import augment_lab, batch_mix, sources

NAMES = ["animal", "food", "medical", "people", "space"]


def flat_images(count: int, size: tuple[int, int] = (24, 32)) -> list[torch.Tensor]:
    """Images of one grey level each (0.1, 0.2, ...): every pixel says which image it came from."""
    return [torch.full((3, *size), (k + 1) / 10) for k in range(count)]


def noise_images(count: int) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return [torch.rand(3, 20, 28, generator=generator) for _ in range(count)]


def decoded(picture: augment_lab.Picture) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(picture.data)))


def parsed(caption: str) -> list[tuple[float, str]]:
    """``"0.62 animal + 0.38 food"`` -> ``[(0.62, "animal"), (0.38, "food")]``."""
    return [(float(weight), name) for weight, name in (part.split(" ", 1) for part in caption.split(" + "))]


@pytest.mark.parametrize("mix", batch_mix.MIXES)
class TestMixedBatch:
    def test_each_label_vector_sums_to_one_over_its_own_and_the_previous_class(self, mix: str) -> None:
        labels = [0, 1, 2, 3]
        result = batch_mix.mixed_batch(noise_images(4), labels, NAMES, mix=mix, seed=3)
        assert result.labels.shape == (4, len(NAMES))
        torch.testing.assert_close(result.labels.sum(dim=1), torch.ones(4))
        for item, own in enumerate(labels):
            previous = labels[item - 1]
            assert set(result.labels[item].nonzero().flatten().tolist()) == {own, previous}
            assert result.labels[item, own].item() == pytest.approx(result.lam)
            assert result.labels[item, previous].item() == pytest.approx(1 - result.lam)

    def test_pixels_and_labels_are_the_transforms_own_output(self, mix: str) -> None:
        images, labels = noise_images(3), [4, 0, 2]
        result = batch_mix.mixed_batch(images, labels, NAMES, mix=mix, alpha=0.7, seed=11)
        transform = getattr(v2, mix)(alpha=0.7, num_classes=len(NAMES))
        torch.manual_seed(11)
        expected_images, expected_labels = transform(torch.stack(images), torch.tensor(labels))
        torch.testing.assert_close(result.images, expected_images, rtol=0, atol=0)
        torch.testing.assert_close(result.labels, expected_labels, rtol=0, atol=0)
        for picture, image in zip(result.pictures, expected_images, strict=True):
            np.testing.assert_array_equal(decoded(picture), to_displayable(image))

    def test_tv_tensor_images_mix_as_plain_tensors_do(self, mix: str) -> None:
        images = noise_images(3)
        plain = batch_mix.mixed_batch(images, [0, 1, 2], NAMES, mix=mix, seed=5)
        wrapped = batch_mix.mixed_batch([tv_tensors.Image(i) for i in images], [0, 1, 2], NAMES, mix=mix, seed=5)
        torch.testing.assert_close(wrapped.images.as_subclass(torch.Tensor), plain.images, rtol=0, atol=0)
        assert [p.data for p in wrapped.pictures] == [p.data for p in plain.pictures]

    def test_a_seed_reproduces_the_batch_and_another_seed_draws_anew(self, mix: str) -> None:
        images = noise_images(3)
        first, again, other = (batch_mix.mixed_batch(images, [0, 1, 2], NAMES, mix=mix, seed=s) for s in (7, 7, 8))
        assert [p.data for p in first.pictures] == [p.data for p in again.pictures]
        assert (first.lam, first.box) == (again.lam, again.box)
        torch.testing.assert_close(first.labels, again.labels, rtol=0, atol=0)
        assert first.lam != other.lam

    def test_each_caption_reads_its_label_vector_largest_weight_first(self, mix: str) -> None:
        result = batch_mix.mixed_batch(noise_images(4), [3, 1, 4, 0], NAMES, mix=mix, seed=2)
        for picture, vector in zip(result.pictures, result.labels, strict=True):
            words = parsed(picture.caption)
            weights = [weight for weight, _ in words]
            assert weights == sorted(weights, reverse=True)
            assert {name: weight for weight, name in words} == {
                NAMES[k]: round(vector[k].item(), 2) for k in vector.nonzero().flatten().tolist()
            }

    def test_normalized_previews_are_shown_denormalized(self, mix: str) -> None:
        stats = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
        normalized = [T.Normalize(*stats)(image) for image in noise_images(2)]
        result = batch_mix.mixed_batch(normalized, [0, 1], NAMES, mix=mix, seed=4, stats=stats)
        for picture, image in zip(result.pictures, result.images, strict=True):
            np.testing.assert_array_equal(decoded(picture), to_displayable(image, *stats))


class TestCutMix:
    def test_an_item_shows_the_previous_image_inside_the_box_and_its_own_outside(self) -> None:
        images = flat_images(3)
        result = batch_mix.mixed_batch(images, [0, 1, 2], NAMES, mix="CutMix", seed=3)
        x1, y1, x2, y2 = result.box
        height, width = images[0].shape[1:]
        assert 0 < (x2 - x1) * (y2 - y1) < height * width, "this seed should draw a box inside the image"
        inside = torch.zeros(height, width, dtype=torch.bool)
        inside[y1:y2, x1:x2] = True
        for item in range(3):
            mixed = result.images[item]
            assert (mixed[:, inside] == images[item - 1][:, inside]).all()
            assert (mixed[:, ~inside] == images[item][:, ~inside]).all()
            shown = decoded(result.pictures[item])
            assert (shown[inside.numpy()] == to_displayable(images[item - 1])[0, 0]).all()
            assert (shown[~inside.numpy()] == to_displayable(images[item])[0, 0]).all()

    def test_lam_is_the_area_outside_the_box(self) -> None:
        result = batch_mix.mixed_batch(flat_images(2), [0, 1], NAMES, mix="CutMix", seed=9)
        x1, y1, x2, y2 = result.box
        assert result.lam == pytest.approx(1 - (x2 - x1) * (y2 - y1) / (24 * 32))


class TestMixUp:
    def test_every_pixel_blends_the_two_images_by_lam(self) -> None:
        images = flat_images(2)
        result = batch_mix.mixed_batch(images, [0, 1], NAMES, mix="MixUp", seed=6)
        assert result.box is None
        expected = result.lam * images[1] + (1 - result.lam) * images[0]
        torch.testing.assert_close(result.images[1], expected)


class TestLabelText:
    def test_largest_first_two_decimals_zeros_left_out(self) -> None:
        vector = torch.tensor([0.0, 0.384, 0.616, 0.0, 0.0])
        assert batch_mix.label_text(vector, NAMES) == "0.62 medical + 0.38 food"

    def test_a_weight_that_rounds_to_zero_is_left_out(self) -> None:
        vector = torch.tensor([0.998, 0.0, 0.0, 0.002, 0.0])
        assert batch_mix.label_text(vector, NAMES) == "1.00 animal"

    def test_neighbours_of_one_class_read_as_that_class_alone(self) -> None:
        result = batch_mix.mixed_batch(noise_images(3), [2, 2, 2], NAMES, mix="MixUp", seed=1)
        assert [p.caption for p in result.pictures] == ["1.00 medical"] * 3


class TestErrors:
    def test_fewer_than_two_images(self) -> None:
        with pytest.raises(ValueError, match="at least 2 previews, got 1"):
            batch_mix.mixed_batch(noise_images(1), [0], NAMES, mix="MixUp", seed=0)

    def test_images_of_different_sizes_name_both_sizes_and_the_fix(self) -> None:
        images = [torch.rand(3, 224, 224), torch.rand(3, 300, 400), torch.rand(3, 224, 224)]
        message = r"the previews have different sizes \(3x224x224, 3x300x400\): add a Resize or a crop"
        with pytest.raises(ValueError, match=message):
            batch_mix.mixed_batch(images, [0, 1, 2], NAMES, mix="CutMix", seed=0)

    @pytest.mark.parametrize(
        ("image", "kind"),
        [(Image.new("RGB", (20, 28)), "a PIL image"), (torch.zeros(3, 20, 28, dtype=torch.uint8), "a uint8 tensor")],
    )
    @pytest.mark.parametrize(
        ("api", "hint"), [("v1", "ToTensor"), ("v2", r"ToImage and ToDtype\(float32, scale=True\)")]
    )
    def test_images_that_are_not_float_tensors_name_the_steps_that_make_them(
        self, image: object, kind: str, api: str, hint: str
    ) -> None:
        message = f"CutMix/MixUp need float image tensors: end the pipeline with {hint} \\(a preview is {kind}\\)"
        with pytest.raises(ValueError, match=message):
            batch_mix.mixed_batch([noise_images(1)[0], image], [0, 1], NAMES, mix="MixUp", seed=0, api=api)

    @pytest.mark.parametrize("alpha", [0, -1.0, float("nan")])
    def test_alpha_must_be_above_zero(self, alpha: float) -> None:
        with pytest.raises(ValueError, match="alpha should be a number above 0"):
            batch_mix.mixed_batch(noise_images(2), [0, 1], NAMES, mix="MixUp", alpha=alpha, seed=0)

    @pytest.mark.parametrize("label", [5, -1])
    def test_a_label_out_of_range(self, label: int) -> None:
        message = f"the label {label} of preview 2 is out of range: there are 5 classes \\(0 to 4\\)"
        with pytest.raises(ValueError, match=message):
            batch_mix.mixed_batch(noise_images(2), [0, label], NAMES, mix="CutMix", seed=0)

    def test_one_label_per_image(self) -> None:
        with pytest.raises(ValueError, match="got 2 labels for 3 previews"):
            batch_mix.mixed_batch(noise_images(3), [0, 1], NAMES, mix="CutMix", seed=0)

    def test_an_unknown_mix(self) -> None:
        with pytest.raises(ValueError, match="mix should be one of CutMix, MixUp, got 'CutOut'"):
            batch_mix.mixed_batch(noise_images(2), [0, 1], NAMES, mix="CutOut", seed=0)


@pytest.fixture(scope="module")
def photos() -> object:
    return sources.open_dataset("photos", train=True, path=None)


class TestSpreadIndices:
    def test_as_many_labels_as_there_are_classes_then_round_robin(self, photos: object) -> None:
        targets = sources.targets_of(photos)
        classes = len(sources.class_names(photos))
        first = batch_mix.spread_indices(targets, classes)
        assert [targets[i] for i in first] == list(range(classes))
        assert all(i == int(np.flatnonzero(targets == targets[i])[0]) for i in first)
        more = batch_mix.spread_indices(targets, classes + 2)
        assert more[:classes] == first
        assert len(set(more)) == classes + 2

    def test_all_items_when_fewer_than_asked(self, photos: object) -> None:
        targets = sources.targets_of(photos)
        assert sorted(batch_mix.spread_indices(targets, 100)) == list(range(len(targets)))

    def test_a_batch_of_photos_through_a_pipeline_mixes_different_classes(self, photos: object) -> None:
        names = sources.class_names(photos)
        picked = batch_mix.spread_indices(sources.targets_of(photos), 4)
        pipeline = T.Compose([T.Resize((48, 64)), T.ToTensor()])
        images, labels = zip(*(photos[i] for i in picked), strict=True)
        result = batch_mix.mixed_batch([pipeline(i) for i in images], list(labels), names, mix="CutMix", seed=0)
        assert len(result.pictures) == 4
        for picture, own, previous in zip(result.pictures, labels, np.roll(labels, 1), strict=True):
            assert {name for _, name in parsed(picture.caption)} <= {names[own], names[previous]}
            assert decoded(picture).shape == (48, 64, 3)
