"""The offline backbone file (notebook 06) when it is damaged, foreign or cannot be saved: detected
before Keras reads it, replaced or explained in one line, never loaded."""

import errno
import shutil
import zipfile

import pytest

from course_utils import transfer


def damaged(kind: str, content: bytes) -> bytes:
    if kind == "truncated":
        return content[: len(content) // 3]
    if kind == "one byte altered":
        middle = len(content) // 2
        return content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1:]
    if kind == "empty":
        return b""
    if kind == "html page":
        return b"<!DOCTYPE html><html><body>Please log in</body></html>"
    raise ValueError(kind)


KINDS = ["truncated", "one byte altered", "empty", "html page", "another model", "a zip with code"]


def plant(kind: str, path, tmp_path):
    """The backbone's file replaced by ``kind``, its recorded digest kept."""
    shutil.copy(transfer.BACKBONE_PATH.with_suffix(".sha256"), path.with_suffix(".sha256"))
    if kind == "another model":  # a valid Keras file, not the course's
        transfer.build_backbone(widths=(4, 4, 4, 4)).save(path)
    elif kind == "a zip with code":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("config.json", '{"class_name": "Lambda", "config": {"function": "os.system"}}')
    else:
        path.write_bytes(damaged(kind, transfer.BACKBONE_PATH.read_bytes()))


@pytest.fixture
def keras_never_loads(monkeypatch):
    loaded = []
    import keras

    monkeypatch.setattr(keras.saving, "load_model", lambda *args, **kwargs: loaded.append(args))
    return loaded


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_backbone_file_is_refused_before_keras_reads_it(tmp_path, keras_never_loads, kind):
    path = tmp_path / transfer.BACKBONE_FILE
    plant(kind, path, tmp_path)
    with pytest.raises(transfer.BackboneDigestError, match="damaged or altered"):
        transfer.load_backbone(path)
    with pytest.raises(transfer.BackboneDigestError):
        transfer.load_backbone(path, sha256=transfer.BACKBONE_SHA256)
    assert keras_never_loads == []


def copy_the_committed_backbone(out_path, **kwargs):
    """Stands in for a minute of pretraining: the committed file and its digest, saved atomically."""
    import keras

    transfer._save_atomically(keras.saving.load_model(transfer.BACKBONE_PATH, compile=False), out_path)


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_backbone_is_replaced_in_one_line(tmp_path, monkeypatch, capsys, kind):
    path = tmp_path / transfer.BACKBONE_FILE
    plant(kind, path, tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(transfer, "pretrain_backbone", copy_the_committed_backbone)
    model = transfer.offline_backbone(path)
    assert model.get_layer("backbone").output_shape[-1] == 64
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "cannot be used" in out and "damaged or altered" in out
    fresh = tmp_path / "data" / "cache" / transfer.BACKBONE_FILE
    assert sorted(item.name for item in fresh.parent.iterdir()) == [fresh.name, fresh.with_suffix(".sha256").name]


@pytest.mark.parametrize("fault", ["the cache folder is a file", "the disk is full"])
def test_a_backbone_that_cannot_be_saved_is_pretrained_for_the_session(tmp_path, monkeypatch, capsys, fault):
    path = tmp_path / transfer.BACKBONE_FILE
    plant("truncated", path, tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    if fault == "the cache folder is a file":
        (tmp_path / "data" / "cache").write_text("not a folder")
        pretrain = copy_the_committed_backbone
    else:
        def pretrain(out_path, **kwargs):
            if (tmp_path / "data") in out_path.parents:
                raise OSError(errno.ENOSPC, "No space left on device")
            copy_the_committed_backbone(out_path)
    monkeypatch.setattr(transfer, "pretrain_backbone", pretrain)
    model = transfer.offline_backbone(path)
    assert model.get_layer("backbone").output_shape[-1] == 64
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "cannot be used" in lines[0] and "could not be saved" in lines[1]
    assert "for this session only" in lines[1]


class HalfSaved:
    """A model whose save writes part of the file, then meets a full disk."""

    def save(self, path):
        with open(path, "wb") as stream:
            stream.write(b"PK\x03\x04" + b"\0" * 100)
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_save_that_fails_leaves_the_old_backbone_and_no_partial_file(tmp_path):
    out = tmp_path / transfer.BACKBONE_FILE
    shutil.copy(transfer.BACKBONE_PATH, out)
    shutil.copy(transfer.BACKBONE_PATH.with_suffix(".sha256"), out.with_suffix(".sha256"))
    with pytest.raises(OSError, match="No space left"):
        transfer._save_atomically(HalfSaved(), out)
    assert sorted(item.name for item in tmp_path.iterdir()) == sorted([out.name, out.with_suffix(".sha256").name])
    assert transfer.file_sha256(out) == transfer.BACKBONE_SHA256
    assert transfer.load_backbone(out).get_layer("backbone") is not None
