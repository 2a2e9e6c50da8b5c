"""Claims about a run that stay in the notebook's prose carry a marker, and the marker is checked
against the stored outputs, so that a rerun that falsifies a sentence fails the tests.

A marker is an HTML comment right after the sentence, invisible when the notebook is rendered:
    <!-- claim: falls "training people" -->   the printed curve of that name ends below its start
    <!-- claim: ahead "ROW" "OTHER ROW" auc eer one_shot -->   ROW is better than OTHER ROW on
                                              each measure, in the printed table of section 9.4
    <!-- claim: person s31 -->                 the person appears in the stored outputs"""

import re
import shlex

import nbformat
import pytest

from notebook_code import NOTEBOOK

MARKER = re.compile(r"<!-- claim: (.+?) -->")
COLUMNS = {"auc": (0, 1), "eer": (1, -1), "one_shot": (2, 1)}  # column, +1 if higher is better


def stored_outputs(notebook):
    """The printed text of every code cell, joined."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts)


def claims(notebook):
    """(cell number, the claim's words) of every marker in the markdown."""
    found = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            found += [(number, claim) for claim in MARKER.findall(cell.source)]
    return found


def row(outputs, name):
    """The numbers of the printed table row that starts with name (percent signs dropped)."""
    match = re.search(rf"^{re.escape(name)}\s+([-\d.%\s]+?)s?$", outputs, re.MULTILINE)
    assert match, f"no printed row {name!r}"
    return [float(value.rstrip("%")) for value in match.group(1).split()]


def check(claim, outputs):
    """Raise AssertionError when the stored outputs contradict the claim."""
    kind, *words = shlex.split(claim)
    if kind == "falls":
        match = re.search(
            rf"^{re.escape(words[0])}\s*: ([\d.]+) before training, ([\d.]+) after",
            outputs,
            re.MULTILINE,
        )
        assert match, f"no printed curve {words[0]!r}"
        assert float(match.group(2)) < float(match.group(1)), f"{words[0]} did not fall"
    elif kind == "ahead":
        better, other, measures = row(outputs, words[0]), row(outputs, words[1]), words[2:]
        assert measures
        for measure in measures:
            column, sign = COLUMNS[measure]
            assert sign * (better[column] - other[column]) > 0, f"{words[0]} not ahead on {measure}"
    elif kind == "person":
        assert re.search(rf"\b{re.escape(words[0])}\b", outputs), f"no output shows {words[0]}"
    else:
        raise AssertionError(f"unknown kind of claim: {kind}")


NOTEBOOK_CLAIMS = claims(nbformat.read(NOTEBOOK, as_version=4))


def test_the_prose_makes_checked_claims():
    assert len(NOTEBOOK_CLAIMS) >= 3


@pytest.mark.parametrize("cell, claim", NOTEBOOK_CLAIMS)
def test_every_claim_agrees_with_the_stored_outputs(cell, claim):
    check(claim, stored_outputs(nbformat.read(NOTEBOOK, as_version=4)))


OUTPUTS = """training people  : 0.451 before training, 0.095 after epoch 20; lowest 0.091 at 16
validation people: 0.451 before training, 0.452 after epoch 20; lowest 0.145 at epoch 12
core network                                0.983   7.3%     86.9%     84.7%        9s
Fisherfaces (full model's conditions)       0.966  10.8%     94.7%     89.4%        0s
test      : 10 people, 100 photos (s1, s2, s3)"""


@pytest.mark.parametrize(
    "claim",
    [
        'falls "validation people"',
        'ahead "core network" "Fisherfaces (full model\'s conditions)" one_shot',
        'ahead "Fisherfaces (full model\'s conditions)" "core network" auc',
        "person s31",
        "rises sharply",
    ],
)
def test_a_wrong_claim_is_caught(claim):
    with pytest.raises(AssertionError):
        check(claim, OUTPUTS)


@pytest.mark.parametrize(
    "claim",
    [
        'falls "training people"',
        'ahead "core network" "Fisherfaces (full model\'s conditions)" auc eer',
        "person s3",
    ],
)
def test_a_true_claim_passes(claim):
    check(claim, OUTPUTS)
