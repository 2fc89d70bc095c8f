"""lessons.widgets.picker: the dropdown swaps the explorer, and the picture follows it."""

import base64

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from lessons.widgets.picker import scheduler_picker  # noqa: E402

NAMES = ["CosineAnnealingLR", "StepLR"]


def test_choosing_a_name_swaps_the_explorer_and_the_picture():
    picker = scheduler_picker(NAMES, "CosineAnnealingLR")
    before = picker.explorer
    assert before.name == "CosineAnnealingLR"
    assert base64.b64decode(picker._repr_mimebundle_()["image/png"]) == before.image.value
    picker.dropdown.value = "StepLR"
    assert picker.explorer is not before and picker.explorer.name == "StepLR"
    assert picker.children == (picker.dropdown, picker.explorer)
    bundle = picker._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    png = base64.b64decode(bundle["image/png"])
    assert png == picker.explorer.image.value and png != before.image.value
    assert picker.explorer.redraws("lr", "gamma", 0.2)


def test_bad_names_are_refused_with_the_names_allowed():
    with pytest.raises(ValueError, match=r"Invalid value: 'StepLR'; expected one of \['CosineAn"):
        scheduler_picker(["CosineAnnealingLR"], "StepLR")
    with pytest.raises(ValueError, match=r"Unknown schedules \['StepLRR'\]"):
        scheduler_picker(["StepLR", "StepLRR"], "StepLR")
