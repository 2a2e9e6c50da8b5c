"""A wrong parameter stops the notebook with a message naming the parameter, its value and what is
allowed; what depends on the data (the people to test on, a person named twice) is checked by
split_people."""

import ast
import json
import re

import numpy as np
import pytest

from notebook_code import NOTEBOOK, execute_notebook

BAD_VALUES = {
    "DATA_DIR": ["", "   ", 42, None],
    "TEST_PEOPLE": [
        [7],
        [],
        "s1-s10",
        [1.5, 2],
        [True, False],
        ["alice", ""],
        10,
    ],
    "TEST_SHARE": [0, 1, 1.5, "0.25", None],
    "VALIDATION_SHARE": [0, 0.6, "0.2", -0.1],
    "IMAGE_SIZE": [[56], [8, 46], [56.0, 46], "56x46", [56, 46, 1]],
    "CONV_CHANNELS": [[], [16, 0], 16, [16.0, 32]],
    "POOL_GRID": [[4], [0, 3], [4, 9], "4x3", [4.0, 3], [4, 3, 1]],
    "HIDDEN_UNITS": [0, 12.5, "128"],
    "EMBEDDING_DIM": [1, "64", 0],
    "NORMALISE_EMBEDDINGS": [1, "yes", None],
    "MARGIN": [0, 101, -1, "1.4"],
    "EPOCHS": [0, 2.5, True],
    "PEOPLE_PER_BATCH": [1, -4, 30.0],
    "IMAGES_PER_PERSON": [1, 0, 2.0],
    "LEARNING_RATE": [0, -1e-3, 2],
    "WEIGHT_DECAY": [-0.1, 2],
    "AUGMENT_MIRROR": [-0.1, 1.5, "0.5"],
    "AUGMENT_SHIFT": [-1, 9, 1.5],
    "AUGMENT_ZOOM": [0.9, 2.5, "1.3", True],
    "LOSS_CURVE_PHOTOS": [9, 500.0, None],
    "EVALUATION_PHOTOS": [9, 1000.0, None],
    "RAW_PIXEL_SIZE": [[112, 92, 3], [0, 92], [112]],
    "PCA_COMPONENTS": [0, 40.0],
    "ONE_SHOT_DRAWS": [0, 200.0],
    "SANITY_CHECKS": ["no", 0, None],
    "SEED": [-1, 0.5],
    "OUTPUT_DIR": ["", " "],
    "N_MODELS": [0, 2.0],
    "CALIBRATION_MODELS": [0, -1, 1.0],
    "SEARCH_ZOOMS": [[], 1.0, [0.8, 3.0], [0.4, 1.0], ["1.0"]],
    "COMPARE_MIRRORED": ["no", 1, None],
    "THRESHOLD_PHOTOS": [0, 9, 1000.0],
    "FIND_FACES": ["yes", 1, None],
    "FACE_FRAME": [[1.0, 1.2], [1.0, 1.2, -0.1, 0], 1.0, [1.0, "1.2", 0], [5, 1, 0]],
    "DETECTION_SCALES": [[], 1.0, [1.0, 3.0], [0.1]],
    "FACE_SEARCHES_NEEDED": [0, 2.0, "3"],
    "OLIVETTI_FALLBACK": ["yes", 1],
    "PEOPLE_TO_SHOW": [0],
    "PAIRS_TO_SHOW": [1],
    "OCCLUSION_PATCH": [0, 17, 100],
    "OCCLUSION_STRIDE": [0],
    "FIGURE_DPI": [5, 1000],
}

GOOD_ALTERNATIVES = {
    "TEST_PEOPLE": [None, ["alice", "bob"], (31, 32), [0, 1], ["s1", 2]],
    "TEST_SHARE": [0.01, 0.9],
    "VALIDATION_SHARE": [0.5],
    "IMAGE_SIZE": [[16, 16], (112, 92)],
    "POOL_GRID": [[1, 1], (8, 8)],
    "MARGIN": [2, 0.5],
    "AUGMENT_SHIFT": [0, 8],
    "AUGMENT_ZOOM": [1, 2.0],
    "SEARCH_ZOOMS": [[1.0], (0.5, 2)],
    "CALIBRATION_MODELS": [1],
    "OCCLUSION_PATCH": [16],
    "WEIGHT_DECAY": [0],
    "COMPARE_MIRRORED": [False],
    "THRESHOLD_PHOTOS": [10],
}


def parameters_cell_names():
    """The names assigned in the notebook's parameters cell, in order."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = "".join(
        next(c for c in cells if "parameters" in c["metadata"].get("tags", []))["source"]
    )
    return [node.targets[0].id for node in ast.parse(source).body if isinstance(node, ast.Assign)]


@pytest.fixture
def good(nb):
    """The notebook's own parameter values."""
    return {name: getattr(nb, name) for name in parameters_cell_names()}


def test_every_parameter_has_a_rule_and_a_bad_value(nb):
    names = parameters_cell_names()
    assert sorted(nb.PARAMETER_SCHEMA["properties"]) == sorted(names)
    assert set(BAD_VALUES) == set(names)


def test_the_notebooks_own_values_pass(nb, good):
    nb.check_parameters(good)


@pytest.mark.parametrize(
    "name, value", [(n, v) for n, values in GOOD_ALTERNATIVES.items() for v in values]
)
def test_other_sensible_values_pass(nb, good, name, value):
    nb.check_parameters({**good, name: value})


@pytest.mark.parametrize(
    "name, value", [(n, v) for n, values in BAD_VALUES.items() for v in values]
)
def test_bad_parameter_is_named_with_its_value_and_what_is_allowed(nb, good, name, value):
    with pytest.raises(ValueError) as error:
        nb.check_parameters({**good, name: value})
    message = str(error.value)
    assert message.startswith(f"{name} = {value!r} cannot work: ")
    why = message.removeprefix(f"{name} = {value!r} cannot work: ")
    rule = nb.PARAMETER_SCHEMA["properties"][name]
    if "description" in rule:  # the rule in words
        assert why == f"{rule['description']}.", "the message must say what is accepted"
    else:  # the part of the rule that the value breaks: its kind, a limit or the list's length
        kind, low, high, length = [*nb.RULES[name], None, None, None][:4]
        words = [f"of type '{kind}'", *(f"imum of {limit!r}" for limit in (low, high)
                                        if limit is not None)]
        if length is not None:  # a list
            words += ["of type 'array'", "too short", "too long", "non-empty"]
        assert any(word in why for word in words), "the message must say what is accepted"


@pytest.mark.parametrize("output", ["data/att_faces/out", "data/att_faces", "./data/att_faces/x/y"])
def test_output_inside_the_data_folder_is_refused(nb, good, output):
    with pytest.raises(ValueError) as error:
        nb.check_parameters({**good, "DATA_DIR": "data/att_faces", "OUTPUT_DIR": output})
    assert f"OUTPUT_DIR = {output!r}" in str(error.value)
    assert "DATA_DIR = 'data/att_faces'" in str(error.value)


def test_output_beside_the_data_folder_is_allowed(nb, good):
    nb.check_parameters(
        {**good, "DATA_DIR": "data/att_faces", "OUTPUT_DIR": "data/att_faces_outputs"}
    )


@pytest.mark.parametrize(
    "changes, named",
    [
        ({"MARGIN": 2.5}, "MARGIN = 2.5"),
        ({"OCCLUSION_PATCH": 4, "OCCLUSION_STRIDE": 6}, "OCCLUSION_STRIDE = 6"),
        ({"FACE_SEARCHES_NEEDED": 5}, "FACE_SEARCHES_NEEDED = 5"),
    ],
)
def test_parameters_that_cannot_work_together_are_refused_before_any_work(nb, good, changes, named):
    with pytest.raises(ValueError, match=named):
        nb.check_parameters({**good, **changes})


def test_a_margin_above_two_is_allowed_without_the_normalisation(nb, good):
    nb.check_parameters({**good, "MARGIN": 20, "NORMALISE_EMBEDDINGS": False})


@pytest.mark.parametrize(
    "given, hint",
    [
        ("TEST_SUBJECTS", "it is now TEST_PEOPLE"),  # an old name
        ("EPOCH", "did you mean EPOCHS?"),  # a typo
        ("epochs", "did you mean EPOCHS?"),  # lower case
        ("test_people", "did you mean TEST_PEOPLE?"),
        ("COLOUR_SCHEME", None),  # nothing close: every name is listed
    ],
)
def test_a_name_that_is_not_a_parameter_is_refused_naming_the_closest(nb, good, given, hint):
    with pytest.raises(ValueError) as error:
        nb.check_parameters(good, ["EPOCHS", given])
    assert str(error.value).startswith(f"{given} is not a parameter of this notebook")
    if hint is None:
        assert all(name in str(error.value) for name in parameters_cell_names())
    else:
        assert hint in str(error.value)


def test_known_names_given_to_papermill_pass(nb, good):
    nb.check_parameters(good, ["EPOCHS", "TEST_PEOPLE", "DATA_DIR"])


def test_finding_faces_without_opencv_stops_with_what_to_install(nb, good, monkeypatch):
    monkeypatch.setattr(nb, "HAS_OPENCV", False)  # as the notebook's import leaves it without
    with pytest.raises(ImportError, match="pip install opencv-python-headless"):
        nb.check_parameters({**good, "FIND_FACES": True})
    nb.check_parameters({**good, "FIND_FACES": False})


@pytest.mark.slow
def test_an_old_parameter_name_stops_a_papermill_run_before_any_work(tmp_path):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as error:
        execute_notebook(tmp_path, TEST_SUBJECTS=[31, 32])
    assert "TEST_SUBJECTS is not a parameter of this notebook: it is now TEST_PEOPLE" in str(
        error.value
    )
    assert not (tmp_path / "metrics.json").exists()


NAMES = [f"s{n}" for n in range(1, 41)]
IDS = np.repeat(np.arange(40), 10)


def split(nb, test_people, seed=0, names=NAMES, ids=IDS):
    """split_people with the names and ids given: test, validation, training and other people."""
    return nb.split_people(names, ids, test_people, seed)


def test_numbers_mean_s_folders_and_names_are_kept(nb):
    assert split(nb, [3, 1])[0].tolist() == [0, 2]
    assert split(nb, ["s40", "s2"])[0].tolist() == [1, 39]
    assert split(nb, ["s40", 2])[0].tolist() == [1, 39]
    numbered = [str(n) for n in range(1, 9)]
    assert split(nb, [1, 2], names=numbered, ids=np.repeat(np.arange(8), 3))[0].tolist() == [0, 1]
    people = ["alice", "bob", "carol", "dave", "erin", "frank"]
    assert split(nb, ["frank", "bob"], names=people, ids=np.repeat(np.arange(6), 3))[
        0
    ].tolist() == [1, 5]


def test_the_groups_partition_the_people(nb):
    test, validation, training, others = split(nb, list(range(1, 11)))
    assert test.tolist() == list(range(10))
    assert len(validation) == round(0.3 * 30) and len(training) == 30 - len(validation)
    assert sorted([*test, *validation, *training]) == list(range(40))
    assert sorted(others.tolist()) == sorted([*validation, *training])
    assert sorted(others[: len(validation)].tolist()) == validation.tolist()
    assert validation.tolist() == sorted(validation.tolist()) and training.tolist() == sorted(
        training.tolist()
    )


def test_validation_people_are_seeded_and_sized_by_the_share(nb, monkeypatch):
    first = split(nb, [1, 2, 3], seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(first, split(nb, [1, 2, 3], seed=5)))
    assert not np.array_equal(first[1], split(nb, [1, 2, 3], seed=6)[1])
    monkeypatch.setattr(nb, "VALIDATION_SHARE", 0.5)
    test, validation, training, _ = split(nb, [1, 2, 3], seed=5)
    assert len(validation) == round(0.5 * 37) and len(training) == 37 - len(validation)


@pytest.mark.parametrize("people", range(6, 13))
def test_every_group_keeps_at_least_two_people(nb, monkeypatch, people):
    monkeypatch.setattr(nb, "VALIDATION_SHARE", 0.5)
    test, validation, training, _ = split(
        nb, [1, 2], names=NAMES[:people], ids=np.repeat(np.arange(people), 3)
    )
    assert len(test) == 2 and len(validation) >= 2 and len(training) >= 2
    assert len(test) + len(validation) + len(training) == people


def test_unknown_test_people_are_named_with_the_folders_there_are(nb):
    with pytest.raises(ValueError) as error:
        split(nb, [1, 41, "zoe"])
    message = str(error.value)
    assert message.startswith("TEST_PEOPLE = [1, 41, 'zoe']")
    assert "[41, 'zoe']" in message, "only the people that are not there are named as unknown"
    assert "s1, s2, s3" in message and "40" in message
    with pytest.raises(ValueError, match=r"^TEST_PEOPLE = \[-1, 2\] cannot work: \[-1\]"):
        split(nb, [-1, 2])


def test_a_number_without_its_s_folder_is_unknown(nb):
    people = ["alice", "bob", "carol", "dave", "erin", "frank"]
    with pytest.raises(ValueError, match=r"\[3\]"):
        split(nb, ["alice", 3], names=people, ids=np.repeat(np.arange(6), 3))


def test_holding_out_too_many_people_is_refused(nb):
    with pytest.raises(ValueError) as error:
        split(nb, list(range(1, 38)))
    assert str(error.value).startswith("TEST_PEOPLE = ") and "at most 36" in str(error.value)
    test, validation, training, _ = split(nb, list(range(1, 37)))
    assert len(test) == 36 and len(validation) == 2 and len(training) == 2


def test_drawn_test_people_are_seeded_and_sized_by_the_test_share(nb, monkeypatch):
    first = split(nb, None, seed=7)[0]
    assert np.array_equal(first, split(nb, None, seed=7)[0])
    assert not np.array_equal(first, split(nb, None, seed=8)[0])
    assert (
        len(first) == 10
        and len(set(first.tolist())) == 10
        and set(first.tolist()) <= set(range(40))
    )
    monkeypatch.setattr(nb, "TEST_SHARE", 0.5)
    assert len(split(nb, None, seed=7)[0]) == 20
    monkeypatch.setattr(nb, "TEST_SHARE", 0.1)
    assert len(split(nb, None, names=NAMES[:6], ids=np.repeat(np.arange(6), 3))[0]) == 2
    monkeypatch.setattr(nb, "TEST_SHARE", 0.9)
    test, validation, training, _ = split(nb, None, names=NAMES[:8], ids=np.repeat(np.arange(8), 3))
    assert len(test) == 4 and len(validation) == 2 and len(training) == 2


def test_too_few_people_for_a_split_are_refused(nb):
    with pytest.raises(nb.FaceDataError, match=r"5 people.* 6 "):
        split(nb, None, names=NAMES[:5], ids=np.repeat(np.arange(5), 10))


def test_more_images_per_person_than_a_training_person_has_is_refused(nb, monkeypatch):
    ids = np.concatenate(
        [np.repeat(np.arange(10), 10), np.repeat(np.arange(10, 40), 3)]
    )  # only test people have 10
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", 4)
    with pytest.raises(ValueError) as error:
        split(nb, list(range(1, 11)), ids=ids)
    assert str(error.value).startswith("IMAGES_PER_PERSON = 4 cannot work") and "3" in str(
        error.value
    )
    assert "from 2 to 3" in str(error.value)
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", 3)
    split(nb, list(range(1, 11)), ids=ids)


@pytest.mark.parametrize("people", [[1, "s1"], [1, 2, 2, 3]])
def test_one_person_named_twice_is_refused(nb, good, people):
    nb.check_parameters({**good, "TEST_PEOPLE": people})  # a list of people: the data decides
    with pytest.raises(ValueError, match=rf"TEST_PEOPLE = {re.escape(repr(people))} cannot work"):
        split(nb, people)
