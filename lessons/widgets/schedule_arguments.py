"""Which of an explorer's arguments a function takes (CyclicLR's lr and momentum curves, and
torch's scheduler, share one set of sliders)."""

import functools
import inspect


@functools.cache
def parameter_names(function):
    """``function``'s parameter names; cached, as every redraw asks (inspect takes ~30 µs)."""
    return frozenset(inspect.signature(function).parameters)


def accepted(function, args):
    """The part of ``args`` that ``function`` takes."""
    names = parameter_names(function)
    return {k: v for k, v in args.items() if k in names}
