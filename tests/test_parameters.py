"""A wrong parameter stops the notebook with a message naming the parameter and the values it accepts."""
import numpy as np
import pytest
import torch

GOOD = dict(test_subjects=[1, 2, 3], epochs=60, people_per_batch=30, images_per_person=2, margin=1.4,
            learning_rate=1e-3)


@pytest.mark.parametrize("change, message", [
    (dict(test_subjects=[1, 2, 2, 3]), "TEST_SUBJECTS lists subject(s) [2] more than once"),
    (dict(test_subjects=[7]), "TEST_SUBJECTS must name at least 2 subjects"),
    (dict(test_subjects="s1-s10"), "TEST_SUBJECTS must be a list of subject numbers such as [1, 2, 3]"),
    (dict(epochs=0), "EPOCHS must be a positive whole number (1, 2, 3, ...); got 0."),
    (dict(epochs=2.5), "EPOCHS must be a positive whole number (1, 2, 3, ...); got 2.5."),
    (dict(people_per_batch=-4), "PEOPLE_PER_BATCH must be a positive whole number (1, 2, 3, ...); got -4."),
    (dict(people_per_batch=1), "PEOPLE_PER_BATCH must be at least 2"),
    (dict(images_per_person=0), "IMAGES_PER_PERSON must be a positive whole number (1, 2, 3, ...); got 0."),
    (dict(images_per_person=1), "IMAGES_PER_PERSON must be at least 2"),
    (dict(margin=3.0), "MARGIN must be in (0, 2]"),
    (dict(n_models=0), "N_MODELS must be a positive whole number (1, 2, 3, ...); got 0."),
    (dict(learning_rate=0), "LEARNING_RATE must be a positive number"),
])
def test_bad_parameter_is_named(nb, change, message):
    with pytest.raises(ValueError) as error:
        nb.check_parameters(**{**GOOD, **change})
    assert message in str(error.value)


def test_good_parameters_pass(nb):
    nb.check_parameters(**GOOD)
    nb.check_parameters(nb.TEST_SUBJECTS, nb.EPOCHS, nb.PEOPLE_PER_BATCH, nb.IMAGES_PER_PERSON, nb.MARGIN,
                        nb.LEARNING_RATE, nb.N_MODELS)


SUBJECTS = np.repeat(np.arange(1, 41), 10)


def test_unknown_test_subject_lists_allowed_values(nb):
    with pytest.raises(ValueError) as error:
        nb.split_by_subject(SUBJECTS, [1, 41, 0])
    assert str(error.value) == ("TEST_SUBJECTS names subject(s) [41, 0] that are not in the data; allowed values "
                                "are the subject numbers present: 1..40 (40 subjects).")


def test_holding_out_too_many_subjects_is_refused(nb):
    with pytest.raises(ValueError, match=r"holds out 39 of 40 subjects, leaving fewer than 2 to train on; "
                                         r"hold out at most 38"):
        nb.split_by_subject(SUBJECTS, list(range(1, 40)))


def test_split_holds_out_whole_people(nb):
    train, test = nb.split_by_subject(SUBJECTS, [3, 5])
    assert set(SUBJECTS[test]) == {3, 5} and test.sum() == 20
    assert not set(SUBJECTS[train]) & {3, 5} and train.sum() == 380


def test_more_images_per_person_than_exist_is_refused(nb):
    with pytest.raises(ValueError, match="IMAGES_PER_PERSON is 11, but a training subject has only 10 images; "
                                         "choose a value from 2 to 10"):
        next(nb.identity_batches(SUBJECTS, 30, 11, torch.Generator().manual_seed(0)))


def test_identity_batches_hold_people_by_images(nb):
    batches = list(nb.identity_batches(SUBJECTS[:300], 30, 2, torch.Generator().manual_seed(0)))
    assert len(batches) == 5
    for batch in batches:
        people, counts = np.unique(SUBJECTS[batch.numpy()], return_counts=True)
        assert len(people) == 30 and set(counts) == {2} and len(set(batch.tolist())) == 60
