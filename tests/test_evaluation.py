"""Evaluation (sections 7 and 9): pair labels in pdist order, the views and the distances of the
full model, and the measures (ROC, AUC, EER, threshold, balanced accuracy, one-shot) on pairs whose
right answer is known."""
import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist, pdist

from notebook_code import SMALL

# ---- The measures ----------------------------------------------------------------------------


def test_best_threshold_weighs_rejected_impostors_as_much_as_accepted_genuine_pairs(nb):
    distances = np.array([0.1, 0.2, 0.3, 0.8, 0.5, 0.6, 0.7, 0.9])
    same = np.array([True] * 4 + [False] * 4)
    # at 0.3: 3 of 4 genuine pairs accepted, every impostor rejected (0.875); accepting the
    # genuine pair at 0.8 as well would accept 3 of 4 impostors (0.625)
    threshold = nb.best_threshold(distances, same)
    assert threshold == pytest.approx(0.3)
    assert nb.balanced_accuracy_score(same, distances <= threshold) == pytest.approx(0.875)


def test_evaluate_calls_a_pair_at_the_threshold_the_same_person_and_weighs_both_kinds(nb,
                                                                                      monkeypatch):
    monkeypatch.setattr(nb, "ONE_SHOT_DRAWS", 3)
    person_ids = np.array([0, 0, 1, 1, 2, 2])  # 3 genuine pairs, all at 0.5; 12 impostors, >= 2.5
    distances = pdist(np.array([[0.0], [0.5], [3.0], [3.5], [6.0], [6.5]]))
    at_threshold = nb.evaluate(distances, person_ids, 0.5)
    assert at_threshold["threshold"] == 0.5 and at_threshold["balanced_accuracy"] == 1.0, \
        "a distance equal to the threshold means the same person, as in compare()"
    # at 0.25 every pair is called different: right for 12 of 15 pairs, but no better than chance
    assert nb.evaluate(distances, person_ids, 0.25)["balanced_accuracy"] == 0.5


def test_one_shot_never_counts_a_reference_photo_as_its_own_query(nb):
    # 3 people, 2 photos each; a photo is nearer every other person's photos (1) than the other
    # photo of its own person (2): every query is named wrongly, whichever reference is drawn
    person_ids = np.array([0, 0, 1, 1, 2, 2])
    distances = np.where(person_ids[:, None] == person_ids[None], 2.0, 1.0)
    np.fill_diagonal(distances, 0.0)
    assert nb.one_shot_accuracy(distances, person_ids, 10, 0) == 0.0


def test_pair_labels_follow_pdist_order(nb):
    person_ids = np.array([1, 1, 2, 2, 3])
    # pdist order: (0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)
    assert nb.pair_labels(person_ids).tolist() == [True] + [False] * 6 + [True, False, False]
    points = person_ids[:, None].astype(float)  # the distance of a pair is 0 when genuine
    assert nb.pair_labels(person_ids).tolist() == (pdist(points) == 0).tolist()
    assert len(nb.pair_labels(np.array([4]))) == 0


def test_view_distances_search_views_and_average_networks(nb):
    # one photo each, two networks, two views each, 2-D embeddings
    first = np.array([[[[0.0, 0.0], [3.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]])
    second = np.array([[[[6.0, 0.0], [3.0, 4.0]], [[0.0, 2.0], [0.0, 6.0]]]])
    # network 1: closest views (3,0)-(6,0) at 3; network 2: (0,0)-(0,2) at 2 -> sqrt((9 + 4) / 2)
    assert nb.view_distances(first, second)[0, 0] == pytest.approx(6.5 ** 0.5)
    vectors = np.random.default_rng(0).normal(size=(5, 3))
    assert np.allclose(nb.view_distances(vectors[:, None, None], vectors[:, None, None]),
                       cdist(vectors, vectors))


def test_model_distances_are_view_distances_in_pdist_order(nb, small):
    networks, images = [small(0), small(1)], torch.randn(5, 1, *nb.IMAGE_SIZE)
    plain = nb.model_distances(networks[:1], images, [1.0], False)
    assert np.allclose(plain, pdist(nb.embed(networks[0], images).numpy()), atol=1e-6)
    views = nb.embed_views(networks, images, [0.9, 1.0], True)
    searched = nb.model_distances(networks, images, [0.9, 1.0], True)
    first, second = np.triu_indices(5, k=1)
    assert np.allclose(searched, nb.view_distances(views, views)[first, second], atol=1e-6)


def test_embed_views_keeps_networks_and_zooms_apart(nb, small):
    networks = [small(0), small(1)]
    images = torch.randn(3, 1, *nb.IMAGE_SIZE)
    views = nb.embed_views(networks, images, [1.0, 1.2])
    assert views.shape == (3, 2, 2, SMALL["embedding_dim"]) and isinstance(views, np.ndarray)
    both = (nb.embed(networks[1], images) + nb.embed(networks[1], images.flip(-1))) / 2
    assert np.allclose(views[:, 1, 0], both.numpy(), atol=1e-6)
    plain = nb.embed_views(networks, images, [1.0, 1.2], mirror=False)
    assert np.allclose(plain[:, 0, 0], nb.embed(networks[0], images).numpy(), atol=1e-6)
    assert np.allclose(plain[:, 0, 1], nb.embed(networks[0], nb.warp_images(images, 1.2)).numpy(),
                       atol=1e-6)
    assert not np.allclose(plain[:, 0, 0], plain[:, 0, 1], atol=1e-4)
    assert not np.allclose(plain[:, 0, 0], plain[:, 1, 0], atol=1e-4)


def test_mirror_averaging_makes_a_photo_and_its_mirror_image_identical(nb, small):
    images = torch.randn(2, 1, *nb.IMAGE_SIZE)
    views = nb.embed_views([small()], torch.cat([images, images.flip(-1)]), [1.0])
    assert np.allclose(views[:2], views[2:], atol=1e-6)
    plain = nb.embed_views([small()], torch.cat([images, images.flip(-1)]), [1.0], mirror=False)
    assert not np.allclose(plain[:2], plain[2:], atol=1e-4)


# The measures of section 7

GENUINE = np.array([0.1, 0.2, 0.6])


IMPOSTOR = np.array([0.5, 0.7, 0.8])


def test_verification_metrics_on_known_distances(nb):
    distances, same = np.concatenate([GENUINE, IMPOSTOR]), np.array([True] * 3 + [False] * 3)
    metrics = nb.verification_metrics(distances, same)
    assert metrics["auc"] == pytest.approx(8 / 9) and metrics["eer"] == pytest.approx(1 / 3)
    perfect = nb.verification_metrics(np.array([0.1, 0.2, 0.9, 1.0]),
                                      np.array([True, True, False, False]))
    assert perfect["auc"] == 1.0 and perfect["eer"] == 0.0
    assert nb.verification_metrics(np.array([0.9, 1.0, 0.1, 0.2]),
                                   np.array([True, True, False, False]))["auc"] == 0.0


def test_best_threshold_and_balanced_accuracy(nb, monkeypatch):
    monkeypatch.setattr(nb, "ONE_SHOT_DRAWS", 5)
    # photos 0, 1 of person 0 and 2, 3 of person 1; pdist order: (0, 1) and (2, 3) are genuine
    person_ids = np.array([0, 0, 1, 1])
    distances, same = np.array([0.1, 0.9, 1.0, 0.9, 1.0, 0.2]), nb.pair_labels(person_ids)
    balanced = lambda threshold: nb.evaluate(distances, person_ids, threshold)["balanced_accuracy"]
    threshold = nb.best_threshold(distances, same)
    assert 0.2 <= threshold < 0.9 and balanced(threshold) == 1.0
    assert balanced(0.2) == 1.0, "a distance equal to the threshold means the same person"
    assert balanced(0.15) == 0.75 and balanced(5.0) == 0.5
    one_genuine_pair = np.array([0, 0, *range(1, 11)])  # 1 genuine pair, 65 impostor pairs
    far = np.where(nb.pair_labels(one_genuine_pair), 0.1, 0.9)
    assert nb.evaluate(far, one_genuine_pair, 0.0)["balanced_accuracy"] == 0.5, \
        "always saying 'different' is no better than chance"


def test_one_shot_accuracy(nb):
    person_ids = np.array([0, 0, 0, 1, 1, 1])
    points = np.array([0.0, 0.1, 0.2, 5.0, 5.1, 5.2])
    perfect = np.abs(points[:, None] - points[None])
    assert nb.one_shot_accuracy(perfect, person_ids, 20, 0) == 1.0
    assert nb.one_shot_accuracy(-perfect, person_ids, 20, 0) == 0.0


def distance_matrix(pairs, photos):
    """A symmetric matrix of distances: 1 for every pair of photos, except the pairs given."""
    matrix = np.ones((photos, photos)) - np.eye(photos)
    for (a, b), distance in pairs.items():
        matrix[a, b] = matrix[b, a] = distance
    return matrix


def test_one_shot_accuracy_names_each_query_after_its_nearest_reference(nb):
    # photos 0, 1 of person 0; 2, 3 of person 1; 4, 5 of person 2. Photos 4 and 5 are farther apart
    # than from photos 0 and 1, so whichever reference is drawn, person 2's query is named person 0
    # and the other two queries are named right: 2 of 3 on every draw.
    matrix = distance_matrix({(0, 1): 0.1, (2, 3): 0.1, (4, 5): 0.9, (0, 4): 0.2, (0, 5): 0.2,
                              (1, 4): 0.2, (1, 5): 0.2}, 6)
    person_ids = np.array([0, 0, 1, 1, 2, 2])
    assert nb.one_shot_accuracy(matrix, person_ids, 1, 0) == pytest.approx(2 / 3)
    assert nb.one_shot_accuracy(matrix, person_ids, 50, 1) == pytest.approx(2 / 3)


def test_one_shot_accuracy_averages_random_references(nb):
    # photos 0, 1 of person 0; 2, 3 of person 1; photo 0 is nearer to photo 2 (0.05) than photo 1
    # is to it (0.1). Of the four equally likely draws of references, (0, 2) and (1, 3) name both
    # queries right, (0, 3) names photo 2 person 0 and (1, 2) names photo 0 person 1: 1 or 1/2.
    matrix = distance_matrix({(0, 1): 0.1, (2, 3): 0.1, (0, 2): 0.05}, 4)
    person_ids = np.array([0, 0, 1, 1])
    single = [nb.one_shot_accuracy(matrix, person_ids, 1, seed) for seed in range(40)]
    assert set(single) == {0.5, 1.0}, "each draw names both queries right or one of them wrong"
    assert single == [nb.one_shot_accuracy(matrix, person_ids, 1, seed) for seed in range(40)]
    assert nb.one_shot_accuracy(matrix, person_ids, 4000, 0) == pytest.approx(0.75, abs=0.02)


def test_evaluate_gathers_the_measures(nb, monkeypatch):
    monkeypatch.setattr(nb, "ONE_SHOT_DRAWS", 5)
    person_ids = np.array([0, 0, 1, 1])
    distances = pdist(np.array([[0.0], [0.1], [1.0], [1.2]]))
    result = nb.evaluate(distances, person_ids, 0.5)
    assert result["auc"] == 1.0 and result["one_shot"] == 1.0 and result["balanced_accuracy"] == 1.0
    assert result["threshold"] == 0.5 and result["eer"] == 0.0
    assert nb.evaluate(distances, person_ids, 0.05)["balanced_accuracy"] == 0.5
