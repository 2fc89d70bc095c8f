"""Exercise-check plumbing: placeholders are 'not answered', crashes are the learner's."""

import pytest

from lessons.checks import call, exercise


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
