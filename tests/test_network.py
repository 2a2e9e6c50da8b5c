"""The loss follows Hadsell et al. (Y = 0 genuine), the twins share weights, the measures of section
7 are right on pairs whose answer is known, and compare() works and fails clearly."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageOps
from scipy.spatial.distance import cdist, pdist

SMALL = dict(channels=[4, 8, 8, 8], hidden_units=16, embedding_dim=8)


@pytest.fixture
def small(nb, monkeypatch):
    """Make the notebook's ARCHITECTURE small (save_checkpoint saves it); return a builder of
    networks of that architecture."""
    monkeypatch.setattr(nb, "ARCHITECTURE", {**nb.ARCHITECTURE, **SMALL})

    def build(seed=0):
        torch.manual_seed(seed)
        return nb.SiameseNetwork(**nb.ARCHITECTURE).eval()
    return build


# The contrastive loss

def test_contrastive_loss_convention(nb):
    origin = torch.zeros(5, 2)
    points = torch.tensor([[1.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.5, 0.0], [0.3, 0.4]])
    # genuine, impostor, beyond the margin, impostor, genuine
    same = torch.tensor([True, False, False, False, True])
    expected = torch.tensor([0.5 * 1.0 ** 2, 0.5 * 0.4 ** 2, 0.0, 0.5 * 0.9 ** 2, 0.5 * 0.5 ** 2])
    assert torch.allclose(nb.contrastive_loss(origin, points, same, margin=1.4), expected)


def test_contrastive_loss_pulls_genuine_pairs_together_and_pushes_impostors_apart(nb):
    second = torch.tensor([[0.6, 0.0]], requires_grad=True)
    for is_same, direction in ((True, 1), (False, -1)):
        second.grad = None
        nb.contrastive_loss(torch.zeros(1, 2), second, torch.tensor([is_same]),
                            margin=1.4).sum().backward()
        assert direction * second.grad[0, 0] > 0, \
            "gradient descent must move genuine pairs closer, impostors apart"


def test_contrastive_loss_accepts_labels_from_numpy(nb):
    same = torch.as_tensor(np.array([1, 1, 2]) == np.array([1, 2, 2]))
    losses = nb.contrastive_loss(torch.zeros(3, 2), torch.ones(3, 2), same, margin=2.0)
    assert losses.shape == (3,) and losses[0] == pytest.approx(1.0, abs=1e-5) and losses[1] > 0


def test_pair_labels_follow_pdist_order(nb):
    person_ids = np.array([1, 1, 2, 2, 3])
    # pdist order: (0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)
    assert nb.pair_labels(person_ids).tolist() == [True] + [False] * 6 + [True, False, False]
    points = person_ids[:, None].astype(float)  # the distance of a pair is 0 when genuine
    assert nb.pair_labels(person_ids).tolist() == (pdist(points) == 0).tolist()
    assert len(nb.pair_labels(np.array([4]))) == 0


# The network

def is_siamese(model, first, second, third):
    """True when model(a, b) embeds a and b with one and the same function, model.forward_once, and
    neither input is ignored; first, second and third are batches of different images."""
    with torch.no_grad():
        a, b = model(first, second)
        swapped_b, swapped_a = model(second, first)
        a_again, c = model(first, third)
        alone_a, alone_b, alone_c = (model.forward_once(x) for x in (first, second, third))
    close = lambda x, y: torch.allclose(x, y, atol=1e-6)
    # both inputs go through forward_once; swapping the inputs swaps the outputs; each output
    # depends on its input
    return (close(a, alone_a) and close(b, alone_b) and close(c, alone_c)
            and close(swapped_a, a) and close(swapped_b, b)
            and close(a_again, a) and not close(c, b) and not close(a, b))


def three_batches(nb):
    generator = torch.Generator().manual_seed(0)
    return [torch.randn(3, 1, *nb.IMAGE_SIZE, generator=generator) for _ in range(3)]


def test_twins_share_weights_and_use_both_inputs(nb, small):
    assert is_siamese(small(), *three_batches(nb))


def test_the_twin_check_rejects_broken_models(nb, small):
    class IgnoresSecond(nb.SiameseNetwork):
        def forward(self, first, second):
            return self.forward_once(first), self.forward_once(first)

    class IgnoresFirst(nb.SiameseNetwork):
        def forward(self, first, second):
            return self.forward_once(second), self.forward_once(second)

    class TwoBranches(nb.SiameseNetwork):
        """Two networks of their own weights, one per input."""

        def __init__(self):
            super().__init__(**SMALL)
            self.other = nb.SiameseNetwork(**SMALL)

        def forward(self, first, second):
            return self.forward_once(first), self.other.forward_once(second)

    batches = three_batches(nb)
    torch.manual_seed(0)
    for broken in (IgnoresSecond(**SMALL), IgnoresFirst(**SMALL), TwoBranches()):
        assert not is_siamese(broken.eval(), *batches), type(broken).__name__
    assert is_siamese(nb.SiameseNetwork(**SMALL).eval(), *batches)


def test_embeddings_have_unit_length_for_any_input_size(nb, small):
    network = small()
    for size in (nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE, [64, 64]):
        with torch.no_grad():
            embeddings = network.forward_once(torch.randn(3, 1, *size))
        assert embeddings.shape == (3, SMALL["embedding_dim"])
        assert torch.allclose(embeddings.norm(dim=1), torch.ones(3), atol=1e-6)


def test_network_pads_by_reflection_and_normalises_batches(nb, small):
    network = small()
    assert any(isinstance(layer, torch.nn.ReflectionPad2d) for layer in network.cnn)
    assert not any(isinstance(layer, torch.nn.Conv2d) and layer.padding != (0, 0)
                   for layer in network.cnn)
    assert (sum(isinstance(layer, torch.nn.BatchNorm2d) for layer in network.cnn)
            == len(SMALL["channels"]))


def test_seed_everything_makes_networks_and_draws_repeat(nb):
    nb.seed_everything(3)
    first, draw = nb.SiameseNetwork(**SMALL), np.random.rand()
    nb.seed_everything(3)
    second, again = nb.SiameseNetwork(**SMALL), np.random.rand()
    assert draw == again
    assert all(torch.equal(a, b)
               for a, b in zip(first.state_dict().values(), second.state_dict().values()))
    nb.seed_everything(4)
    assert not torch.equal(nb.SiameseNetwork(**SMALL).fc[1].weight, first.fc[1].weight)


def test_embed_is_forward_once_in_evaluation_mode_in_chunks(nb, small):
    network = small().train()
    images = torch.randn(300, 1, *nb.IMAGE_SIZE)  # more than one chunk of 256
    embeddings = nb.embed(network, images)
    assert not network.training and not embeddings.requires_grad and embeddings.device.type == "cpu"
    with torch.no_grad():
        assert torch.allclose(embeddings, network.forward_once(images), atol=1e-5)


# Random views and test-time views

def test_warp_images_mirrors_shifts_and_zooms(nb):
    images = torch.randn(3, 1, *nb.IMAGE_SIZE)
    assert torch.allclose(nb.warp_images(images, 1.0), images, atol=1e-5)
    mirrored = nb.warp_images(images, 1.0, mirror=torch.tensor([True, False, True]))
    assert torch.allclose(mirrored[0], images[0].flip(-1), atol=1e-5)
    assert torch.allclose(mirrored[1], images[1], atol=1e-5)
    # a shift of (x, y) = (2, 1) pixels reads each output pixel from 2 columns right and 1 row down
    shifted = nb.warp_images(images, 1.0, mirror=torch.tensor([False] * 3),
                             shifts=torch.tensor([[2.0, 1.0]] * 3))
    assert torch.allclose(shifted[:, :, 5:-5, 5:-5], images[:, :, 6:-4, 7:-3], atol=1e-5)
    # zooming in by 2 shows the central half of the image: the centre pixel stays, corners come
    # closer
    ramp = (torch.arange(nb.IMAGE_SIZE[1], dtype=torch.float32).expand(1, 1, *nb.IMAGE_SIZE)
            .contiguous())
    zoomed = nb.warp_images(ramp, 2.0)
    centre = (nb.IMAGE_SIZE[1] - 1) / 2
    assert torch.allclose(zoomed[0, 0, 0] - centre, (ramp[0, 0, 0] - centre) / 2, atol=1e-4)
    per_image = nb.warp_images(ramp.expand(2, -1, -1, -1), torch.tensor([1.0, 2.0]))
    assert (torch.allclose(per_image[0], ramp[0], atol=1e-5)
            and torch.allclose(per_image[1], zoomed[0], atol=1e-5))


def test_random_views_are_seeded_and_zoom_only_in(nb):
    images = torch.randn(6, 1, *nb.IMAGE_SIZE)
    first = nb.random_views(images, 3, 1.3, 0.5, torch.Generator().manual_seed(1))
    again = nb.random_views(images, 3, 1.3, 0.5, torch.Generator().manual_seed(1))
    other = nb.random_views(images, 3, 1.3, 0.5, torch.Generator().manual_seed(2))
    assert (torch.equal(first, again) and first.shape == images.shape
            and not torch.allclose(first, other))
    assert not torch.allclose(first, images)
    plain = nb.random_views(images, 0, 1.0, 0.5, torch.Generator().manual_seed(1))
    assert all(torch.allclose(v, x, atol=1e-4) or torch.allclose(v, x.flip(-1), atol=1e-4)
               for v, x in zip(plain, images))
    mirrored = sum(torch.allclose(v, x.flip(-1), atol=1e-4) for v, x in zip(plain, images))
    assert 0 < mirrored < len(images), "about half of the views are mirrored"


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
