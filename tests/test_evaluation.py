"""Pairs, ROC, AUC, EER, the validation threshold, one-shot identification, the baselines and the
hardest pairs."""
import numpy as np
import pytest
from scipy.spatial.distance import pdist


def test_pair_labels_follow_pdist_order(nb):
    ids = np.array([0, 1, 0, 1])
    assert list(nb.pair_labels(ids)) == [False, True, False, False, True, False]
    assert len(nb.pair_labels(ids)) == len(pdist(np.zeros((4, 1))))


def test_roc_measures_of_perfect_and_reversed_distances(nb):
    same = np.array([True, True, False, False, False])
    perfect = nb.roc_measures(np.array([0.1, 0.2, 0.8, 0.9, 1.0]), same)
    reversed_ = nb.roc_measures(np.array([0.9, 1.0, 0.1, 0.2, 0.3]), same)
    assert perfect["auc"] == 1.0 and perfect["eer"] == 0.0
    assert reversed_["auc"] == 0.0 and reversed_["eer"] == 1.0


def test_equal_error_rate_where_both_errors_meet(nb):
    rng = np.random.default_rng(0)
    genuine, impostor = rng.normal(0, 1, 4000), rng.normal(2, 1, 4000)
    same = np.r_[np.ones(4000, bool), np.zeros(4000, bool)]
    eer = nb.roc_measures(np.r_[genuine, impostor], same)["eer"]
    assert eer == pytest.approx(0.1587, abs=0.015)  # two unit normals 2 apart: Phi(-1)


def test_best_threshold_separates_the_two_kinds(nb):
    same = np.array([True, True, False, False])
    threshold = nb.best_threshold(np.array([0.2, 0.4, 0.7, 0.9]), same)
    assert 0.4 <= threshold < 0.7


def test_evaluate_takes_the_threshold_from_the_validation_people(nb):
    ids = np.repeat(np.arange(4), 3)
    features = np.r_[np.repeat([[0.0], [10.0]], 3, axis=0).ravel() + np.tile([0, 1, 2], 2),
                     np.repeat([[0.0], [10.0]], 3, axis=0).ravel() + np.tile([0, 4, 8], 2)]
    validation, test = np.arange(6), np.arange(6, 12)
    measures = nb.evaluate(features[:, None], validation, test, ids)
    assert measures["threshold"] == pytest.approx(
        nb.best_threshold(pdist(features[validation, None]), nb.pair_labels(ids[validation])))
    assert measures["threshold"] != pytest.approx(
        nb.best_threshold(pdist(features[test, None]), nb.pair_labels(ids[test])))
    assert measures["balanced_accuracy"] < 1.0  # test people spread more than validation ones


def test_one_shot_is_perfect_when_people_are_far_apart_and_guesses_otherwise(nb):
    ids = np.repeat(np.arange(5), 4)
    apart = np.where(ids[:, None] == ids[None, :], 0.1, 1.0)
    assert nb.one_shot_accuracy(apart, ids, seed=0) == 1.0
    rng = np.random.default_rng(1)
    noise = rng.random((20, 20))
    assert nb.one_shot_accuracy(noise + noise.T, ids, seed=0, draws=400) == pytest.approx(
        0.2, abs=0.06)


def test_hardest_pairs_are_the_worst_of_each_kind(nb):
    same = np.array([True, False, True, False, False, True])
    distances = np.array([0.9, 0.2, 0.5, 0.1, 0.3, 0.95])
    genuine, impostor = nb.hardest_pairs(distances, same, 2)
    assert list(genuine) == [5, 0]  # the farthest genuine pairs first
    assert list(impostor) == [3, 1]  # the closest impostor pairs first


def test_fisherfaces_keeps_fewer_dimensions_than_photos_minus_people(nb):
    rng = np.random.default_rng(0)
    pixels, ids = rng.random((12, 50)), np.repeat(np.arange(4), 3)
    model = nb.fit_fisherfaces(pixels, ids)
    assert model.steps[0][1].n_components == 8
    assert model.transform(pixels).shape == (12, 3)  # LDA: people - 1


def test_at_most_samples_with_its_seed(nb):
    mask = np.arange(100) % 2 == 0
    assert list(nb.at_most(mask, 80, 0)) == list(np.flatnonzero(mask))
    sample = nb.at_most(mask, 10, 0)
    assert len(sample) == 10 and mask[sample].all()
    assert list(sample) == list(nb.at_most(mask, 10, 0))
