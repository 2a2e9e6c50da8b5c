"""Every exercise can be done as written: each parameter it names exists, each value it suggests
passes the parameter rules together with the exercise's other changes, and the notebook says how to
let a weakened run finish."""

import ast
import re

import nbformat
import pytest

from notebook_code import NOTEBOOK

ASSIGNMENT = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*) = ([^`]+)`")


def exercises():
    """{number: text} of the numbered exercises of section 11."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    text = next(
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "markdown" and "### Exercises" in cell.source
    )
    section = text.split("### Exercises", 1)[1].split("###", 1)[0]
    found = re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", section, re.MULTILINE | re.DOTALL)
    return {int(number): body for number, body in found}


def suggested_values(text):
    """(name, value) of every `NAME = value` an exercise suggests."""
    return [(name, ast.literal_eval(value)) for name, value in ASSIGNMENT.findall(text)]


def test_there_are_exercises_and_they_suggest_values():
    found = exercises()
    assert len(found) >= 8 and sorted(found) == list(range(1, len(found) + 1))
    assert sum(len(suggested_values(text)) for text in found.values()) >= 10


@pytest.mark.parametrize("number", sorted(exercises()))
def test_every_value_an_exercise_suggests_passes_the_rules(nb, number):
    suggested = suggested_values(exercises()[number])
    known = nb.PARAMETER_SCHEMA["properties"]
    defaults = {name: getattr(nb, name) for name in known}
    for name, value in suggested:
        assert name in known, f"exercise {number} names {name}, which is no parameter"
        others = {other: v for other, v in suggested if other != name}
        nb.check_parameters({**defaults, **others, name: value}, list(others) + [name])


def test_the_exercises_say_how_to_let_a_weakened_run_finish(nb):
    text = nbformat.read(NOTEBOOK, as_version=4)
    exercises_cell = next(
        cell.source
        for cell in text.cells
        if cell.cell_type == "markdown" and "### Exercises" in cell.source
    )
    assert "`SANITY_CHECKS = False`" in exercises_cell
    assert "SANITY_CHECKS" in nb.PARAMETER_SCHEMA["properties"]


def test_the_check_catches_an_exercise_that_cannot_be_done(nb):
    """What the tests above would say of exercise 2 as it was written before (a margin of 5 with
    the normalisation on) and of a parameter that does not exist."""
    defaults = {name: getattr(nb, name) for name in nb.PARAMETER_SCHEMA["properties"]}
    with pytest.raises(ValueError):
        nb.check_parameters({**defaults, "MARGIN": 5.0}, ["MARGIN"])
    assert suggested_values("set `BATCH_SIZE = 60`") == [("BATCH_SIZE", 60)]
    with pytest.raises(ValueError, match="BATCH_SIZE is not a parameter"):
        nb.check_parameters(defaults, ["BATCH_SIZE"])
