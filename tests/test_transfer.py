"""Notebook 06's plumbing: ResNet50's weights (online path tested offline), the offline backbone, features."""

import json
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest

from course_utils import data, transfer
from project import ROOT


@pytest.fixture
def default_mode(monkeypatch, tmp_path):
    """The learner's default mode, with an empty Keras cache (no ImageNet weights in it)."""
    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))


def test_weights_from_a_local_file_go_through_the_notebooks_loader(default_mode, tmp_path):
    """The online path without the network: a file of ResNet50 weights, as Keras's cache would hold
    ImageNet's, loaded by the code the notebook uses for ``weights='imagenet'``."""
    keras.utils.set_random_seed(1)
    saved = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
    path = tmp_path / "resnet50_notop.weights.h5"
    saved.save_weights(path)
    expected = [saved.layers[2].get_weights()[0], saved.get_layer("conv5_block3_3_bn").get_weights()[0]]
    keras.backend.clear_session()
    keras.utils.set_random_seed(2)  # other random weights, unless the file is loaded
    loaded = transfer.resnet50_base(input_shape=(32, 32, 3), weights=str(path))
    assert loaded is not None and loaded.input_shape[1:] == (32, 32, 3)
    np.testing.assert_array_equal(loaded.layers[2].get_weights()[0], expected[0])
    np.testing.assert_array_equal(loaded.get_layer("conv5_block3_3_bn").get_weights()[0], expected[1])
    features = transfer.frozen_features(loaded, np.zeros((2, 32, 32, 3), "float32"))
    assert features.shape == (2, 2048)


def test_offline_imagenet_is_one_line_and_no_traceback(default_mode, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert transfer.resnet50_base(input_shape=(32, 32, 3)) is None
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "no network" in out and "offline backbone" in out


def test_a_failed_download_is_one_line_and_no_traceback(default_mode, monkeypatch, capsys):
    from keras.src.utils import file_utils

    from course_utils import config

    monkeypatch.setattr(config, "is_online", lambda: True)

    def refuse(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: 403 -- Forbidden\nmore")

    monkeypatch.setattr(file_utils, "get_file", refuse)
    assert transfer.resnet50_base(input_shape=(32, 32, 3)) is None
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "403" in out and "offline backbone" in out


def test_fast_mode_never_uses_imagenet(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MODE", "fast")
    assert transfer.resnet50_base(input_shape=(32, 32, 3)) is None
    assert "fast mode" in capsys.readouterr().out


def test_block_of_names_resnet50_blocks():
    assert transfer.block_of("conv5_block3_2_bn") == "conv5_block3"
    assert transfer.block_of("conv5_block1_out") == "conv5_block1"
    assert transfer.block_of("conv1_conv") == "conv1_conv"


def test_the_committed_backbone_matches_its_digest_everywhere():
    path = transfer.BACKBONE_PATH
    digest = transfer.file_sha256(path)
    assert digest == transfer.BACKBONE_SHA256
    assert path.with_suffix(".sha256").read_text().strip() == digest
    assert json.loads(path.with_suffix(".log.json").read_text())["sha256"] == digest
    assert digest in (ROOT / "data" / "README.md").read_text()
    assert path.stat().st_size < 5 * 1024 * 1024


def test_the_committed_backbone_passes_the_notebooks_checks():
    facts = transfer.check_backbone(transfer.load_backbone(), data.load_dataset("digits"))
    assert facts["ok"], facts


def altered_copy(tmp_path):
    copy = tmp_path / transfer.BACKBONE_FILE
    shutil.copy(transfer.BACKBONE_PATH, copy)
    shutil.copy(transfer.BACKBONE_PATH.with_suffix(".sha256"), copy.with_suffix(".sha256"))
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one byte inside the weights
    copy.write_bytes(bytes(content))
    return copy


def test_an_altered_backbone_is_detected(tmp_path):
    copy = altered_copy(tmp_path)
    with pytest.raises(transfer.BackboneDigestError, match="damaged or altered"):
        transfer.load_backbone(copy)
    with pytest.raises(transfer.BackboneDigestError):
        transfer.load_backbone(copy, sha256=transfer.BACKBONE_SHA256)


def test_an_altered_backbone_is_replaced_not_loaded(tmp_path, monkeypatch, capsys):
    copy = altered_copy(tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    made = []

    def pretrain(out_path, **kwargs):  # stands in for a minute of pretraining
        made.append(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(transfer.BACKBONE_PATH, out_path)
        out_path.with_suffix(".sha256").write_text(transfer.BACKBONE_SHA256 + "\n")

    monkeypatch.setattr(transfer, "pretrain_backbone", pretrain)
    model = transfer.offline_backbone(copy)
    assert made == [tmp_path / "data" / "cache" / transfer.BACKBONE_FILE]
    assert model.get_layer("backbone").output_shape[-1] == 64
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1 and "damaged or altered" in out


@pytest.mark.slow  # runs the script in another Python
def test_the_script_reproduces_a_backbone_that_passes_the_checks(tmp_path):
    out = tmp_path / "backbone.keras"
    finished = subprocess.run([sys.executable, str(ROOT / "scripts" / "pretrain_backbone.py"), "--epochs", "5",
                               "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr[-2000:]
    log = json.loads(out.with_suffix(".log.json").read_text())
    assert log["epochs"] == 5 and len(log["history"]["loss"]) == 5
    assert log["sha256"] == transfer.file_sha256(out) and log["sha256"] in finished.stdout
    facts = transfer.check_backbone(transfer.load_backbone(out), data.load_dataset("digits"))
    assert facts["ok"], facts


def test_few_labels_and_class_splits():
    digits = data.load_dataset("digits")
    x, y = transfer.split_classes(digits.x_train, digits.y_train, transfer.TARGET_CLASSES)
    assert set(np.unique(y)) == set(range(5)) and len(x) == np.isin(digits.y_train, (5, 6, 7, 8, 9)).sum()
    x3, y3 = transfer.few_labels(x, y, 3, seed=0)
    assert np.bincount(y3).tolist() == [3] * 5
    again, other = transfer.few_labels(x, y, 3, seed=0), transfer.few_labels(x, y, 3, seed=1)
    np.testing.assert_array_equal(again[0], x3)
    assert not np.array_equal(np.sort(other[0].reshape(15, -1), axis=0), np.sort(x3.reshape(15, -1), axis=0))
