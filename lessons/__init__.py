"""Helpers for the Stepwise course: from-scratch optimizers and schedulers, curves, explorers."""
