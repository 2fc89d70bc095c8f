"""Exercise-check plumbing: placeholders are 'not answered', crashes are the learner's."""

import math

import pytest

from lessons.checks import Wrong, attempt, call, exercise


@exercise("Exercise: double it")
def check_double(double):
    if call(double, 3) != 6:
        return "double(3) should be 6."
    return None


@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholder_is_not_answered(placeholder):
    result = check_double(placeholder)
    assert result.status == "not answered" and not result
    assert "not answered yet" in repr(result)


def test_stub_raising_not_implemented_is_not_answered():
    def double(x):
        raise NotImplementedError

    assert check_double(double).status == "not answered"


def test_right_answer_is_correct():
    result = check_double(lambda x: 2 * x)
    assert result and result.status == "correct"
    assert repr(result).startswith("✅ Exercise: double it")


def test_wrong_answer_says_what_is_wrong():
    result = check_double(lambda x: x + 2)
    assert result.status == "wrong" and "double(3) should be 6" in result.message


def test_crashing_answer_is_reported_not_raised():
    result = check_double(lambda x: x / "a")
    assert result.status == "wrong" and "TypeError" in result.message


def test_a_bug_in_the_check_itself_is_raised():
    @exercise("Exercise: broken check")
    def broken(answer):
        raise KeyError("bug in the check")

    with pytest.raises(KeyError):
        broken(lambda: None)


@exercise("Exercise: halve it")
def check_half(half):
    if call(half, 4) / 2 != 1:
        return "half(4) / 2 should be 1."
    return None


def test_a_failure_after_the_answer_ran_is_wrong_and_named():
    result = check_half(lambda x: "2")
    assert result.status == "wrong", result
    assert result.message == (
        "your answer ran, but what it returned or changed could not be checked: "
        "TypeError: unsupported operand type(s) for /: 'str' and 'int'."
    )


def test_a_value_answer_the_check_cannot_handle_is_wrong_and_named():
    @exercise("Exercise: predict a number")
    def check_prediction(prediction):
        return None if math.isclose(prediction, 56) else "not 56."

    assert check_prediction(56).status == "correct"
    result = check_prediction(10**400)  # math.isclose raises OverflowError on it
    assert result.status == "wrong", result
    assert result.message == (
        "your answer could not be checked: OverflowError: int too large to convert to float."
    )


def test_a_bug_in_the_check_before_the_answer_runs_is_raised_after_another_check_ran():
    @exercise("Exercise: broken before the answer")
    def broken(answer):
        raise KeyError("bug in the check")

    assert check_half(lambda x: "2").status == "wrong"
    with pytest.raises(KeyError):
        broken(lambda: None)


def test_wrong_raised_deep_in_a_check_is_its_message():
    def helper(value):
        raise Wrong(f"{value} is not a plain number.")

    @exercise("Exercise: a helper says why")
    def check(answer):
        helper(call(answer))

    assert check(lambda: "x").message == "x is not a plain number."


def test_attempt_names_what_failed_while_using_the_answers_objects():
    @exercise("Exercise: build a model")
    def check(make_model):
        model = call(make_model)
        attempt("your model's forward pass", model, 1.0)

    result = check(lambda: lambda x: x / 0)
    assert (
        result.message
        == "your model's forward pass raised ZeroDivisionError: float division by zero."
    )
