"""One augmentation description builds both pipelines; bad settings are refused with a clear message."""

import numpy as np
import pytest

from course_utils.augment import HIGH_TRAINING_LOSS, LOSS_PLATEAUS, Augmentation


def stripes(count=8, size=12):
    images = np.zeros((count, size, size, 1), dtype="float32")
    images[:, :, : size // 3] = 1.0  # a bright band on the left
    return images


@pytest.mark.parametrize("settings, words", [
    ({"rotation": -5}, "rotation must be 0 or more"),
    ({"width_shift": -0.1}, "width_shift must be 0 or more"),
    ({"zoom": 1.0}, "below 1"),
    ({"rotation": 200}, "degrees"),
    ({"rotation": "20"}, "must be a number"),
    ({"rotation": float("nan")}, "0 or more"),
    ({"horizontal_flip": "yes"}, "True or False"),
    ({"fill_mode": "mirror"}, "fill_mode must be one of"),
])
def test_bad_strengths_are_refused_by_name(settings, words):
    with pytest.raises(ValueError, match=words):
        Augmentation(**settings)


def test_unknown_transform_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown transform 'shear'.*rotation"):
        Augmentation.from_settings({"shear": 0.2, "rotation": 10})


def test_from_settings_round_trips():
    augmentation = Augmentation.from_settings(LOSS_PLATEAUS.settings())
    assert augmentation == LOSS_PLATEAUS and augmentation.zoom == 0.2


def test_layers_follow_the_description():
    names = [type(layer).__name__ for layer in LOSS_PLATEAUS.layers(seed=0)]
    assert names == ["RandomRotation", "RandomTranslation", "RandomZoom", "RandomFlip"]
    rotation = LOSS_PLATEAUS.layers()[0]
    assert np.allclose(rotation.factor, (-20 / 360, 20 / 360))  # degrees → fraction of a turn
    assert Augmentation().layers() == [] and Augmentation().is_identity


def test_generator_gets_the_same_strengths():
    generator = HIGH_TRAINING_LOSS.image_data_generator()
    assert generator.rotation_range == 20 and generator.width_shift_range == 0.2
    assert generator.height_shift_range == 0.2 and generator.horizontal_flip and not generator.vertical_flip
    assert generator.fill_mode == "nearest"


def test_flip_alone_mirrors_in_both_pipelines():
    flip = Augmentation(horizontal_flip=True)
    images = stripes(count=64)
    for batch in (flip.apply(images, seed=1), next(flip.flow(images, batch_size=64, seed=1, shuffle=False))):
        mirrored = np.isclose(batch[:, :, -1, 0], 1.0).all(axis=1)  # the band moved to the right edge
        untouched = np.isclose(batch, images).all(axis=(1, 2, 3))
        assert (mirrored ^ untouched).all()
        assert 10 < mirrored.sum() < 54  # about half of them, not none and not all


def test_dataset_batches_and_keeps_labels_paired():
    images = np.arange(10, dtype="float32")[:, None, None, None] * np.ones((10, 6, 6, 1), dtype="float32")
    labels = np.arange(10)
    batches = list(Augmentation(horizontal_flip=True).dataset(images, labels, batch_size=4, seed=0))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    for x, y in batches:  # flipping a constant image keeps it: each image still carries its label's value
        assert np.allclose(np.asarray(x)[:, 0, 0, 0], np.asarray(y))


def test_rotation_changes_images_but_keeps_shape_and_range():
    images = stripes()
    rotated = Augmentation(rotation=90, fill_mode="constant").apply(images, seed=3)
    assert rotated.shape == images.shape and not np.allclose(rotated, images)
    assert rotated.min() >= -1e-5 and rotated.max() <= 1 + 1e-5


def test_describe_names_what_is_on():
    assert HIGH_TRAINING_LOSS.describe() == "rotation ±20°, shift ±0.2 wide, ±0.2 high, flip left–right"
    assert Augmentation().describe() == "no augmentation"
