"""The loss follows Hadsell et al. (Y = 0 genuine), the twins share weights, and compare() fails clearly."""
import pytest
import torch

SMALL = dict(channels=[4, 8, 8, 8], hidden_units=16, embedding_dim=8)


def test_contrastive_loss_convention(nb):
    loss = nb.ContrastiveLoss(margin=1.4, reduction="none")
    origin = torch.zeros(4, 2)
    points = torch.tensor([[1.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.5, 0.0]])
    labels = torch.tensor([0.0, 1.0, 1.0, 1.0])  # genuine, impostor, impostor beyond the margin, impostor
    expected = torch.tensor([0.5 * 1.0 ** 2, 0.5 * 0.4 ** 2, 0.0, 0.5 * 0.9 ** 2])
    assert torch.allclose(loss(origin, points, labels), expected)
    assert nb.ContrastiveLoss(1.4)(origin, points, labels).item() == pytest.approx(float(expected.mean()))


def test_all_pairs_labels_impostors_one(nb):
    embeddings = torch.arange(8.0).reshape(4, 2)
    first, second, labels = nb.all_pairs(embeddings, torch.tensor([1, 1, 2, 2]))
    assert labels.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    assert first.shape == second.shape == (6, 2)


def test_twins_share_weights_and_embed_to_unit_length(nb):
    torch.manual_seed(0)
    model = nb.SiameseNetwork(**SMALL).eval()
    images = torch.randn(3, 1, *nb.IMAGE_SIZE)
    first, second = model(images, images)
    assert torch.equal(first, second)
    assert torch.allclose(first.norm(dim=1), torch.ones(3))
    assert first.shape == (3, SMALL["embedding_dim"])
    assert any(isinstance(layer, torch.nn.ReflectionPad2d) for layer in model.cnn)
    assert any(isinstance(layer, torch.nn.BatchNorm2d) for layer in model.cnn)


def test_ensemble_concatenates_unit_embeddings(nb):
    torch.manual_seed(0)
    networks = [nb.SiameseNetwork(**SMALL).eval() for _ in range(3)]
    ensemble = nb.SiameseEnsemble(networks).eval()
    images = torch.randn(2, 1, *nb.IMAGE_SIZE)
    combined = ensemble.forward_once(images)
    assert combined.shape == (2, 3 * SMALL["embedding_dim"])
    assert torch.allclose(combined.norm(dim=1), torch.ones(2))
    assert torch.allclose(combined[:, :SMALL["embedding_dim"]] * 3 ** 0.5, networks[0].forward_once(images))


def test_device_is_cuda_then_mps_then_cpu(nb, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert nb.pick_device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert nb.pick_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert nb.pick_device().type == "cpu"


@pytest.fixture
def checkpoint(nb, tmp_path):
    """A small trained-looking network saved the way the notebook saves it, with a threshold."""
    torch.manual_seed(0)
    path = tmp_path / "checkpoint.pt"
    ensemble = nb.SiameseEnsemble([nb.SiameseNetwork(**SMALL), nb.SiameseNetwork(**SMALL)])
    nb.save_checkpoint(ensemble, path, SMALL, nb.IMAGE_SIZE, threshold=0.5)
    return path


def test_compare_two_images(nb, checkpoint, real_faces):
    same_file = nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s1" / "1.pgm", checkpoint)
    assert same_file[0] == pytest.approx(0.0, abs=1e-5) and same_file[1]
    distance, same = nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s2" / "1.pgm", checkpoint)
    assert isinstance(distance, float) and distance > 0 and same == (distance <= 0.5)


def test_compare_missing_file(nb, checkpoint, real_faces, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No image file at .*missing\.png\. Check the path\."):
        nb.compare(real_faces / "s1" / "1.pgm", tmp_path / "missing.png", checkpoint)


def test_compare_unreadable_file(nb, checkpoint, real_faces, tmp_path):
    broken = tmp_path / "face.jpg"
    broken.write_text("not a JPEG")
    with pytest.raises(nb.FaceDataError, match=r"Cannot read the image .*face\.jpg"):
        nb.compare(broken, real_faces / "s1" / "1.pgm", checkpoint)


def test_missing_checkpoint(nb, real_faces, tmp_path):
    with pytest.raises(FileNotFoundError, match="No checkpoint at .*Run the training section first"):
        nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s1" / "2.pgm", tmp_path / "none.pt")


def test_weights_that_do_not_fit_the_network(nb, tmp_path, real_faces):
    path = tmp_path / "mismatch.pt"
    other = nb.SiameseEnsemble([nb.SiameseNetwork(**{**SMALL, "embedding_dim": 4})])
    torch.save({"state_dict": other.state_dict(), "architecture": SMALL, "n_models": 1,
                "image_size": nb.IMAGE_SIZE, "threshold": 0.5}, path)
    with pytest.raises(ValueError, match=r"The weights in .*mismatch\.pt do not fit 1 network\(s\) of .*size mismatch"):
        nb.compare(real_faces / "s1" / "1.pgm", real_faces / "s1" / "2.pgm", path)


def test_bare_state_dict_is_not_a_checkpoint(nb, tmp_path):
    path = tmp_path / "bare.pt"
    torch.save(nb.SiameseNetwork(**SMALL).state_dict(), path)
    with pytest.raises(ValueError, match="is not a checkpoint written by this notebook: it lacks the state_dict"):
        nb.load_checkpoint(path)


class Payload:
    """An arbitrary Python object: weights_only=True must refuse to unpickle it."""


def test_checkpoint_with_code_objects_is_refused(nb, tmp_path):
    path = tmp_path / "unsafe.pt"
    torch.save({"state_dict": {}, "architecture": SMALL, "n_models": 1, "image_size": nb.IMAGE_SIZE,
                "extra": Payload()}, path)
    with pytest.raises(ValueError, match=r"is not a checkpoint written by this notebook \(UnpicklingError\)"):
        nb.load_checkpoint(path)


def test_warp_images_mirrors_shifts_and_zooms(nb):
    images = torch.randn(3, 1, *nb.IMAGE_SIZE)
    assert torch.allclose(nb.warp_images(images, 1.0), images, atol=1e-5)
    mirrored = nb.warp_images(images, 1.0, mirror=torch.tensor([True, False, True]))
    assert torch.allclose(mirrored[0], images[0].flip(-1), atol=1e-5)
    assert torch.allclose(mirrored[1], images[1], atol=1e-5)
    # a shift of (x, y) = (2, 1) pixels reads each output pixel from 2 columns right and 1 row down
    shifted = nb.warp_images(images, 1.0, mirror=torch.tensor([False] * 3), shifts=torch.tensor([[2.0, 1.0]] * 3))
    assert torch.allclose(shifted[:, :, 5:-5, 5:-5], images[:, :, 6:-4, 7:-3], atol=1e-5)
    # zooming in by 2 shows the central half of the image: the centre pixel stays, corners come closer
    ramp = torch.arange(nb.IMAGE_SIZE[1], dtype=torch.float32).expand(1, 1, *nb.IMAGE_SIZE).contiguous()
    zoomed = nb.warp_images(ramp, 2.0)
    centre = (nb.IMAGE_SIZE[1] - 1) / 2
    assert torch.allclose(zoomed[0, 0, 0] - centre, (ramp[0, 0, 0] - centre) / 2, atol=1e-4)


def test_random_views_are_seeded_and_zoom_only_in(nb):
    images = torch.randn(6, 1, *nb.IMAGE_SIZE)
    first = nb.random_views(images, 3, 1.3, torch.Generator().manual_seed(1))
    again = nb.random_views(images, 3, 1.3, torch.Generator().manual_seed(1))
    assert torch.equal(first, again) and first.shape == images.shape
    assert not torch.allclose(first, images)
    plain = nb.random_views(images, 0, 1.0, torch.Generator().manual_seed(1))
    assert all(torch.allclose(v, x, atol=1e-5) or torch.allclose(v, x.flip(-1), atol=1e-5)
               for v, x in zip(plain, images))


def test_feature_distances_search_views_and_average_networks(nb):
    import numpy as np
    # two images, two networks, two views each, 2-D embeddings
    first = np.array([[[[0.0, 0.0], [3.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]])
    second = np.array([[[[6.0, 0.0], [3.0, 4.0]], [[0.0, 2.0], [0.0, 6.0]]]])
    # network 1: closest views (3,0)-(6,0) at 3; network 2: (0,0)-(0,2) at 2 -> sqrt((9 + 4) / 2)
    assert nb.feature_distances(first, second)[0, 0] == pytest.approx(6.5 ** 0.5)
    vectors = np.random.default_rng(0).normal(size=(5, 3))
    from scipy.spatial.distance import cdist, pdist
    assert np.allclose(nb.feature_distances(vectors, vectors), cdist(vectors, vectors))
    distances, genuine = nb.pair_distances(vectors, np.array([1, 1, 2, 2, 3]))
    assert np.allclose(distances, pdist(vectors)) and genuine.tolist() == [True] + [False] * 6 + [True, False, False]


def test_embed_at_scales_keeps_networks_and_zooms_apart(nb):
    torch.manual_seed(0)
    networks = [nb.SiameseNetwork(**SMALL).eval() for _ in range(2)]
    images = torch.randn(3, 1, *nb.IMAGE_SIZE)
    features = nb.embed_at_scales(nb.SiameseEnsemble(networks), images, [1.0, 1.2])
    assert features.shape == (3, 2, 2, SMALL["embedding_dim"])
    assert torch.allclose(torch.from_numpy(features[:, 1, 0]), nb.embed(networks[1], images), atol=1e-6)
    assert not np_close(features[:, 0, 0], features[:, 0, 1])
    single = nb.embed_at_scales(networks[0], images, [1.0])
    assert single.shape == (3, 1, 1, SMALL["embedding_dim"])


def np_close(a, b):
    """True when two arrays are equal up to float32 rounding."""
    return torch.allclose(torch.as_tensor(a), torch.as_tensor(b), atol=1e-6)


def test_compare_uses_the_checkpoints_zooms(nb, tmp_path, real_faces):
    torch.manual_seed(0)
    ensemble = nb.SiameseEnsemble([nb.SiameseNetwork(**SMALL)])
    plain, searched = tmp_path / "plain.pt", tmp_path / "searched.pt"
    nb.save_checkpoint(ensemble, plain, SMALL, nb.IMAGE_SIZE, threshold=0.5)
    nb.save_checkpoint(ensemble, searched, SMALL, nb.IMAGE_SIZE, threshold=0.5, zooms=[0.8, 1.0, 1.2])
    assert torch.load(searched, weights_only=True)["zooms"] == [0.8, 1.0, 1.2]
    pair = (real_faces / "s1" / "1.pgm", real_faces / "s1" / "5.pgm")
    assert nb.compare(*pair, searched)[0] < nb.compare(*pair, plain)[0]  # the search can only bring a pair closer
