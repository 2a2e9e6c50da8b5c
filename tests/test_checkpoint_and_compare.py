"""The checkpoint and compare(): the saved model rebuilds the same networks, compare() follows its
threshold, zooms and mirroring, and a missing, unreadable or foreign file stops it clearly."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from notebook_code import SMALL


def test_with_mirroring_off_neither_the_training_views_nor_compare_mirror(nb, small, tmp_path,
                                                                         real_faces, monkeypatch):
    """Mirroring off: AUGMENT_MIRROR = 0 trains on views that are never mirrored, and a checkpoint
    saved with mirror=False makes compare() embed each photo alone, without its mirror image."""
    seen = []

    class Recording(nb.SiameseNetwork):
        def forward_once(self, images):
            if self.training:  # the random views of a training batch
                seen.extend(images.detach().cpu())
            return super().forward_once(images)

    for name, value in (("EPOCHS", 2), ("PEOPLE_PER_BATCH", 3), ("IMAGES_PER_PERSON", 2),
                        ("AUGMENT_SHIFT", 0), ("AUGMENT_ZOOM", 1.0), ("SiameseNetwork", Recording)):
        monkeypatch.setattr(nb, name, value)
    images, person_ids = torch.randn(9, 1, *nb.IMAGE_SIZE), np.repeat(np.arange(3), 3)
    among = lambda view, photos: any(torch.allclose(view, x, atol=1e-4) for x in photos)
    for probability, mirrored in ((0.0, False), (1.0, True)):
        seen.clear()
        monkeypatch.setattr(nb, "AUGMENT_MIRROR", probability)
        nb.train_network(images, person_ids, seed=0)
        assert len(seen) == 2 * 6, "two epochs of one batch of 3 people x 2 photos"
        assert all(among(view, images.flip(-1) if mirrored else images) for view in seen)
        assert not any(among(view, images if mirrored else images.flip(-1)) for view in seen), \
            f"AUGMENT_MIRROR = {probability}: a view was {'not ' if mirrored else ''}mirrored"

    photo = tmp_path / "photo.png"
    with Image.open(real_faces / "s1" / "1.pgm") as face:
        face.save(photo)
        ImageOps.mirror(face).save(tmp_path / "mirror.png")
    network, distances = small(), {}
    for mirror in (True, False):
        nb.save_checkpoint([network], tmp_path / f"{mirror}.pt", 2.0, [1.0], False, mirror=mirror)
        distances[mirror] = nb.compare(photo, tmp_path / "mirror.png", tmp_path / f"{mirror}.pt")[0]
    assert distances[True] == pytest.approx(0.0, abs=1e-5)
    inputs = torch.stack([nb.photo_tensor(nb.open_photo(path), nb.IMAGE_SIZE)
                          for path in (photo, tmp_path / "mirror.png")])
    alone = nb.embed(network, inputs)
    assert distances[False] == pytest.approx(float((alone[0] - alone[1]).norm()), abs=1e-5)
    assert distances[False] > 1e-3, "without mirroring a photo and its mirror image differ"


# Saving, loading and comparing

@pytest.fixture
def checkpoint(nb, tmp_path, small):
    """Two small networks saved the way the notebook saves them, with threshold 0.5 and
    no search."""
    path = tmp_path / "checkpoint.pt"
    nb.save_checkpoint([small(0), small(1)], path, threshold=0.5, zooms=[1.0], find_faces=False)
    return path


def test_checkpoint_rebuilds_the_same_networks(nb, tmp_path, small):
    networks = [small(0), small(1)]
    path = tmp_path / "deep" / "folder" / "model.pt"
    nb.save_checkpoint(networks, path, threshold=0.7, zooms=[0.9, 1.0], find_faces=True)
    loaded, settings = nb.load_model(path)
    assert len(loaded) == 2 and settings["threshold"] == 0.7 and settings["zooms"] == [0.9, 1.0]
    assert settings["find_faces"] is True and settings["image_size"] == list(nb.IMAGE_SIZE)
    images = torch.randn(2, 1, *nb.IMAGE_SIZE)
    for original, rebuilt in zip(networks, loaded):
        assert torch.allclose(nb.embed(original, images), nb.embed(rebuilt, images), atol=1e-6)


def test_compare_two_images(nb, checkpoint, real_faces):
    same_file = nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s1" / "1.pgm", checkpoint)
    assert same_file[0] == pytest.approx(0.0, abs=1e-5) and same_file[1]
    distance, same = nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s2" / "1.pgm",
                                checkpoint)
    assert isinstance(distance, float) and distance > 0 and same == (distance <= 0.5)
    swapped = nb.compare(real_faces / "s2" / "1.pgm", real_faces / "s1" / "1.pgm", checkpoint)[0]
    assert swapped == pytest.approx(distance, abs=1e-6)


def test_compare_follows_the_saved_threshold(nb, tmp_path, small, real_faces):
    pair = (real_faces / "s1" / "1.pgm", real_faces / "s2" / "1.pgm")
    verdicts = {}
    for threshold in (0.0, 2.0):
        nb.save_checkpoint([small()], tmp_path / f"{threshold}.pt", threshold, [1.0], False)
        verdicts[threshold] = nb.compare(*pair, tmp_path / f"{threshold}.pt")[1]
    assert verdicts == {0.0: False, 2.0: True}


def test_compare_uses_the_checkpoint_path_parameter_by_default(nb, checkpoint, real_faces,
                                                               monkeypatch):
    monkeypatch.setattr(nb, "CHECKPOINT_PATH", checkpoint)
    pair = (real_faces / "s1" / "1.pgm", real_faces / "s2" / "1.pgm")
    assert nb.compare(*pair) == nb.compare(*pair, checkpoint)


def test_compare_missing_file(nb, checkpoint, real_faces, tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        nb.compare(real_faces / "s1" / "1.pgm", tmp_path / "missing.png", checkpoint)
    assert str(tmp_path / "missing.png") in str(error.value)


def test_compare_unreadable_file(nb, checkpoint, real_faces, tmp_path):
    broken = tmp_path / "face.jpg"
    broken.write_text("not a JPEG")
    with pytest.raises(nb.FaceDataError) as error:
        nb.compare(broken, real_faces / "s1" / "1.pgm", checkpoint)
    assert str(broken) in str(error.value)


def test_missing_checkpoint(nb, real_faces, tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s1" / "2.pgm", tmp_path / "none.pt")
    assert str(tmp_path / "none.pt") in str(error.value)


def test_weights_that_do_not_fit_the_network(nb, tmp_path, real_faces, small):
    path = tmp_path / "mismatch.pt"
    other = nb.SiameseNetwork(**{**SMALL, "embedding_dim": 4})
    torch.save({"networks": [other.state_dict()], "architecture": SMALL,
                "image_size": list(nb.IMAGE_SIZE), "threshold": 0.5, "zooms": [1.0],
                "find_faces": False}, path)
    with pytest.raises(ValueError) as error:
        nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s1" / "2.pgm", path)
    assert str(path) in str(error.value) and "save_checkpoint" in str(error.value)


def test_bare_state_dict_is_not_a_checkpoint(nb, tmp_path):
    path = tmp_path / "bare.pt"
    torch.save(nb.SiameseNetwork(**SMALL).state_dict(), path)
    with pytest.raises(ValueError) as error:
        nb.load_model(path)
    assert str(path) in str(error.value) and "'networks'" in str(error.value)


def test_file_that_is_not_a_checkpoint_at_all(nb, tmp_path):
    path = tmp_path / "photo.pt"
    path.write_bytes(b"\x89PNG not a checkpoint")
    with pytest.raises(ValueError) as error:
        nb.load_model(path)
    assert str(path) in str(error.value)


UNPICKLED = []


class Payload:
    """An arbitrary Python object: weights_only=True must refuse to unpickle it, so its code
    never runs."""

    def __init__(self):
        self.armed = True

    def __setstate__(self, state):
        UNPICKLED.append(state)


def test_checkpoint_with_code_objects_is_refused(nb, tmp_path):
    path = tmp_path / "unsafe.pt"
    torch.save({"networks": [], "architecture": SMALL, "image_size": list(nb.IMAGE_SIZE),
                "threshold": 0.5, "zooms": [1.0], "find_faces": False, "extra": Payload()}, path)
    torch.load(path, weights_only=False)
    assert UNPICKLED, "the payload runs code when unpickled without weights_only"
    UNPICKLED.clear()
    with pytest.raises(ValueError) as error:
        nb.load_model(path)
    assert str(path) in str(error.value) and UNPICKLED == []


def test_searching_over_zooms_can_only_bring_a_pair_closer(nb, tmp_path, small, real_faces):
    networks = [small(0), small(1)]
    plain, searched = tmp_path / "plain.pt", tmp_path / "searched.pt"
    nb.save_checkpoint(networks, plain, 0.5, [1.0], False)
    nb.save_checkpoint(networks, searched, 0.5, [0.8, 0.9, 1.0, 1.1, 1.2], False)
    pairs = [("s1/1.pgm", "s1/5.pgm"), ("s1/1.pgm", "s2/1.pgm"), ("s3/2.pgm", "s3/7.pgm"),
             ("s4/1.pgm", "s9/3.pgm")]
    closer = 0
    for a, b in pairs:
        with_search = nb.compare(real_faces / a, real_faces / b, searched)[0]
        without = nb.compare(real_faces / a, real_faces / b, plain)[0]
        assert with_search <= without + 1e-6
        closer += with_search < without - 1e-6
    assert closer > 0, "the search must actually look at other zooms"
