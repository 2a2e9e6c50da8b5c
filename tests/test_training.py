"""Batches hold people x photos, the balanced loss weighs genuine and impostor pairs equally, and
train_network lowers the loss of the people it trains on."""
import numpy as np
import pytest
import torch

TINY = dict(channels=[4, 8], hidden_units=16, embedding_dim=8)
IDS = np.repeat(np.arange(40), 10)[:300]  # 30 people with 10 photos each


def batches_of(nb, person_ids, seed):
    return list(nb.person_batches(person_ids, torch.Generator().manual_seed(seed)))


@pytest.mark.parametrize("people, photos", [(30, 2), (10, 3), (4, 5)])
def test_person_batches_hold_people_by_photos(nb, monkeypatch, people, photos):
    monkeypatch.setattr(nb, "PEOPLE_PER_BATCH", people)
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", photos)
    batches = batches_of(nb, IDS, 0)
    assert len(batches) == len(IDS) // (people * photos)
    for batch in batches:
        assert len(batch) == people * photos and len(set(batch.tolist())) == people * photos
        chosen, counts = np.unique(IDS[batch], return_counts=True)
        assert len(chosen) == people and set(counts) == {photos}
    assert len(np.unique(np.concatenate(batches))) > people * photos, \
        "batches differ within an epoch"


def test_person_batches_take_everyone_when_there_are_fewer_people_than_a_batch(nb, monkeypatch):
    monkeypatch.setattr(nb, "PEOPLE_PER_BATCH", 30)
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", 2)
    person_ids = np.repeat([3, 7, 9, 12], 10)  # ids need not start at 0 or be consecutive
    batches = batches_of(nb, person_ids, 0)
    assert len(batches) == 40 // 8
    for batch in batches:
        assert (sorted(np.unique(person_ids[batch]).tolist()) == [3, 7, 9, 12]
                and len(set(batch.tolist())) == 8)


def test_person_batches_are_seeded_and_use_the_generator_alike(nb, monkeypatch):
    monkeypatch.setattr(nb, "PEOPLE_PER_BATCH", 10)
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", 2)
    first_generator, second_generator = (torch.Generator().manual_seed(4),
                                         torch.Generator().manual_seed(4))
    first, second = (list(nb.person_batches(IDS, first_generator)),
                     list(nb.person_batches(IDS, second_generator)))
    assert len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))
    assert torch.equal(first_generator.get_state(), second_generator.get_state())
    assert (torch.rand(3, generator=first_generator).tolist()
            == torch.rand(3, generator=second_generator).tolist())
    other = batches_of(nb, IDS, 5)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


class Given(torch.nn.Module):
    """A 'network' whose embedding of an image is the image itself: the embeddings are
    given directly."""

    def forward_once(self, images):
        return images


def test_balanced_loss_weighs_genuine_and_impostor_pairs_equally(nb):
    embeddings = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 0.5], [0.0, 3.0]])
    person_ids = np.array([0, 0, 1, 2])
    # genuine: (0, 1) at D = 1 -> 0.5; impostors: D = 0.5, 3, sqrt(1.25), sqrt(10), 2.5
    # -> only D < m count
    m = nb.MARGIN
    impostor = [0.5, 3.0, 1.25 ** 0.5, 10 ** 0.5, 2.5]
    expected = (0.5 + np.mean([0.5 * max(0.0, m - d) ** 2 for d in impostor])) / 2
    assert nb.balanced_loss(Given(), embeddings, person_ids) == pytest.approx(expected, rel=1e-5)
    more_strangers = torch.cat([embeddings, torch.tensor([[0.0, 4.0], [0.0, 5.0]])])
    assert nb.balanced_loss(Given(), more_strangers, np.array([0, 0, 1, 2, 3, 4])) > 0.25 - 1e-6, \
        "adding far-away impostor pairs must not drown the genuine pair"


@pytest.fixture(scope="module")
def few_people(nb, real_faces, tmp_path_factory):
    """The photos of 8 real AT&T people, 10 each, as loaded by the notebook."""
    import shutil
    folder = tmp_path_factory.mktemp("few") / "faces"
    for person in range(11, 19):
        shutil.copytree(real_faces / f"s{person}", folder / f"s{person}")
    images, _, person_ids, names, _, _ = nb.load_faces(folder, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert len(names) == 8 and len(images) == 80
    return images, person_ids


@pytest.fixture
def short_training(nb, monkeypatch):
    """A few epochs of small batches, for networks of a tiny ARCHITECTURE."""
    monkeypatch.setattr(nb, "EPOCHS", 4)
    monkeypatch.setattr(nb, "PEOPLE_PER_BATCH", 6)
    monkeypatch.setattr(nb, "IMAGES_PER_PERSON", 3)
    monkeypatch.setattr(nb, "ARCHITECTURE", {**nb.ARCHITECTURE, **TINY})


def test_training_lowers_the_loss_of_the_training_people(nb, few_people, short_training):
    images, person_ids = few_people
    nb.seed_everything(5)  # the network train_network starts from with seed 5
    untrained = nb.SiameseNetwork(**nb.ARCHITECTURE)
    watch = {"training people": (images, person_ids), "two of them": (images[:20], person_ids[:20])}
    network, history, seconds = nb.train_network(images, person_ids, seed=5, watch=watch)
    assert isinstance(network, nb.SiameseNetwork) and seconds >= 0
    assert [layer.out_channels for layer in network.cnn if isinstance(layer, torch.nn.Conv2d)] \
        == TINY["channels"], "the network is built from ARCHITECTURE"
    assert list(history) == list(watch)
    assert all(len(values) == nb.EPOCHS + 1 for values in history.values())
    losses = history["training people"]
    assert losses[0] == pytest.approx(nb.balanced_loss(untrained, images, person_ids), rel=1e-5), \
        "epoch 0: untrained"
    assert losses[-1] == pytest.approx(nb.balanced_loss(network, images, person_ids), rel=1e-5), \
        "last: trained"
    assert losses[-1] < losses[0]
    moved = [not torch.equal(a, b) for a, b in zip(network.parameters(), untrained.parameters())]
    assert all(moved), "every weight moves (not only batch normalisation's running averages)"


def test_training_without_watch_returns_an_empty_history_and_repeats_with_its_seed(
        nb, few_people, short_training, monkeypatch):
    monkeypatch.setattr(nb, "EPOCHS", 1)
    images, person_ids = few_people
    first, history, _ = nb.train_network(images, person_ids, seed=3)
    assert history == {}
    second, third = (nb.train_network(images, person_ids, seed=seed)[0] for seed in (3, 4))
    same = lambda a, b: all(torch.allclose(x.float(), y.float(), atol=1e-6)
                            for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert same(first, second) and not same(first, third)
