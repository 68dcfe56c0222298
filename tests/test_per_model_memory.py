"""``benchmarks/per_model_memory.py``'s ``reset`` puts a trained model back to its fresh start.

The benchmark's ``reset`` way measures how little memory one re-used model keeps; that figure only
means something if each run really starts afresh: the same loss as the untrained model, the
optimizer's step count and moments at zero, its learning rate what was asked.
"""

import keras
import numpy as np
import pytest

from project import load_benchmark


def benchmark():
    return load_benchmark("per_model_memory")


def test_reset_restores_the_untrained_loss_and_a_new_optimizer():
    module = benchmark()
    x, y = module.load_subset(64)
    keras.utils.set_random_seed(0)
    model = module.build_model()
    untrained = model.evaluate(x, y, verbose=0)[0]
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    trained = model.evaluate(x, y, verbose=0)[0]
    assert trained < untrained - 0.1, "the model did not train, so the test shows nothing"
    assert int(model.optimizer.iterations.numpy()) > 0

    redrawn = module.reset(model, 0.01)

    assert redrawn == len(model.trainable_weights)
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(untrained, abs=1e-5)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    moments = [v.numpy() for v in model.optimizer.variables if "momentum" in v.path or "velocity" in v.path]
    assert moments and all(not np.any(moment) for moment in moments)
