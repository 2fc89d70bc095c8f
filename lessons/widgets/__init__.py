"""Slider explorers: schedules, schedules side by side, parameter groups, optimizer races,
momentum's phase diagram, and Muon's Newton-Schulz iterations."""

from .compare import compare_schedules
from .groups import group_explorer
from .newton_schulz import newton_schulz_explorer
from .phase import phase_explorer
from .picker import scheduler_picker
from .schedule import schedule_explorer
from .trajectory import trajectory_explorer

__all__ = [
    "schedule_explorer",
    "compare_schedules",
    "group_explorer",
    "trajectory_explorer",
    "phase_explorer",
    "newton_schulz_explorer",
    "scheduler_picker",
]
