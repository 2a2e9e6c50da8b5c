"""Tests written for bugs of tests/mutation_check.py that no other fast test caught: batches that
leave people out, random views that zoom out or shift one way, a threshold that forgets the
impostors, a balanced accuracy that calls a pair at the threshold different, one-shot queries that
name themselves, a face found by too few searches, and a bad copy of the faces taken as the data
folder. Small hand-made inputs whose right answer is known."""

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

# ---- Batches: over an epoch, the batches draw from every person ------------------------------


def test_an_epoch_of_batches_draws_people_from_everyone_not_the_same_few(nb, monkeypatch):
    monkeypatch.setattr(nb, "PEOPLE_PER_BATCH", 10)
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", 2)
    person_ids = np.repeat(np.arange(30), 10)  # 30 people, 10 photos each: 15 batches of 10 people
    batches = list(nb.person_batches(person_ids, torch.Generator().manual_seed(0)))
    assert len(batches) == 15
    people_seen = set(person_ids[np.concatenate(batches)].tolist())
    # drawn at random, 10 of 30 people per batch, a person is missed by all 15 batches with
    # probability (2/3)^15 = 0.2 %: nearly everyone is trained on
    assert len(people_seen) >= 25, f"an epoch trained on {len(people_seen)} of 30 people"
    assert len({tuple(sorted(set(person_ids[b].tolist()))) for b in batches}) > 1


# ---- Random views: read back each view's zoom, shift and mirror from two ramps ---------------

SIDE = 33  # odd: the centre is a pixel
CENTRE = SIDE // 2


def ramps(count):
    """count images of two channels: the column (channel 0) and the row (channel 1) of each pixel,
    counted from the centre. A warp of such an image shows where each pixel was read from."""
    steps = torch.arange(SIDE, dtype=torch.float32) - CENTRE
    columns, rows = steps.expand(SIDE, SIDE), steps[:, None].expand(SIDE, SIDE)
    return torch.stack([columns, rows]).expand(count, 2, SIDE, SIDE).contiguous()


def read_views(views):
    """Per view: zoom (> 1 enlarges), shift (x, y) in pixels, and whether it is mirrored."""
    centre = views[:, :, CENTRE, CENTRE]
    slope_x = views[:, 0, CENTRE, CENTRE + 1] - centre[:, 0]  # -1 / zoom if mirrored
    slope_y = views[:, 1, CENTRE + 1, CENTRE] - centre[:, 1]
    return 1 / slope_y, centre, slope_x < 0, slope_x.abs() - slope_y


def test_reading_the_ramps_gives_back_a_known_warp(nb):
    views = nb.warp_images(ramps(2), torch.tensor([1.25, 1.0]), torch.tensor([True, False]),
                           torch.tensor([[2.0, -1.0], [-3.0, 0.0]]))
    zooms, shifts, mirrored, _ = read_views(views)
    assert zooms.tolist() == pytest.approx([1.25, 1.0], abs=1e-4)
    assert torch.allclose(shifts, torch.tensor([[2.0, -1.0], [-3.0, 0.0]]), atol=1e-4)
    assert mirrored.tolist() == [True, False]


@pytest.mark.parametrize("mirror_probability", [0.0, 0.5, 1.0])
def test_random_views_enlarge_shift_both_ways_and_mirror_as_often_as_asked(nb, mirror_probability):
    count = 60
    views = nb.random_views(ramps(count), 3, 1.5, mirror_probability,
                            torch.Generator().manual_seed(0))
    zooms, shifts, mirrored, same_zoom_both_ways = read_views(views)
    assert (zooms >= 1 - 1e-4).all() and (zooms <= 1.5 + 1e-4).all(), zooms.min()
    assert zooms.max() > 1.2, "the zoom is drawn from 1 to max_zoom"
    assert same_zoom_both_ways.abs().max() < 1e-4
    assert torch.allclose(shifts, shifts.round(), atol=1e-4), "shifts are whole pixels"
    assert shifts.abs().max() <= 3 + 1e-4
    for axis in (0, 1):
        assert (shifts[:, axis] < -0.5).any() and (shifts[:, axis] > 0.5).any(), \
            "views are shifted both ways"
    share = mirrored.float().mean().item()
    if mirror_probability in (0.0, 1.0):
        assert share == mirror_probability
    else:
        assert 0.25 < share < 0.75


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


# ---- Finding faces: enough searches must agree -----------------------------------------------


def test_a_face_counts_only_when_enough_searches_find_it_near_the_largest(nb):
    found = [np.array(face, dtype=float) for face in
             [(100, 100, 50, 50), (104, 98, 54, 54), (102, 102, 52, 52), (300, 10, 20, 20)]]
    assert nb.agreeing_face(found, 3) == (102, 99, 52, 52)  # medians of the three near the largest
    assert nb.agreeing_face(found, 4) is None, "the small face elsewhere does not agree"
    two = [found[1], found[3]]
    assert nb.agreeing_face(two, 2) is None
    assert nb.agreeing_face(two, 1) == (104, 98, 54, 54)


# ---- Fetching the faces: a bad copy never becomes the data folder ----------------------------


def test_a_local_copy_with_one_photo_per_person_is_refused_and_leaves_nothing(nb, tmp_path,
                                                                              make_faces):
    source = make_faces(people=3, images=1)  # no person has the 2 photos a genuine pair needs
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, str(source), "http://127.0.0.1:9/att_faces.zip",
                           nb.ATT_FACES_MD5, olivetti_fallback=False)
    assert "at least 2 photos" in str(error.value)
    assert not data_dir.exists() and list(data_dir.parent.iterdir()) == []
