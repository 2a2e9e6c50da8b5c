"""The reader's own images at scale, and images that are not faces. The generated glyph
trees (tests/synthetic_tree.py) stand in for characters or signatures, whose mirror image is
another thing; the timing and memory of the large trees are measured by
tests/run_by_hand/measure_scale.py and recorded in tests/records/RESULTS.md, not here."""
import numpy as np
import pytest
import torch

from notebook_code import execute_notebook, read_metrics
from synthetic_tree import write_tree


def test_the_generated_measurement_tree_has_3000_images_of_150_classes(tmp_path):
    folder = write_tree(tmp_path / "glyphs", classes=150, images=20)
    classes = sorted(path for path in folder.iterdir() if path.is_dir())
    assert len(classes) == 150
    assert sum(len(list(c.glob("*.png"))) for c in classes) == 3000


def test_a_glyph_differs_from_its_mirror_image_more_than_from_another_image_of_it(tmp_path, nb):
    """The tree is a fair test of turning mirroring off: mirrored, a glyph is another glyph."""
    folder = write_tree(tmp_path / "glyphs", classes=20, images=2, seed=1)
    first, mirrored = [], []
    for glyph in sorted(folder.iterdir()):
        one = nb.photo_tensor(nb.open_photo(glyph / "1.png"), nb.IMAGE_SIZE)
        two = nb.photo_tensor(nb.open_photo(glyph / "2.png"), nb.IMAGE_SIZE)
        first.append((one - two).norm())
        mirrored.append((one - one.flip(-1)).norm())
    assert np.median(mirrored) > np.median(first)


@pytest.fixture(scope="module")
def glyph_run(tmp_path_factory):
    """One short run (1 epoch) on a generated tree of 40 classes x 6 glyph images, test classes
    drawn, mirroring off in training and comparison, and at most 30 photos per group measured."""
    root = tmp_path_factory.mktemp("glyph_run")
    folder = write_tree(root / "glyphs", classes=40, images=6, seed=2)
    output = execute_notebook(root / "out", DATA_DIR=str(folder), TEST_PEOPLE=None, EPOCHS=1,
                              N_MODELS=1, CALIBRATION_MODELS=1, ONE_SHOT_DRAWS=5,
                              SANITY_CHECKS=False, AUGMENT_MIRROR=0, COMPARE_MIRRORED=False,
                              EVALUATION_PHOTOS=30)
    return output


@pytest.mark.slow
def test_a_tree_that_is_not_faces_runs_to_the_end_without_mirroring(glyph_run):
    metrics = read_metrics(glyph_run)
    assert metrics["compare_mirrored"] is False
    assert len(metrics["test_people"]) == round(40 * 0.25)
    assert all(name.startswith("class_") for name in metrics["test_people"])
    assert 0.5 < metrics["methods"]["full_model"]["auc"] <= 1
    checkpoint = torch.load(glyph_run / "siamese_checkpoint.pt", weights_only=True)
    assert checkpoint["mirror"] is False and checkpoint["find_faces"] is False


@pytest.mark.slow
def test_a_large_test_group_is_measured_on_a_seeded_sample_of_each_class(glyph_run):
    """10 test classes x 6 photos, EVALUATION_PHOTOS = 30: 3 photos of every test class."""
    saved = np.load(glyph_run / "test_embeddings.npz")
    assert len(saved["embeddings"]) == 30
    assert np.array_equal(np.unique(saved["people"], return_counts=True)[1], np.full(10, 3))


def test_at_most_keeps_every_photo_under_the_limit_and_a_seeded_sorted_sample_over_it(nb):
    photos = np.arange(50) % 2 == 0  # 25 photos
    assert np.array_equal(nb.at_most(photos, 25, 0), np.flatnonzero(photos))
    sample = nb.at_most(photos, 10, 0)
    assert len(sample) == 10 and len(set(sample)) == 10 and photos[sample].all()
    assert np.array_equal(sample, np.sort(sample))
    assert np.array_equal(sample, nb.at_most(photos, 10, 0))
    assert not np.array_equal(sample, nb.at_most(photos, 10, 1))


def test_the_default_test_people_on_another_tree_say_how_to_draw_them(nb):
    """With only DATA_DIR set, the AT&T default TEST_PEOPLE names no folder: the message says how
    to draw test classes instead (papermill's -y 'TEST_PEOPLE: null') or name some."""
    names = [f"class_{number:03d}" for number in range(1, 21)]
    person_ids = np.repeat(np.arange(20), 4)
    with pytest.raises(ValueError) as refused:
        nb.split_people(names, person_ids, nb.TEST_PEOPLE, 0)
    message = str(refused.value)
    assert "TEST_PEOPLE: null" in message and "class_001" in message
    tested, validation, training, _ = nb.split_people(names, person_ids, None, 0)
    assert len(tested) == 5 and not set(tested) & (set(validation) | set(training))
