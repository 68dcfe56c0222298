"""A seeded run repeated in a fresh Python gives the same history.

Measured (TensorFlow 2.21, Keras 3.15, 2 CPU cores, loaded machine): fresh processes with the same
seed and the same thread settings gave bit-identical histories (3 runs without the Dropout layer, 2
with it); a run with ``TF_NUM_INTRAOP_THREADS=1`` differed from them by at most 1.7e-7 relative
(float32 rounding in another summation order). The tolerance, 1e-5 relative, is about fifty times that, room for a
multi-threaded reduction that adds in another order, and a thousand times less than what a change of
seed makes (about 1e-2 after one epoch), which the test checks too, so a run that forgot its seed fails.
"""

import json
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

RELATIVE_TOLERANCE = 1e-5

RUN = textwrap.dedent("""
    import json, sys
    import course_utils as cu
    import keras
    from keras import layers

    cu.set_seed(int(sys.argv[1]))
    digits = cu.load_dataset("digits")
    model = keras.Sequential([keras.Input(shape=digits.input_shape), layers.Conv2D(8, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dropout(0.25),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(digits.x_train[:600], digits.y_train[:600], epochs=4, batch_size=32, verbose=0,
                        validation_data=(digits.x_val[:200], digits.y_val[:200])).history
    print(json.dumps({key: [float(value) for value in values] for key, values in history.items()}))
""")


def seeded_run(seed: int) -> dict:
    finished = subprocess.run([sys.executable, "-c", RUN, str(seed)], capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_seeded_run_repeats_in_a_fresh_process():
    with ThreadPoolExecutor(3) as pool:
        first, second, other_seed = pool.map(seeded_run, [0, 0, 1])
    assert set(first) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key in first:
        np.testing.assert_allclose(second[key], first[key], rtol=RELATIVE_TOLERANCE, atol=0, err_msg=key)
    gap = np.abs(np.array(other_seed["loss"]) - np.array(first["loss"])) / np.array(first["loss"])
    assert gap.max() > 100 * RELATIVE_TOLERANCE, "another seed gives the same history: the seed is not used"
