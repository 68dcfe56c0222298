import numpy as np

from course_utils.exercises import nb03


def test_check_first_drop(capsys):
    assert nb03.check_first_drop(10) and capsys.readouterr().out.startswith("✅")
    assert not nb03.check_first_drop(11)
    assert "Hint" in capsys.readouterr().out
    assert not nb03.check_first_drop("ten") and "epoch number" in capsys.readouterr().out


def test_check_schedule_function(capsys):
    assert nb03.check_schedule_function(lambda epoch: 0.002 if epoch < 5 else 0.0002)
    assert not nb03.check_schedule_function(lambda epoch: 0.002 if epoch <= 5 else 0.0002)
    assert "epoch 5" in capsys.readouterr().out
    assert not nb03.check_schedule_function(lambda epoch: np.array(0.002))
    assert "float" in capsys.readouterr().out
    assert not nb03.check_schedule_function(lambda epoch: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out
    assert not nb03.check_schedule_function(0.002)


def test_check_update_count(capsys):
    assert nb03.check_update_count(80, num_examples=500, batch_size=64, epochs=10)  # 8 batches a pass
    assert not nb03.check_update_count(78, num_examples=500, batch_size=64, epochs=10)
    assert "Hint" in capsys.readouterr().out
    assert not nb03.check_update_count(None, num_examples=500, batch_size=64, epochs=10)
