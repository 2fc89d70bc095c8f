"""The two commands: the README, .ci/run, requirements.txt and environment.yml must agree."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    return re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)[:2]


def ci_lines():
    return [
        line for line in (ROOT / ".ci/run").read_text().splitlines() if line.startswith(".venv")
    ]


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    setup, test = readme_commands()
    assert text.index("```bash") < text.index("\n## "), "the commands come before any section"
    assert setup.startswith("python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt")
    assert setup.endswith("&& .venv/bin/jupyter lab notebooks/")
    assert test == ".venv/bin/pytest"


def test_ci_installs_and_tests_exactly_as_the_readme_says():
    setup, test = readme_commands()
    ci = (ROOT / ".ci/run").read_text()
    install = setup.removesuffix(" && .venv/bin/jupyter lab notebooks/")
    assert f"\n{install}\n" in ci
    assert ci.rstrip().endswith(f"\n{test}")


def requirement_lines(path):
    lines = (ROOT / path).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_torch_is_pinned_and_the_package_installed():
    requirements = requirement_lines("requirements.txt")
    assert "torch==2.13.0" in requirements
    assert "-e ." in requirements
    pinned = [line for line in requirements if line != "-e ."]
    assert all("==" in line for line in pinned), (
        "pin every package so a fresh machine gets what we test"
    )


def test_conda_route_cannot_drift_from_pip():
    environment = requirement_lines("environment.yml")
    assert "- python=3.11" in environment
    assert "- -r requirements.txt" in environment
    assert not [line for line in environment if "==" in line], "versions live in requirements.txt"
