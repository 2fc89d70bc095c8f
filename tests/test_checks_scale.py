"""Each exercise check of notebook 09 accepts the reference solution and rejects a typical
mistake with a message that names it."""

import importlib.util
from pathlib import Path

import pytest

from lessons.checks import scale

SOLUTIONS = Path(__file__).parents[1] / "solutions"
spec = importlib.util.spec_from_file_location("nb09", SOLUTIONS / "09_optimizers_at_scale.py")
nb09 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nb09)


def assert_wrong(result, *phrases):
    assert result.status == "wrong", result
    for phrase in phrases:
        assert phrase in result.message, result.message


def test_prediction_accepts_the_solution():
    assert scale.check_prediction(nb09.prediction)


def test_prediction_names_ddp_zero3_and_other_numbers():
    assert_wrong(scale.check_prediction(16), "that is DDP")
    assert_wrong(scale.check_prediction(2), "ZeRO-3")
    assert_wrong(scale.check_prediction(4), "Add the lines a rank keeps whole")
    assert_wrong(scale.check_prediction("5.5"), "as a number")


def test_prediction_left_open_is_not_answered():
    assert scale.check_prediction(None).status == "not answered"


def test_bytes_per_param_accepts_the_solution():
    assert scale.check_bytes_per_param(nb09.bytes_per_param)


def test_bytes_per_param_names_a_forgotten_master_copy():
    def no_master(stage, world_size, state):
        return nb09.bytes_per_param(stage, world_size, state - 4)

    assert_wrong(scale.check_bytes_per_param(no_master), "stage 0", "master copy")


def test_bytes_per_param_names_stage_2_sharding_too_little():
    def stage2_as_stage1(stage, world_size, state):
        return nb09.bytes_per_param(min(stage, 1) if stage == 2 else stage, world_size, state)

    assert_wrong(scale.check_bytes_per_param(stage2_as_stage1), "stage 2, 2 ranks")


def test_assignment_accepts_the_solution():
    assert scale.check_assignment(nb09.assign)


def test_assignment_names_round_robin():
    def round_robin(numels, world_size):
        return [i % world_size for i in range(len(numels))]

    assert_wrong(scale.check_assignment(round_robin), "largest first")


def test_assignment_names_unsorted_greedy():
    def unsorted(numels, world_size):
        totals, ranks = [0] * world_size, []
        for n in numels:
            ranks.append(totals.index(min(totals)))
            totals[ranks[-1]] += n
        return ranks

    assert_wrong(scale.check_assignment(unsorted), "torch gives")


@pytest.mark.parametrize("returned", [None, "0.1"])
@pytest.mark.parametrize("check", [scale.check_bytes_per_param, scale.check_assignment])
def test_a_wrong_type_is_wrong_not_a_crash(check, returned):
    result = check(lambda *args: returned)
    assert result.status == "wrong" and "Traceback" not in result.message, result
