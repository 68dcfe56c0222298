import errno
import gzip
import hashlib
import io
import math
import os
import tarfile

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
    else:  # a cache without its digest, as an older version of the course saved it
        np.savez(path, **small_fashion_arrays())
    assert data.read_cache("fashion_mnist") is None
    assert "damaged" in capsys.readouterr().out
    assert not path.exists()
    ds = data.load_dataset("fashion_mnist")
    assert ds.name == "digits"


def test_cache_round_trip_keeps_arrays_and_their_digest_in_one_file(empty_data_dir):
    arrays = small_fashion_arrays()
    data.write_cache("cifar10", arrays)
    loaded = data.read_cache("cifar10")
    assert set(loaded) == set(arrays)
    np.testing.assert_array_equal(loaded["x_train"], arrays["x_train"])
    with np.load(data.cache_path("cifar10")) as archive:
        assert str(archive[data.DIGEST_KEY]) == data.arrays_sha256(arrays)
    assert [path.name for path in data.cache_path("cifar10").parent.iterdir()] == ["cifar10.npz"]


@pytest.mark.parametrize("cached_before", [False, True])
def test_a_reader_during_a_write_never_deletes_a_good_cache(empty_data_dir, monkeypatch, capsys, cached_before):
    """A second kernel reads the cache at every step of a write: before and after each move."""
    old, new = small_fashion_arrays(), {key: value[:50] for key, value in small_fashion_arrays().items()}
    if cached_before:
        data.write_cache("fashion_mnist", old)
    real_replace, seen = os.replace, []

    def replace_while_reading(source, target):
        seen.append(data.read_cache("fashion_mnist"))
        real_replace(source, target)
        seen.append(data.read_cache("fashion_mnist"))

    monkeypatch.setattr(data.os, "replace", replace_while_reading)
    data.write_cache("fashion_mnist", new)
    assert "damaged" not in capsys.readouterr().out
    assert seen and all(arrays is None or len(arrays["y_train"]) in (400, 50) for arrays in seen)
    assert seen[-1] is not None and len(seen[-1]["y_train"]) == 50
    assert data.read_cache("fashion_mnist")["x_train"].shape == (50, 28, 28)


def test_two_writers_never_share_a_partial_file(empty_data_dir, monkeypatch):
    """One writer starts, a second writes completely, then the first finishes: both saves stay whole."""
    first, second = small_fashion_arrays(), {key: value[:50] for key, value in small_fashion_arrays().items()}
    real_savez, nested = np.savez, []

    def savez_with_a_second_writer(stream, **arrays):
        if not nested:
            nested.append(True)
            data.write_cache("fashion_mnist", second)
        real_savez(stream, **arrays)

    monkeypatch.setattr(data.np, "savez", savez_with_a_second_writer)
    data.write_cache("fashion_mnist", first)
    monkeypatch.setattr(data.np, "savez", real_savez)
    assert len(data.read_cache("fashion_mnist")["y_train"]) == 400
    assert [path.name for path in data.cache_path("fashion_mnist").parent.iterdir()] == ["fashion_mnist.npz"]


# --- the download, checked against the pinned digests (served from files here: no network) ---

def gzip_idx(path, header, values):
    with gzip.open(path, "wb") as stream:
        stream.write(header + values.astype(np.uint8).tobytes())


def fake_fashion_archives(folder):
    """The four gz files in Fashion-MNIST's own format, with fewer images."""
    rng = np.random.default_rng(1)
    for prefix, count in (("train", 60), ("t10k", 20)):
        gzip_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", b"\0" * 8, np.arange(count) % 10)
        gzip_idx(folder / f"{prefix}-images-idx3-ubyte.gz", b"\0" * 16, rng.integers(0, 256, (count, 28, 28)))


def fake_cifar_archive(folder):
    """A tar.gz with CIFAR-10's binary batches (a label byte, then 3,072 pixel bytes per image), 10 images in each."""
    rng = np.random.default_rng(2)
    path = folder / "cifar-10-binary.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member in [f"data_batch_{index}.bin" for index in range(1, 6)] + ["test_batch.bin"]:
            records = np.concatenate([np.arange(10, dtype=np.uint8)[:, None],
                                      rng.integers(0, 256, (10, 3072), dtype=np.uint8)], axis=1)
            content = records.tobytes()
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{member}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))


@pytest.fixture
def served(tmp_path, monkeypatch):
    """The archives served from a local folder (file:// URLs) with their digests pinned, and an
    empty download folder: ``keras.utils.get_file`` runs for real, checks included."""
    server = tmp_path / "server"
    server.mkdir()
    fake_fashion_archives(server)
    fake_cifar_archive(server)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    pins = {name: {filename: hashlib.sha256((server / filename).read_bytes()).hexdigest() for filename in files}
            for name, files in data.ARCHIVES.items()}
    monkeypatch.setattr(data, "ARCHIVES", pins)
    monkeypatch.setattr(data, "MIRRORS", {name: (server.as_uri() + "/",) for name in data.ARCHIVES})
    return server


@pytest.mark.parametrize("name, shape, count", [("fashion_mnist", (28, 28, 1), 60), ("cifar10", (32, 32, 3), 50)])
def test_the_official_archives_are_downloaded_checked_and_cached(empty_data_dir, online, served, name, shape, count):
    ds = data.load_dataset(name, max_train=30)
    assert ds.name == name and ds.input_shape == shape
    assert len(ds.x_train) + len(ds.x_val) == min(count, 30 + 10)
    assert data.is_cached(name) and len(data.read_cache(name)["y_train"]) == count
    assert all((data.keras_download_dir() / data.DOWNLOAD_SUBDIRS[name] / filename).exists()
               for filename in data.ARCHIVES[name])


def test_a_download_that_differs_from_its_pinned_digest_is_rejected(empty_data_dir, online, served, monkeypatch, capsys):
    tampered = served / "train-images-idx3-ubyte.gz"
    content = tampered.read_bytes()
    tampered.write_bytes(content[:100] + bytes([content[100] ^ 0xFF]) + content[101:])
    ds = data.load_dataset("fashion_mnist", max_train=30)
    assert ds.name == "digits" and not data.is_cached("fashion_mnist")
    assert "hash does not match" in capsys.readouterr().out


def test_the_next_mirror_is_tried_when_one_fails(empty_data_dir, online, served, monkeypatch):
    monkeypatch.setattr(data, "MIRRORS", {"fashion_mnist": ((served / "missing").as_uri() + "/", served.as_uri() + "/")})
    assert data.load_dataset("fashion_mnist", max_train=30).name == "fashion_mnist"


def test_the_pinned_digests_are_the_official_ones():
    assert data.ARCHIVES["cifar10"]["cifar-10-binary.tar.gz"].startswith("c4a38c50")  # TensorFlow Datasets' pin
    assert data.ARCHIVES["fashion_mnist"]["train-images-idx3-ubyte.gz"].startswith("3aede38d")  # Zalando's file
    assert all(len(digest) == 64 for files in data.ARCHIVES.values() for digest in files.values())


# --- image_size and channels, for every data set ---------------------------------------

@pytest.mark.parametrize("name", data.DATASETS)
@pytest.mark.parametrize("image_size, channels", [(None, None), (32, 1), (20, 3)])
def test_every_data_set_comes_at_the_size_and_channels_asked_for(empty_data_dir, offline, name, image_size, channels):
    if name in data.DOWNLOADED:
        data.write_cache(name, small_fashion_arrays() if name == "fashion_mnist" else {
            key: np.repeat(value[..., None], 3, axis=-1) if key.startswith("x") else value
            for key, value in small_fashion_arrays().items()})
    ds = data.load_dataset(name, image_size=image_size, channels=channels, max_train=100)
    native_size, native_channels = data.SHAPES[name]
    assert ds.name == name
    assert ds.input_shape == (image_size or native_size, image_size or native_size, channels or native_channels)
    assert ds.x_train.dtype == np.float32 and 0 <= ds.x_train.min() and ds.x_train.max() <= 1


def test_a_fallback_has_the_size_and_channels_asked_for(empty_data_dir, offline, capsys):
    assert data.load_dataset("cifar10", image_size=28, channels=1).input_shape == (28, 28, 1)


def test_grey_to_colour_repeats_and_colour_to_grey_weighs_by_luma():
    grey = np.full((1, 4, 4, 1), 0.5)
    assert np.array_equal(data.reshaped(grey, 4, 3), np.full((1, 4, 4, 3), 0.5, dtype="float32"))
    red = np.zeros((1, 4, 4, 3))
    red[..., 0] = 1.0
    assert np.allclose(data.reshaped(red, 4, 1), 0.299)


@pytest.mark.parametrize("kwargs, words", [({"image_size": 0}, "image_size"), ({"image_size": 2.5}, "image_size"),
                                           ({"channels": 2}, "channels must be 1 or 3")])
def test_a_size_or_channels_that_makes_no_sense_is_a_clear_error(kwargs, words):
    with pytest.raises(ValueError, match=words):
        data.load_dataset("random", **kwargs)


def test_downloaded_subset_is_stratified(empty_data_dir, online, monkeypatch):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())
    ds = data.load_dataset("fashion_mnist", max_train=100)
    assert np.bincount(ds.y_train, minlength=10).tolist() == [10] * 10
    assert math.isclose(len(ds.x_val), 20)


# --- damaged, foreign and unwritable files: detected, replaced or explained, never loaded -------

class Planted:
    """Unpickling this creates ``path``: a cache that held it would run code if loaded with pickle."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def foreign_file(kind, path, tmp_path):
    if kind == "html page":  # what a captive portal serves instead of the file
        path.write_text("<!DOCTYPE html><html><body>Please log in to the Wi-Fi</body></html>")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "one npy, not an npz":
        with open(path, "wb") as stream:
            np.save(stream, np.zeros((3, 3)))
    elif kind == "npz with a pickled object":
        arrays = {**small_fashion_arrays(), "extra": np.array([Planted(tmp_path / "ran")], dtype=object)}
        with open(path, "wb") as stream:
            np.savez(stream, **arrays, **{data.DIGEST_KEY: np.array(data.arrays_sha256(small_fashion_arrays()))})
    elif kind == "a pickle":
        import pickle

        path.write_bytes(pickle.dumps(Planted(tmp_path / "ran")))


FOREIGN = ["html page", "empty", "one npy, not an npz", "npz with a pickled object", "a pickle"]


@pytest.mark.parametrize("kind", FOREIGN)
def test_a_cache_of_the_wrong_format_is_deleted_never_loaded_or_unpickled(empty_data_dir, offline, capsys, kind):
    path = data.cache_path("fashion_mnist")
    path.parent.mkdir(parents=True)
    foreign_file(kind, path, empty_data_dir)
    assert data.read_cache("fashion_mnist") is None
    out = capsys.readouterr().out
    assert "damaged" in out and out.count("\n") == 1
    assert not path.exists() and not (empty_data_dir / "ran").exists()
    assert data.load_dataset("fashion_mnist").name == "digits"


def test_a_cache_folder_that_is_a_file_is_explained_in_one_line(empty_data_dir, online, monkeypatch, capsys):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())
    (empty_data_dir / "cache").write_text("not a folder")
    ds = data.load_dataset("fashion_mnist", max_train=100)
    out = capsys.readouterr().out
    assert ds.name == "fashion_mnist" and out.count("\n") == 1
    assert "could not be cached" in out and "downloaded again next time" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder: the permission cannot be tested")
def test_a_read_only_cache_folder_is_explained_in_one_line(empty_data_dir, online, monkeypatch, capsys):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())
    (empty_data_dir / "cache").mkdir()
    (empty_data_dir / "cache").chmod(0o500)
    try:
        assert data.load_dataset("fashion_mnist", max_train=100).name == "fashion_mnist"
    finally:
        (empty_data_dir / "cache").chmod(0o700)
    out = capsys.readouterr().out
    assert "could not be cached" in out and "PermissionError" in out and out.count("\n") == 1


def test_a_cache_folder_without_permission_is_explained_in_one_line(empty_data_dir, online, monkeypatch, capsys):
    """Stands in for a folder this user may not write (the test runs as root in CI, who may)."""
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())

    def refused(**kwargs):
        raise PermissionError(13, "Permission denied", kwargs.get("dir"))

    monkeypatch.setattr(data.tempfile, "mkstemp", refused)
    assert data.load_dataset("fashion_mnist", max_train=100).name == "fashion_mnist"
    out = capsys.readouterr().out
    assert "could not be cached" in out and "PermissionError" in out and out.count("\n") == 1
    assert not data.is_cached("fashion_mnist")


def savez_until_the_disk_is_full(stream, **arrays):
    """Writes part of the file, then fails as a full disk does."""
    stream.write(b"PK\x03\x04" + b"\0" * 1000)
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("cached_before", [False, True])
def test_a_full_disk_leaves_the_old_cache_and_no_partial_file(empty_data_dir, online, monkeypatch, capsys, cached_before):
    old = {key: value[:50] for key, value in small_fashion_arrays().items()}
    if cached_before:
        data.write_cache("fashion_mnist", old)
    monkeypatch.setattr(data.np, "savez", savez_until_the_disk_is_full)
    with pytest.raises(OSError, match="No space left"):
        data.write_cache("fashion_mnist", small_fashion_arrays())
    names = [path.name for path in data.cache_path("fashion_mnist").parent.iterdir()]
    assert names == (["fashion_mnist.npz"] if cached_before else [])
    if cached_before:
        assert len(data.read_cache("fashion_mnist")["y_train"]) == 50


def test_a_full_disk_while_loading_is_one_line_and_the_data_still_comes(empty_data_dir, online, monkeypatch, capsys):
    monkeypatch.setattr(data, "_download", lambda name: small_fashion_arrays())
    monkeypatch.setattr(data.np, "savez", savez_until_the_disk_is_full)
    ds = data.load_dataset("fashion_mnist", max_train=100)
    out = capsys.readouterr().out
    assert ds.name == "fashion_mnist" and out.count("\n") == 1 and "No space left on device" in out
    assert list(data.cache_path("fashion_mnist").parent.iterdir()) == []


def test_a_cache_written_wrong_is_checked_and_never_moved_into_place(empty_data_dir, monkeypatch):
    """A write that completes without an error but whose file differs (a bad disk, a bug): the check
    before os.replace stops it, and the old cache stays."""
    old = {key: value[:50] for key, value in small_fashion_arrays().items()}
    data.write_cache("fashion_mnist", old)
    real_savez = np.savez

    def savez_one_value_wrong(stream, **arrays):
        arrays = dict(arrays, x_train=arrays["x_train"].copy())
        arrays["x_train"].flat[0] ^= 1
        real_savez(stream, **arrays)

    monkeypatch.setattr(data.np, "savez", savez_one_value_wrong)
    with pytest.raises(data.DamagedFileError):
        data.write_cache("fashion_mnist", small_fashion_arrays())
    monkeypatch.setattr(data.np, "savez", real_savez)
    assert [path.name for path in data.cache_path("fashion_mnist").parent.iterdir()] == ["fashion_mnist.npz"]
    assert len(data.read_cache("fashion_mnist")["y_train"]) == 50


@pytest.mark.parametrize("damage", ["truncate", "flip_a_byte", "html page"])
def test_a_damaged_archive_in_the_download_folder_is_downloaded_again(empty_data_dir, online, served, capsys, damage):
    folder = data.keras_download_dir() / data.DOWNLOAD_SUBDIRS["cifar10"]
    folder.mkdir(parents=True)
    good = (served / "cifar-10-binary.tar.gz").read_bytes()
    broken = {"truncate": good[: len(good) // 2], "flip_a_byte": good[:50] + bytes([good[50] ^ 1]) + good[51:],
              "html page": b"<html>Please log in</html>"}[damage]
    (folder / "cifar-10-binary.tar.gz").write_bytes(broken)
    assert data.load_dataset("cifar10", max_train=30).name == "cifar10"
    assert (folder / "cifar-10-binary.tar.gz").read_bytes() == good
    assert [path.name for path in folder.iterdir()] == ["cifar-10-binary.tar.gz"]  # no partial download left


def test_a_damaged_archive_with_no_network_is_never_read(empty_data_dir, online, served, monkeypatch, capsys):
    """The network goes between the probe and the download (refused here, as in every test)."""
    folder = data.keras_download_dir() / data.DOWNLOAD_SUBDIRS["cifar10"]
    folder.mkdir(parents=True)
    good = (served / "cifar-10-binary.tar.gz").read_bytes()
    (folder / "cifar-10-binary.tar.gz").write_bytes(good[:-100])
    monkeypatch.setattr(data, "MIRRORS", {"cifar10": ("https://www.cs.toronto.edu/~kriz/",)})
    monkeypatch.setattr(data, "_read_cifar10", lambda path: pytest.fail("a damaged archive must not be read"))
    assert data.load_dataset("cifar10", max_train=30).name == "digits"
    assert "cifar10 is not available: the download failed" in capsys.readouterr().out


def test_an_archive_altered_after_its_check_is_not_read(empty_data_dir, online, served, monkeypatch, capsys):
    """The archive is checked again, from the open file, as it is read."""
    real_fetch = data.fetch_archive

    def fetch_then_alter(name, filename):
        path = real_fetch(name, filename)
        path.write_bytes(path.read_bytes()[:-10])  # another program writes into the file after the check
        return path

    monkeypatch.setattr(data, "fetch_archive", fetch_then_alter)
    assert data.load_dataset("cifar10", max_train=30).name == "digits"
    last = capsys.readouterr().out.splitlines()[-1]  # after Keras's own "Downloading data from" lines
    assert last.startswith("cifar10 is not available") and "DamagedFileError" in last and "pinned SHA-256" in last
    assert not data.is_cached("cifar10")


# --- real processes filling the same cache at once ---------------------------------------------

@pytest.mark.slow
def test_processes_writing_and_reading_one_cache_at_once_never_see_a_damaged_one(empty_data_dir):
    """Two processes, started together, each write their own version of the cache and read it back
    40 times: every read is one of the two versions whole, none is found damaged, nothing is left over."""
    import cache_workers

    results = cache_workers.run_together(cache_workers.write_and_read, 2, empty_data_dir, rounds=40)
    versions = {cache_workers.version_digest(index) for index in range(2)}
    for result in results:
        assert result["damaged_messages"] == 0, result
        assert set(result["seen"]) <= versions | {None}, result
        assert result["seen"].count(None) == 0, result
    assert data.arrays_sha256(data.read_cache("fashion_mnist")) in versions  # the last version, whole
    folder = empty_data_dir / "cache"
    assert [path.name for path in folder.iterdir()] == ["fashion_mnist.npz"]


@pytest.mark.slow
def test_processes_downloading_and_caching_at_once_all_get_the_data(empty_data_dir, tmp_path):
    """Two processes load Fashion-MNIST for the first time at the same moment, from the same
    download and cache folders (the archives served from files: no network)."""
    import cache_workers

    server = tmp_path / "server"
    server.mkdir()
    fake_fashion_archives(server)
    results = cache_workers.run_together(cache_workers.load_fashion, 2, empty_data_dir, server=str(server),
                                         keras_home=str(tmp_path / "keras"))
    assert [result["name"] for result in results] == ["fashion_mnist"] * 2, results
    assert len({result["digest"] for result in results}) == 1
    assert all(result["damaged_messages"] == 0 for result in results), results
    downloads = tmp_path / "keras" / "datasets" / "fashion-mnist"
    assert sorted(path.name for path in downloads.iterdir()) == sorted(data.ARCHIVES["fashion_mnist"])
    assert [path.name for path in (empty_data_dir / "cache").iterdir()] == ["fashion_mnist.npz"]
