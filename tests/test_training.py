"""Training: batches hold people x photos and over an epoch draw from everyone, random views zoom
in only, shift both ways and mirror as often as asked, the balanced loss weighs genuine and impostor
pairs equally, training and the loss curves use the MARGIN of the moment, and train_network lowers
the loss of the people it trains on."""
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


def test_training_and_the_loss_curves_use_the_margin_of_the_moment(nb, monkeypatch):
    seen = []
    loss = nb.contrastive_loss

    def spy(first, second, same, margin):
        seen.append(margin)
        return loss(first, second, same, margin)

    monkeypatch.setattr(nb, "contrastive_loss", spy)
    monkeypatch.setattr(nb, "EPOCHS", 1)
    monkeypatch.setattr(nb, "MARGIN", 0.7)  # as if the parameters cell had been changed and rerun
    images = torch.randn(12, 1, *nb.IMAGE_SIZE)
    person_ids = np.repeat(np.arange(4), 3)
    monkeypatch.setattr(nb, "ARCHITECTURE", {**nb.ARCHITECTURE, "channels": [4, 8],
                                             "hidden_units": 8, "embedding_dim": 4})  # small
    nb.train_network(images, person_ids, seed=0, watch={"all": (images, person_ids)})
    assert seen and set(seen) == {0.7}


# Random views and test-time views

def test_warp_images_mirrors_shifts_and_zooms(nb):
    torch.manual_seed(0)  # grid_sample reads back a pixel to about 2e-5, whatever the seed
    images = torch.randn(3, 1, *nb.IMAGE_SIZE)
    assert torch.allclose(nb.warp_images(images, 1.0), images, atol=1e-4)
    mirrored = nb.warp_images(images, 1.0, mirror=torch.tensor([True, False, True]))
    assert torch.allclose(mirrored[0], images[0].flip(-1), atol=1e-4)
    assert torch.allclose(mirrored[1], images[1], atol=1e-4)
    # a shift of (x, y) = (2, 1) pixels reads each output pixel from 2 columns right and 1 row down
    shifted = nb.warp_images(images, 1.0, mirror=torch.tensor([False] * 3),
                             shifts=torch.tensor([[2.0, 1.0]] * 3))
    assert torch.allclose(shifted[:, :, 5:-5, 5:-5], images[:, :, 6:-4, 7:-3], atol=1e-4)
    # zooming in by 2 shows the central half of the image: the centre pixel stays, corners come
    # closer
    ramp = (torch.arange(nb.IMAGE_SIZE[1], dtype=torch.float32).expand(1, 1, *nb.IMAGE_SIZE)
            .contiguous())
    zoomed = nb.warp_images(ramp, 2.0)
    centre = (nb.IMAGE_SIZE[1] - 1) / 2
    assert torch.allclose(zoomed[0, 0, 0] - centre, (ramp[0, 0, 0] - centre) / 2, atol=1e-4)
    per_image = nb.warp_images(ramp.expand(2, -1, -1, -1), torch.tensor([1.0, 2.0]))
    assert (torch.allclose(per_image[0], ramp[0], atol=1e-4)
            and torch.allclose(per_image[1], zoomed[0], atol=1e-4))


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
