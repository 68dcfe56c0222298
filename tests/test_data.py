import math

import numpy as np
import pytest

from course_utils import config, data


def small_fashion_arrays():
    rng = np.random.default_rng(0)
    labels = np.arange(400) % 10
    return {
        "x_train": rng.integers(0, 256, (400, 28, 28), dtype=np.uint8),
        "y_train": labels,
        "x_test": rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
        "y_test": labels[:100],
    }


def test_digits_are_28x28_scaled_and_split_without_overlap():
    ds = data.load_dataset("digits")
    assert ds.input_shape == (28, 28, 1) and ds.num_classes == 10
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (1077, 360, 360)
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() >= 0 and ds.x_train.max() <= 1
    train = {row.tobytes() for row in ds.x_train}
    assert not train & {row.tobytes() for row in ds.x_test}
    counts = np.bincount(ds.y_val, minlength=10)
    assert counts.min() >= 34 and counts.max() <= 38  # stratified: 36 ± 2 per class


def test_digits_split_is_the_same_every_time():
    first, second = data.load_dataset("digits"), data.load_dataset("digits")
    np.testing.assert_array_equal(first.y_train, second.y_train)
    np.testing.assert_array_equal(first.x_test, second.x_test)


def test_digits_in_colour_at_32():
    ds = data.load_dataset("digits", image_size=32, channels=3)
    assert ds.input_shape == (32, 32, 3)
    np.testing.assert_array_equal(ds.x_train[..., 0], ds.x_train[..., 2])


def test_random_data_matches_seed_000_shapes_and_is_unlearnable():
    ds = data.load_dataset("random")
    assert ds.input_shape == (28, 28, 3) and len(ds.x_train) == 1000
    assert 0 <= ds.x_train.min() and ds.x_train.max() < 1
    assert set(np.unique(ds.y_train)) == set(range(10))
    assert not np.array_equal(ds.y_train[:200], ds.y_val)


def test_one_hot():
    ds = data.load_dataset("digits")
    rows = ds.one_hot(ds.y_train[:5])
    assert rows.shape == (5, 10)
    np.testing.assert_array_equal(rows.argmax(axis=1), ds.y_train[:5])


def test_unknown_name_says_what_exists():
    with pytest.raises(ValueError, match="digits, random, fashion_mnist, cifar10"):
        data.load_dataset("mnist")


@pytest.mark.parametrize("name, shape", [("fashion_mnist", (28, 28, 1)), ("cifar10", (32, 32, 3))])
def test_offline_without_cache_falls_back_to_digits_with_a_message(
        empty_data_dir, offline, capsys, monkeypatch, name, shape):
    monkeypatch.setattr(data, "_download", lambda name: pytest.fail("offline must not download"))
    ds = data.load_dataset(name)
    message = capsys.readouterr().out
    assert ds.name == "digits" and ds.input_shape == shape
    assert f"{name} is not available" in message and "no network" in message
    assert message.count("\n") == 1
    assert name in ds.source


def test_failed_download_falls_back_and_caches_nothing(empty_data_dir, online, monkeypatch, capsys):

    def broken_download(name):
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")

    monkeypatch.setattr(data, "_download", broken_download)
    ds = data.load_dataset("fashion_mnist")
    assert ds.name == "digits"
    message = capsys.readouterr().out
    assert "download failed (EOFError" in message and str(data.keras_download_dir()) in message
    assert not data.is_cached("fashion_mnist")


def test_fast_mode_never_downloads_but_uses_a_cache(empty_data_dir, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MODE", "fast")
    monkeypatch.setattr(config, "is_online", lambda: True)
    monkeypatch.setattr(data, "_download", lambda name: pytest.fail("fast mode must not download"))
    assert data.load_dataset("fashion_mnist").name == "digits"
    assert "fast mode uses offline data" in capsys.readouterr().out
    data.write_cache("fashion_mnist", small_fashion_arrays())
    assert data.load_dataset("fashion_mnist", max_train=100).name == "fashion_mnist"


def test_a_cache_that_cannot_be_written_still_returns_the_data(empty_data_dir, online, monkeypatch, capsys):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())

    def disk_full(name, arrays):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data, "write_cache", disk_full)
    ds = data.load_dataset("fashion_mnist", max_train=100)
    assert ds.name == "fashion_mnist" and "could not be cached" in capsys.readouterr().out


def test_download_is_cached_then_loaded_offline(empty_data_dir, online, monkeypatch):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())
    first = data.load_dataset("fashion_mnist", max_train=200)
    assert first.name == "fashion_mnist" and data.is_cached("fashion_mnist")
    assert first.input_shape == (28, 28, 1) and len(first.x_train) == 200
    assert first.x_train.max() <= 1.0 and first.class_names[9] == "Ankle boot"

    monkeypatch.setattr(config, "is_online", lambda: False)
    monkeypatch.setattr(data, "_download", lambda name: pytest.fail("the cache must be used"))
    second = data.load_dataset("fashion_mnist", max_train=200)
    np.testing.assert_array_equal(first.x_train, second.x_train)


@pytest.mark.parametrize("damage", ["truncate", "flip_a_byte", "drop_the_digest"])
def test_damaged_cache_is_detected_deleted_and_never_loaded(empty_data_dir, offline, capsys, damage):
    path = data.write_cache("fashion_mnist", small_fashion_arrays())
    content = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(content[: len(content) // 2])
    elif damage == "flip_a_byte":
        middle = len(content) // 2
        path.write_bytes(content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1:])
    else:
        path.with_suffix(".sha256").unlink()
    assert data.read_cache("fashion_mnist") is None
    assert "damaged" in capsys.readouterr().out
    assert not path.exists()
    ds = data.load_dataset("fashion_mnist")
    assert ds.name == "digits"


def test_cache_round_trip_keeps_arrays(empty_data_dir):
    arrays = small_fashion_arrays()
    data.write_cache("cifar10", arrays)
    loaded = data.read_cache("cifar10")
    assert set(loaded) == set(arrays)
    np.testing.assert_array_equal(loaded["x_train"], arrays["x_train"])
    path = data.cache_path("cifar10")
    assert data.file_sha256(path) == path.with_suffix(".sha256").read_text().strip()


def test_downloaded_subset_is_stratified(empty_data_dir, online, monkeypatch):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())
    ds = data.load_dataset("fashion_mnist", max_train=100)
    assert np.bincount(ds.y_train, minlength=10).tolist() == [10] * 10
    assert math.isclose(len(ds.x_val), 20)
