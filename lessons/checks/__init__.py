"""Exercise checks: each compares an answer with torch and says what is wrong in plain words.

Every lesson has its own module (``lessons.checks.loop``, ``lessons.checks.transfer`` ...) whose
checks are written with :func:`exercise`::

    @exercise("Exercise 1: RMSprop's update")
    def check_rmsprop_update(update):
        ...  # run the answer through `call`; return None if right, else what is wrong

An exercise left as it was handed out (``None``, ``...``, or a function that raises
``NotImplementedError``) is "not answered yet", never a failure, so a notebook with open exercises
still runs top to bottom.

A check never raises at the learner. Helpers deep inside a check raise :class:`Wrong` to give their
reason; anything else that fails once the answer has run was caused by what the answer returned
or changed, and is reported as wrong, by name. Before the answer runs, only the check's own code
has run: a failure there is a bug in the check, and is raised.
"""

import functools
import math
import numbers
import reprlib
from contextvars import ContextVar
from dataclasses import dataclass

import torch

__all__ = ["Result", "exercise", "call", "attempt", "Wrong", "number", "shown", "tensor_problem"]

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


class Wrong(Exception):
    """Raised anywhere inside a check: the answer is wrong, and the message says why."""


class _Unanswered(Exception):
    pass


_answer_ran = ContextVar("answer_ran", default=False)


def _named(error):
    """``TypeError: the first line of its message``, without a closing full stop."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0].rstrip('.')}" if lines else type(error).__name__


def call(answer, *args, **kwargs):
    """Run the learner's function; its stub or its crash is reported to the learner, not raised."""
    _answer_ran.set(True)
    try:
        return answer(*args, **kwargs)
    except NotImplementedError as stub:
        raise _Unanswered from stub
    except Exception as error:
        raise Wrong(f"running your answer raised {_named(error)}.") from error


def attempt(doing, action, *args):
    """Run ``action`` on what the answer built (a model, an optimizer); its crash is the answer's,
    reported as what failed while ``doing``."""
    try:
        return action(*args)
    except Exception as error:
        raise Wrong(f"{doing} raised {_named(error)}.") from error


def exercise(title):
    """Turn ``check(answer, ...) -> problem or None`` into a function returning a Result."""

    def decorate(check):
        @functools.wraps(check)
        def run(answer, *args, **kwargs):
            if answer is None or answer is Ellipsis:
                return Result(title, "not answered", NOT_ANSWERED)
            # a value (a prediction, a dict) is the answer itself: the check holds it from the start
            ran = _answer_ran.set(not callable(answer))
            try:
                problem = check(answer, *args, **kwargs)
            except _Unanswered:
                return Result(title, "not answered", NOT_ANSWERED)
            except Wrong as wrong:
                return Result(title, "wrong", str(wrong))
            except Exception as error:
                if not _answer_ran.get():
                    raise
                what = "your answer ran, but what it returned or changed" * callable(answer)
                return Result(
                    title,
                    "wrong",
                    f"{what or 'your answer'} could not be checked: {_named(error)}.",
                )
            finally:
                _answer_ran.reset(ran)
            if problem:
                return Result(title, "wrong", problem)
            return Result(title, "correct", "correct, well done.")

        return run

    return decorate


def number(value):
    """``value`` as a float if it is a real, finite number (a bool is not), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        value = float(value)
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


_short = reprlib.Repr()  # Python 3.11's takes no arguments
_short.maxother = 60


def shown(value, spec="g"):
    """A number formatted with ``spec``; anything else (an answer's junk) as a short repr."""
    return _short.repr(value) if number(value) is None else format(float(value), spec)


def tensor_problem(name, yours, right):
    """Why ``yours`` cannot be compared with the tensor ``right``, in a sentence, or None."""
    if not isinstance(yours, torch.Tensor):
        return f"{name} should be a tensor of shape {tuple(right.shape)}; got {_short.repr(yours)}."
    if yours.shape != right.shape:
        return f"{name} should have shape {tuple(right.shape)}, not {tuple(yours.shape)}."
    if yours.dtype != right.dtype:
        return (
            f"{name} should be {right.dtype}, like the tensors you were given, not {yours.dtype}."
        )
    if not torch.isfinite(yours).all():
        return f"there is nan or inf in {name}."
    return None
