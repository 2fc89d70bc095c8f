"""Exercise checks: each compares an answer with torch and says what is wrong in plain words.

Every lesson has its own module (``lessons.checks.loop``, ``lessons.checks.transfer`` ...) whose
checks are written with :func:`exercise`::

    @exercise("Exercise 1: RMSprop's update")
    def check_rmsprop_update(update):
        ...  # run the answer through `call`; return None if right, else what is wrong

An exercise left as it was handed out (``None``, ``...``, or a function that raises
``NotImplementedError``) is "not answered yet", never a failure, so a notebook with open exercises
still runs top to bottom.
"""

import functools
from dataclasses import dataclass

__all__ = ["Result", "exercise", "call"]

MARKS = {"correct": "✅", "wrong": "❌", "not answered": "⏳"}
NOT_ANSWERED = "not answered yet: fill in the cell above and run this one again."


@dataclass(frozen=True)
class Result:
    exercise: str
    status: str  # one of MARKS
    message: str

    def __bool__(self):
        return self.status == "correct"

    def __repr__(self):
        return f"{MARKS[self.status]} {self.exercise}: {self.message}"


class _Unanswered(Exception):
    pass


class _AnswerFailed(Exception):
    pass


def call(answer, *args, **kwargs):
    """Run the learner's function; its stub or its crash is reported to the learner, not raised."""
    try:
        return answer(*args, **kwargs)
    except NotImplementedError as stub:
        raise _Unanswered from stub
    except Exception as error:
        raise _AnswerFailed(
            f"running your answer raised {type(error).__name__}: {error}"
        ) from error


def exercise(title):
    """Turn ``check(answer, ...) -> problem or None`` into a function returning a Result."""

    def decorate(check):
        @functools.wraps(check)
        def run(answer, *args, **kwargs):
            if answer is None or answer is Ellipsis:
                return Result(title, "not answered", NOT_ANSWERED)
            try:
                problem = check(answer, *args, **kwargs)
            except _Unanswered:
                return Result(title, "not answered", NOT_ANSWERED)
            except _AnswerFailed as failure:
                return Result(title, "wrong", str(failure))
            if problem:
                return Result(title, "wrong", problem)
            return Result(title, "correct", "correct, well done.")

        return run

    return decorate
