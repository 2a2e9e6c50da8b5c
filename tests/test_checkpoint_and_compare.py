"""The checkpoint that compare() reads, and compare() itself."""
import pytest
import torch


@pytest.fixture
def checkpoint(nb, small_network, tmp_path):
    """A checkpoint of two untrained networks, in the notebook's format (section 10)."""
    path = tmp_path / "siamese_checkpoint.pt"
    torch.save({"networks": [small_network(0).state_dict(), small_network(1).state_dict()],
                "normalise": True, "mirror": True, "image_size": list(nb.IMAGE_SIZE),
                "threshold": 0.5}, path)
    return path


def test_compare_finds_a_photo_the_same_as_itself(nb, faces, checkpoint):
    distance, same = nb.compare(faces / "s1" / "1.pgm", faces / "s1" / "1.pgm", checkpoint)
    assert distance == pytest.approx(0, abs=1e-4) and same


def test_compare_uses_every_network_and_the_saved_threshold(nb, faces, checkpoint, small_network):
    a, b = faces / "s1" / "1.pgm", faces / "s2" / "1.pgm"
    distance, _ = nb.compare(a, b, checkpoint)
    photos = torch.stack([nb.photo_tensor(nb.open_photo(p), nb.IMAGE_SIZE) for p in (a, b)])
    expected = nb.embed_ensemble([small_network(0), small_network(1)], photos, mirror=True)
    assert distance == pytest.approx(float((expected[0] - expected[1]).norm()), rel=1e-4)
    saved = torch.load(checkpoint, weights_only=True)
    for threshold in (distance - 0.01, distance + 0.01):
        torch.save({**saved, "threshold": threshold}, checkpoint)
        assert nb.compare(a, b, checkpoint)[1] == (distance <= threshold)


def test_compare_says_what_is_missing(nb, faces, tmp_path, checkpoint):
    with pytest.raises(FileNotFoundError, match="run the notebook first"):
        nb.compare(faces / "s1" / "1.pgm", faces / "s1" / "2.pgm", tmp_path / "none.pt")
    (tmp_path / "photo.jpg").write_text("not an image")
    with pytest.raises(ValueError, match="photo.jpg"):
        nb.compare(tmp_path / "photo.jpg", faces / "s1" / "2.pgm", checkpoint)
