"""A wrong parameter stops the notebook with a message naming the parameter, its value and what is allowed."""
import ast
import json
import re

import numpy as np
import pytest
import torch

from notebook_code import NOTEBOOK

BAD_VALUES = {
    "DATA_DIR": ["", 42],
    "LOCAL_COPY_ENV_VAR": ["MY-VAR", None],
    "DATA_URL": ["ftp://example.org/att_faces.zip", "att_faces.zip"],
    "DATA_MD5": ["6EFB25CB", 12345],
    "OLIVETTI_FALLBACK": ["yes", 1],
    "TEST_SUBJECTS": [[1, 2, 2, 3], [7], "s1-s10", [1.5, 2], [True, False], ["alice", ""], [-1, 2]],
    "TEST_SHARE": [0, 1, 1.5, "0.25"],
    "IMAGE_SIZE": [[56], [8, 46], [56.0, 46], "56x46"],
    "RAW_PIXEL_SIZE": [[112, 92, 3], [0, 92]],
    "CONV_CHANNELS": [[], [16, 0], 16],
    "HIDDEN_UNITS": [0, 12.5],
    "EMBEDDING_DIM": [1, "64"],
    "N_MODELS": [0, 2.0],
    "CALIBRATION_MODELS": [0, -1, 1.0],
    "MARGIN": [0, 3.0, -1, "1.4"],
    "EPOCHS": [0, 2.5, True],
    "PEOPLE_PER_BATCH": [1, -4],
    "IMAGES_PER_PERSON": [1, 0],
    "LEARNING_RATE": [0, -1e-3, 2],
    "WEIGHT_DECAY": [-0.1, 2],
    "AUGMENT_SHIFT": [-1, 9, 1.5],
    "AUGMENT_ZOOM": [0.9, 2.5, "1.3", True],
    "LEAVE_OUT_SHARE": [0, 0.6, "0.2"],
    "MONITOR_PAIRS": [1],
    "MONITOR_EVERY": [0],
    "SEARCH_ZOOMS": [[], 1.0, [0.8, 3.0], [0.4, 1.0], ["1.0"]],
    "ONE_SHOT_DRAWS": [0],
    "PCA_COMPONENTS": [0],
    "TSNE_PERPLEXITY": [0, -5],
    "IDENTITIES_TO_SHOW": [0],
    "PAIRS_TO_SHOW": [1],
    "OCCLUSION_PATCH": [0, 100],
    "OCCLUSION_STRIDE": [0],
    "FIGURE_DPI": [5],
    "SANITY_CHECKS": ["no", 0],
    "SEED": [-1, 0.5],
    "OUTPUT_DIR": [""],
    "NUM_WORKERS": [-1],
}


def parameters_cell_names():
    """The names assigned in the notebook's parameters cell."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = "".join(next(c for c in cells if "parameters" in c["metadata"].get("tags", []))["source"])
    return [node.targets[0].id for node in ast.parse(source).body if isinstance(node, ast.Assign)]


@pytest.fixture
def good(nb):
    """The notebook's own parameter values."""
    return {name: getattr(nb, name) for name in parameters_cell_names()}


def test_every_parameter_has_a_rule_and_a_bad_value(nb):
    names = parameters_cell_names()
    assert list(nb.PARAMETER_RULES) == names
    assert set(BAD_VALUES) == set(names)


def test_the_notebooks_own_values_pass(nb, good):
    nb.check_parameters(good)


@pytest.mark.parametrize("name, value", [(n, v) for n, values in BAD_VALUES.items() for v in values])
def test_bad_parameter_is_named_with_its_value_and_what_is_allowed(nb, good, name, value):
    with pytest.raises(ValueError) as error:
        nb.check_parameters({**good, name: value})
    assert str(error.value).startswith(f"{name} = {value!r} cannot work: {name} must be ")
    assert str(error.value).endswith(".")


def test_output_inside_the_data_folder_is_refused(nb, good):
    with pytest.raises(ValueError, match=re.escape("OUTPUT_DIR = 'data/att_faces/out' is inside DATA_DIR")):
        nb.check_parameters({**good, "OUTPUT_DIR": "data/att_faces/out"})


NAMES = [f"s{n}" for n in range(1, 41)]


def test_numbers_mean_s_folders_and_names_are_kept(nb):
    assert nb.resolve_test_subjects([3, 1], NAMES, 0.25, 0) == ["s3", "s1"]
    assert nb.resolve_test_subjects(["s40", "s2"], NAMES, 0.25, 0) == ["s40", "s2"]
    assert nb.resolve_test_subjects([1, 2], ["1", "2", "3", "4"], 0.25, 0) == ["1", "2"]


def test_unknown_test_subject_lists_allowed_values(nb):
    with pytest.raises(ValueError) as error:
        nb.resolve_test_subjects([1, 41, "zoe"], NAMES, 0.25, 0)
    assert str(error.value) == ("TEST_SUBJECTS = [1, 41, 'zoe'] names [41, 'zoe'], which are not identity folders "
                                "of DATA_DIR; allowed are its folder names: s1, s2, s3, s4, s5, s6, s7, s8, s9, "
                                "s10, s11, s12, ... (40 in all).")


def test_holding_out_too_many_subjects_is_refused(nb):
    with pytest.raises(ValueError, match=r"holds out 39 of 40 identities, leaving fewer than 2 to train on; "
                                         r"hold out at most 38"):
        nb.resolve_test_subjects(list(range(1, 40)), NAMES, 0.25, 0)


def test_random_share_is_seeded_and_sized(nb):
    first = nb.resolve_test_subjects(None, NAMES, 0.25, 7)
    assert first == nb.resolve_test_subjects(None, NAMES, 0.25, 7) != nb.resolve_test_subjects(None, NAMES, 0.25, 8)
    assert len(first) == 10 and len(set(first)) == 10 and set(first) <= set(NAMES)
    assert len(nb.resolve_test_subjects(None, NAMES[:5], 0.1, 0)) == 2


def test_too_few_identities_for_a_split_are_refused(nb):
    with pytest.raises(nb.FaceDataError, match="DATA_DIR holds 3 identities; at least 4 are needed"):
        nb.resolve_test_subjects(None, NAMES[:3], 0.25, 0)


SUBJECTS = np.repeat(np.arange(40), 10)


def test_more_images_per_person_than_a_training_identity_has_is_refused(nb):
    subjects = np.concatenate([SUBJECTS, [40, 40, 40]])
    test_mask = subjects < 10
    with pytest.raises(ValueError, match=r"IMAGES_PER_PERSON = 4 cannot work: a training identity has only 3 "
                                         r"images; choose a value from 2 to 3\."):
        nb.check_against_data(subjects, test_mask, 4, 0.2)
    nb.check_against_data(subjects, test_mask, 3, 0.2)


def test_leave_out_share_that_leaves_too_few_to_train_on_is_refused(nb):
    subjects = np.repeat(np.arange(8), 5)
    test_mask = subjects < 4
    with pytest.raises(ValueError, match=r"LEAVE_OUT_SHARE = 0.5 cannot work with 3 training identities: a "
                                         r"calibration network would leave out 2 and keep fewer than 2"):
        nb.check_against_data(np.repeat(np.arange(7), 5), np.repeat(np.arange(7), 5) < 4, 2, 0.5)
    nb.check_against_data(subjects, test_mask, 2, 0.5)


def test_identity_batches_hold_people_by_images(nb):
    batches = list(nb.identity_batches(SUBJECTS[:300], 30, 2, torch.Generator().manual_seed(0)))
    assert len(batches) == 5
    for batch in batches:
        people, counts = np.unique(SUBJECTS[batch.numpy()], return_counts=True)
        assert len(people) == 30 and set(counts) == {2} and len(set(batch.tolist())) == 60
