"""``scheduler_picker(names, value)``: a dropdown of schedule names above the chosen one's explorer.

Choosing a name swaps in that schedule's explorer. Like the explorers, the box also offers the
current picture as a PNG, which viewers without widgets (GitHub, a notebook before it runs) show.
"""

import base64

import ipywidgets as widgets

from lessons.schedules import SCHEDULES

from .schedule import ScheduleExplorer, schedule_explorer


class SchedulerPicker(widgets.VBox):
    def __init__(self, names, value):
        names = list(names)
        unknown = [name for name in names if name not in SCHEDULES]
        if unknown:
            raise ValueError(
                f"Unknown schedules {unknown}; expected names from {sorted(SCHEDULES)}"
            )
        if value not in names:
            raise ValueError(f"Invalid value: {value!r}; expected one of {names}")
        self.dropdown = widgets.Dropdown(options=names, value=value, description="scheduler")
        super().__init__([self.dropdown, schedule_explorer(value)])
        self.dropdown.observe(self._swap, names="value")

    @property
    def explorer(self) -> ScheduleExplorer:
        return self.children[1]

    def _swap(self, change):
        self.children = [self.dropdown, schedule_explorer(change.new)]

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.explorer.image.value).decode("ascii")
        return bundle


def scheduler_picker(names, value: str) -> SchedulerPicker:
    """A dropdown of the schedules ``names`` (keys of ``lessons.schedules.SCHEDULES``), starting at
    ``value``, above the explorer of the one chosen (``.explorer``)."""
    return SchedulerPicker(names, value)
