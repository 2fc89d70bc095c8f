"""Slider explorers: schedules, schedules side by side, parameter groups, optimizer races, and
momentum's phase diagram."""

from .compare import compare_schedules
from .groups import group_explorer
from .phase import phase_explorer
from .schedule import schedule_explorer
from .trajectory import trajectory_explorer

__all__ = [
    "schedule_explorer",
    "compare_schedules",
    "group_explorer",
    "trajectory_explorer",
    "phase_explorer",
]
