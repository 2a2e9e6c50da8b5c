"""The threshold rule and the calibration split that the full model's numbers rest on (section 9.3),
on small hand-made inputs where the right answer is known."""

import ast
import json

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from notebook_code import NOTEBOOK


def pairs(distances, same):
    """(distances, same) arrays of a set of pairs."""
    return np.array(distances, dtype=float), np.array(same, dtype=bool)


def test_the_rule_used_is_the_mean_of_the_left_out_and_training_thresholds(nb):
    # left out: genuine pairs at 0.2-0.4, impostors at 0.6-0.8, so the best threshold is 0.4;
    # training: genuine at 0.1-0.2, impostors at 1.0-1.2, so the best threshold is 0.2
    left_out = [pairs([0.2, 0.3, 0.6, 0.7], [1, 1, 0, 0]), pairs([0.4, 0.8], [1, 0])]
    training = pairs([0.1, 0.2, 1.0, 1.1, 1.2], [1, 1, 0, 0, 0])
    rules = nb.threshold_rules(left_out, training)
    assert rules["from the left-out people"] == pytest.approx(0.4)
    assert rules["from the training pairs"] == pytest.approx(0.2)
    assert rules[nb.USED_RULE] == pytest.approx(0.3)


def test_the_left_out_half_pools_every_group_and_the_training_half_uses_only_training_pairs(nb):
    # alone, the first group puts the threshold at 0.3 and the second at 0.7; pooled, it is 0.5
    left_out = [
        pairs([0.3, 0.35, 0.6, 0.65], [1, 0, 0, 0]),
        pairs([0.7, 0.5, 0.45, 0.8], [1, 1, 1, 0]),
    ]
    training = pairs([0.9, 1.5], [1, 0])
    rules = nb.threshold_rules(left_out, training)
    assert rules["from the left-out people"] == pytest.approx(0.5)
    assert rules["from the training pairs"] == pytest.approx(0.9)
    assert rules[nb.USED_RULE] == pytest.approx(0.7)


def test_the_rules_read_each_group_with_its_own_calibration_network(nb, monkeypatch):
    """Group k's pairs come from calibration network k; the training pairs from the model, on
    every photo of the people not tested or, beyond THRESHOLD_PHOTOS, a seeded sample of them."""
    person_ids = np.repeat(np.arange(6), 2)  # 6 people, 2 photos each
    images = np.arange(12)
    calls = []

    def distances_by(networks, photos, zooms, mirror):
        calls.append((tuple(networks), tuple(photos.tolist())))
        return pdist(photos[:, None].astype(float))

    monkeypatch.setattr(nb, "model_distances", distances_by)
    monkeypatch.setattr(nb, "ONE_SHOT_DRAWS", 3)
    groups = [np.array([0, 1]), np.array([2, 3])]
    is_test = np.isin(person_ids, [4, 5])
    arguments = (["model"], ["calibration 0", "calibration 1"], images, person_ids, groups,
                 is_test, ([1.0], False))
    nb.evaluate_networks(*arguments)
    assert calls[0] == (("calibration 0",), (0, 1, 2, 3))
    assert calls[1] == (("calibration 1",), (4, 5, 6, 7))
    assert calls[2] == (("model",), tuple(range(8)))  # every photo of the people not tested
    assert calls[3] == (("model",), (8, 9, 10, 11)) and len(calls) == 4  # the test photos
    monkeypatch.setattr(nb, "THRESHOLD_PHOTOS", 5)
    samples = []
    for _ in range(2):
        calls.clear()
        nb.evaluate_networks(*arguments)
        samples.append(calls[2])
    assert samples[0] == samples[1] and samples[0][0] == ("model",)
    sample = samples[0][1]
    assert len(sample) == 5 and list(sample) == sorted(set(sample)) and max(sample) < 8


@pytest.mark.parametrize("count", [1, 2, 3])
def test_left_out_groups_are_the_validation_people_then_the_next_people_without_overlap(nb, count):
    validation = np.array([7, 3])
    others = np.array([3, 7, 0, 5, 9, 2, 8, 1])  # seeded order: the validation people first
    groups = nb.left_out_groups(validation, others, count)
    assert len(groups) == count and [len(g) for g in groups] == [2] * count
    assert groups[0].tolist() == [3, 7]
    flat = np.concatenate(groups)
    assert len(set(flat.tolist())) == len(flat)  # no person left out twice while any is left
    assert set(flat.tolist()) == set(others[: 2 * count].tolist())


def test_left_out_groups_cover_every_other_person_once_they_wrap_around(nb):
    others = np.array([4, 1, 6, 0, 2, 5])
    groups = nb.left_out_groups(np.array([1, 4]), others, 3)
    assert sorted(np.concatenate(groups).tolist()) == sorted(others.tolist())


def calibration_loop():
    """The notebook's own loop that trains the calibration networks (section 9.3), compiled: it is
    top-level code of its cell, which load_notebook_code does not run."""
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "calibration_networks.append(" in source:
            loops = [node for node in ast.parse(source).body if isinstance(node, ast.For)
                     and "calibration_networks.append(" in ast.unparse(node)]
            assert len(loops) == 1
            return compile(ast.Module(body=loops, type_ignores=[]), str(NOTEBOOK), "exec")
    raise AssertionError("no cell of the notebook trains the calibration networks")


def test_no_calibration_network_trains_on_a_person_of_its_left_out_group(nb):
    person_ids = np.repeat(np.arange(8), 3)
    trained = []

    def train_network(images, person_ids, seed, watch=None, name="network"):
        trained.append((images.tolist(), person_ids.tolist(), seed))
        return f"network {len(trained)}", {}, 1.0

    groups = [np.array([3, 4]), np.array([2, 5]), np.array([6, 7])]  # the first: the core's
    names = {**vars(nb), "train_network": train_network, "print": lambda *a, **k: None,
             "images": np.arange(24) * 10, "person_ids": person_ids, "SEED": 7,
             "person_names": [f"s{n + 1}" for n in range(8)], "groups_left_out": groups,
             "is_test": np.isin(person_ids, [0, 1]), "calibration_networks": ["core network"],
             "calibration_seconds": 0.0}
    exec(calibration_loop(), names)
    assert names["calibration_networks"] == ["core network", "network 1", "network 2"]
    assert names["calibration_seconds"] == 2.0
    assert [seed for *_, seed in trained] == [8, 9]  # SEED + k
    for (images, ids, _), group in zip(trained, groups[1:]):
        assert sorted(set(ids)) == sorted(set(range(2, 8)) - set(group.tolist())), group
        assert images == [10 * photo for photo in np.flatnonzero(np.isin(person_ids, ids))]


def test_the_full_model_is_measured_on_the_test_people_at_the_mean_rule(nb, monkeypatch):
    """evaluate_networks uses the rule's mean threshold, not one of its halves, and measures the
    model's own distances of the test photos."""
    rules = {nb.USED_RULE: 0.3, "from the left-out people": 0.5, "from the training pairs": 0.1}
    monkeypatch.setattr(nb, "threshold_rules", lambda *arguments: rules)
    monkeypatch.setattr(nb, "ONE_SHOT_DRAWS", 3)
    calls = []

    def distances_by(networks, photos, zooms, mirror):
        calls.append((tuple(networks), photos.tolist()))
        return pdist(photos[:, None])

    monkeypatch.setattr(nb, "model_distances", distances_by)
    person_ids = np.repeat(np.arange(6), 2)  # 6 people, 2 photos each; 4 and 5 are tested
    images = person_ids + np.tile([0.0, 0.4], 6)  # the pixels are the embedding
    is_test = np.isin(person_ids, [4, 5])
    groups = [np.array([0, 1])]
    measures, returned, distances = nb.evaluate_networks(
        ["model"], ["calibration"], images, person_ids, groups, is_test, ([1.0], False))
    assert calls[-1] == (("model",), [4.0, 4.4, 5.0, 5.4])  # the test photos, measured last
    assert np.allclose(distances, pdist(np.array([[4.0], [4.4], [5.0], [5.4]])))
    assert returned == rules and measures["threshold"] == 0.3
    # genuine pairs at 0.4, impostors at 0.6 and more: at 0.3 every pair is called different
    assert measures["balanced_accuracy"] == 0.5 and measures["auc"] == 1.0
