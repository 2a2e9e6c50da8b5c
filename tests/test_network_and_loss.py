"""The network, the contrastive loss (Y = 0 for a genuine pair), and one training run."""
import numpy as np
import pytest
import torch


def test_loss_follows_hadsell_with_y_zero_for_genuine_pairs(nb):
    origin = torch.zeros(3, 2)
    points = torch.tensor([[0.5, 0.0], [1.0, 0.0], [2.0, 0.0]])  # D = 0.5, 1, 2
    genuine = nb.contrastive_loss(origin, points, [True] * 3, margin=1.4)
    impostor = nb.contrastive_loss(origin, points, [False] * 3, margin=1.4)
    assert torch.allclose(genuine, torch.tensor([0.125, 0.5, 2.0]))
    assert torch.allclose(impostor, torch.tensor([0.405, 0.08, 0.0]))  # 0 beyond the margin


def test_branches_share_their_weights(nb, small_network):
    network = small_network()
    first, second = torch.randn(2, 3, 1, *nb.IMAGE_SIZE)
    with torch.no_grad():
        a, b = network(first, second)
        swapped_b, swapped_a = network(second, first)
        assert torch.allclose(a, network.forward_once(first), atol=1e-6)
        assert torch.allclose(a, swapped_a, atol=1e-6) and torch.allclose(b, swapped_b, atol=1e-6)


@pytest.mark.parametrize("normalise", [True, False])
def test_embeddings_have_length_one_only_when_normalised(nb, small_network, normalise):
    with torch.no_grad():
        embeddings = small_network(normalise=normalise).forward_once(
            torch.randn(4, 1, *nb.IMAGE_SIZE))
    assert embeddings.shape == (4, 64)
    assert torch.allclose(embeddings.norm(dim=1), torch.ones(4), atol=1e-5) == normalise


def test_network_has_the_layers_the_tutorial_names(small_network):
    kinds = {type(layer).__name__ for layer in small_network().modules()}
    assert {"ReflectionPad2d", "Conv2d", "ReLU", "BatchNorm2d", "Linear"} <= kinds


def test_mirror_embedding_is_the_mean_of_photo_and_mirror_image(nb, small_network):
    network, images = small_network(), torch.randn(3, 1, *nb.IMAGE_SIZE)
    with torch.no_grad():
        both = network.forward_once(images) + network.forward_once(images.flip(-1))
    assert torch.allclose(nb.embed(network, images, mirror=True),
                          torch.nn.functional.normalize(both, dim=1), atol=1e-5)
    mirrored = nb.embed(network, images.flip(-1), mirror=True)
    assert torch.allclose(nb.embed(network, images, mirror=True), mirrored, atol=1e-5)


def test_ensemble_distance_is_the_root_mean_square_of_the_networks(nb, small_network):
    networks, images = [small_network(0), small_network(1)], torch.randn(2, 1, *nb.IMAGE_SIZE)
    together = nb.embed_ensemble(networks, images, mirror=False)
    each = [nb.embed(network, images, mirror=False) for network in networks]
    squares = [float((e[0] - e[1]).norm() ** 2) for e in each]
    assert float((together[0] - together[1]).norm()) == pytest.approx(np.mean(squares) ** 0.5,
                                                                      rel=1e-4)


def test_every_pair_loss_averages_every_pair_labelled_by_person(nb):
    embeddings = torch.tensor([[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]])
    person_ids = np.array([7, 7, 3])  # pairs (0, 1) genuine at 0.5; (0, 2) and (1, 2) impostors
    m = nb.MARGIN
    expected = (0.5 * 0.5 ** 2 + 0.5 * max(0, m - 1.0) ** 2 + 0.5 * max(0, m - 0.5) ** 2) / 3
    assert nb.every_pair_loss(embeddings, person_ids).item() == pytest.approx(expected, rel=1e-5)


def test_batches_hold_the_chosen_people_and_photos(nb):
    person_ids = np.repeat(np.arange(40), 10)
    batches = list(nb.person_batches(person_ids, np.random.default_rng(0)))
    assert len(batches) == 400 // (nb.PEOPLE_PER_BATCH * nb.IMAGES_PER_PERSON)
    for batch in batches:
        people, counts = np.unique(person_ids[batch], return_counts=True)
        assert len(people) == nb.PEOPLE_PER_BATCH and set(counts) == {nb.IMAGES_PER_PERSON}


def test_random_views_differ_per_image_and_keep_the_shape(nb):
    torch.manual_seed(0)
    images = torch.randn(1, 1, *nb.IMAGE_SIZE).expand(4, -1, -1, -1)
    views = nb.random_views(images)
    assert views.shape == images.shape
    assert not torch.allclose(views[0], views[1])


def test_training_lowers_the_loss_and_repeats_with_its_seed(nb, monkeypatch, faces):
    monkeypatch.setattr(nb, "EPOCHS", 10)
    person_ids = np.repeat(np.arange(8), 4)
    images = torch.stack([nb.photo_tensor(nb.open_photo(faces / f"s{p + 1}" / f"{k + 1}.pgm"),
                                          nb.IMAGE_SIZE) for p in range(8) for k in range(4)])
    watch = {"training": (images, person_ids)}
    network, curves = nb.train_network(images, person_ids, 0, watch)
    again, _ = nb.train_network(images, person_ids, 0)
    nb.seed_everything(0)
    untrained = nb.SiameseNetwork(nb.NORMALISE_EMBEDDINGS)  # the same start as training's
    for name, weights in untrained.named_parameters():
        assert not torch.equal(weights, network.state_dict()[name]), f"{name} never moved"
    assert curves["training"][-1] < 0.7 * curves["training"][0]
    assert not network.training
    for a, b in zip(network.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)
