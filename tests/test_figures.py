"""The functions behind section 8's figures, on small hand-made networks and distances whose answer
is known."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

HEIGHT, WIDTH = 40, 48


class LooksAt(nn.Module):
    """A fixed random linear embedding of the pixels inside `columns` only; everything else
    is ignored."""

    def __init__(self, columns, dim=16):
        super().__init__()
        self.columns = columns
        generator = torch.Generator().manual_seed(0)
        width = len(range(WIDTH)[columns])
        self.weights = torch.randn(HEIGHT * width, dim, generator=generator)

    def forward_once(self, images):
        return F.normalize(images[..., self.columns].flatten(1) @ self.weights, dim=1)


def face_pair():
    """Two different random 'images' of shape 1 x HEIGHT x WIDTH."""
    generator = torch.Generator().manual_seed(1)
    return (torch.randn(1, HEIGHT, WIDTH, generator=generator),
            torch.randn(1, HEIGHT, WIDTH, generator=generator))


# Occlusion maps

def test_map_has_the_image_shape_and_is_zero_where_the_network_does_not_look(nb):
    left_half = LooksAt(slice(0, WIDTH // 2))
    image, other = face_pair()
    heat = nb.occlusion_map(left_half, image, other, patch=8, stride=8)
    assert heat.shape == (HEIGHT, WIDTH)
    assert np.all(heat[:, WIDTH // 2:] == 0), \
        "covering the right half cannot change what the network sees"
    assert np.abs(heat[:, :WIDTH // 2]).min() > 0, \
        "every square of the left half changes the distance"


def test_map_of_a_network_looking_right_is_zero_on_the_left(nb):
    right_half = LooksAt(slice(WIDTH // 2, WIDTH))
    image, other = face_pair()
    heat = nb.occlusion_map(right_half, image, other, patch=8, stride=8)
    assert np.all(heat[:, :WIDTH // 2] == 0) and np.abs(heat[:, WIDTH // 2:]).min() > 0


def test_overlapping_squares_spread_the_map_by_at_most_one_square(nb):
    left_half = LooksAt(slice(0, WIDTH // 2))
    image, other = face_pair()
    heat = nb.occlusion_map(left_half, image, other, patch=8, stride=4)
    # squares starting at column 20 reach column 27, no further
    assert np.all(heat[:, WIDTH // 2 + 4:] == 0)
    assert np.abs(heat[:, :WIDTH // 2]).max() > 0


def test_squares_that_do_not_fit_the_stride_still_cover_the_border(nb):
    # only the last 3 columns, which squares at 0, 10, 20, 30 miss
    network = LooksAt(slice(WIDTH - 3, WIDTH))
    image, other = face_pair()
    heat = nb.occlusion_map(network, image, other, patch=10, stride=10)
    assert np.isfinite(heat).all() and np.abs(heat[:, -3:]).min() > 0


def test_a_stride_longer_than_the_square_is_refused(nb):
    """Squares further apart than their side would leave pixels that no square covers (no
    value in the map)."""
    values = {name: getattr(nb, name) for name in nb.PARAMETER_SCHEMA["properties"]}
    with pytest.raises(ValueError, match=r"OCCLUSION_STRIDE = 12 cannot work: .*OCCLUSION_PATCH"):
        nb.check_parameters({**values, "OCCLUSION_PATCH": 8, "OCCLUSION_STRIDE": 12})
    network = LooksAt(slice(0, WIDTH))
    image, other = face_pair()
    assert np.isfinite(nb.occlusion_map(network, image, other, patch=8, stride=8)).all()


def test_a_pair_of_identical_images_can_only_be_pushed_apart(nb):
    network = LooksAt(slice(0, WIDTH))
    image, _ = face_pair()
    heat = nb.occlusion_map(network, image, image, patch=8, stride=4)
    assert heat.max() <= 1e-6 and heat.min() < 0


def test_network_that_sees_nothing_gives_a_zero_map(nb):
    class Constant(nn.Module):
        def forward_once(self, images):
            return F.normalize(torch.ones(len(images), 4), dim=1)

    image, other = face_pair()
    assert np.all(nb.occlusion_map(Constant(), image, other, patch=6, stride=5) == 0)


def test_map_equals_the_distance_change_of_a_single_square(nb):
    network = LooksAt(slice(0, WIDTH))
    image, other = face_pair()
    heat = nb.occlusion_map(network, image, other, patch=HEIGHT, stride=HEIGHT)
    covered = image.clone()
    covered[:, :, :HEIGHT] = 0
    embeddings = network.forward_once(torch.stack([image, other, covered]))
    expected = float((embeddings[0] - embeddings[1]).norm()
                     - (embeddings[2] - embeddings[1]).norm())
    assert heat[0, 0] == pytest.approx(expected, abs=1e-5)


def test_map_leaves_the_image_untouched_and_uses_evaluation_mode(nb):
    torch.manual_seed(0)
    network = nb.SiameseNetwork(channels=[4, 8], hidden_units=16, embedding_dim=8).train()
    image, other = (torch.randn(1, 56, 46) for _ in range(2))
    before = image.clone()
    first = nb.occlusion_map(network, image, other, patch=8, stride=8)
    assert torch.equal(image, before) and not network.training
    assert np.array_equal(first, nb.occlusion_map(network, image, other, patch=8, stride=8))


# Choosing and captioning pairs

# photos a0 a1 a2 (person 0), b0 b1 (person 1), c0 (person 2)
PEOPLE = np.array([0, 0, 0, 1, 1, 2])
A0, A1, A2, B0, B1, C0 = range(6)


def pair_distances(special):
    """Distances in pdist order: 1.5 for every pair, except the pairs given in `special`."""
    first, second = np.triu_indices(len(PEOPLE), k=1)
    distances = np.full(len(first), 1.5)
    for (a, b), value in special.items():
        distances[(first == a) & (second == b)] = value
    return distances


def pair_number(a, b):
    first, second = np.triu_indices(len(PEOPLE), k=1)
    return int(np.flatnonzero((first == a) & (second == b))[0])


def test_hardest_pairs_take_one_genuine_pair_per_person_and_one_impostor_pair_per_two_people(nb):
    distances = pair_distances({(A0, A1): 0.9, (A0, A2): 0.8, (A1, A2): 0.2, (B0, B1): 0.5,
                                (A0, B0): 0.1, (A1, B1): 0.15, (A2, C0): 0.3, (B0, C0): 0.4})
    genuine, impostor = nb.hardest_pairs(distances, PEOPLE, 2)
    assert genuine.tolist() == [pair_number(A0, A1), pair_number(B0, B1)], \
        "farthest first, person 0 only once"
    assert impostor.tolist() == [pair_number(A0, B0), pair_number(A2, C0)], \
        "closest first, people 0 and 1 only once"
    genuine, impostor = nb.hardest_pairs(distances, PEOPLE, 5)
    assert len(genuine) == 2, "person 2 has a single photo: no genuine pair"
    assert impostor.tolist() == [pair_number(A0, B0), pair_number(A2, C0), pair_number(B0, C0)]
    assert genuine.dtype.kind == impostor.dtype.kind == "i"


def test_pairs_are_shown_in_pdist_order_blue_below_the_threshold_and_red_above_it(nb, monkeypatch):
    monkeypatch.setattr(nb.plt, "show", lambda: None)
    photos = np.arange(3.0).reshape(3, 1, 1, 1) * np.ones((3, 1, 8, 8))  # photo k is all k
    distances, same = np.array([0.2, 0.8, 2.0]), np.array([True, False, False])  # 01, 02, 12
    nb.show_pairs(photos, [0, 1, 2], distances, same, threshold=0.8, files=["a", "b", "c"])
    fig = nb.plt.gcf()
    first, second = fig.axes[:3], fig.axes[3:6]  # the top row, then the bottom row
    assert [ax.images[0].get_array().mean() for ax in first] == [0, 0, 1]
    assert [ax.images[0].get_array().mean() for ax in second] == [1, 2, 2]
    assert first[2].get_title().startswith("b\nc\nDissimilarity: 2.00")
    red, _, blue, _ = zip(*(ax.title.get_bbox_patch().get_facecolor() for ax in first))  # RGBA
    assert red[2] > blue[2] + 0.3 and blue[0] > red[0] + 0.3, "blue: same; red: different"
    assert red[1] == pytest.approx(blue[1], abs=0.05), "at the threshold: neither"
    bar = fig.axes[-1]  # the colour bar, from 0 to the largest distance, the threshold marked
    assert bar.get_xlim() == pytest.approx((0, 2))
    assert [line.get_xdata()[0] for line in bar.lines] == [0.8]
    nb.plt.close(fig)


@pytest.mark.parametrize("distance, same, threshold, right",
                         [(0.4, True, 0.8, True), (0.9, True, 0.8, False), (0.5, False, 0.8, False),
                          (1.2, False, 0.8, True), (0.8, True, 0.8, True)])
def test_pair_caption_shows_the_distance_and_whether_the_verdict_is_right(nb, distance, same,
                                                                          threshold, right):
    caption = nb.pair_caption(distance, same, threshold)
    assert f"{distance:.2f}" in caption
    assert ("WRONG" in caption) == (not right)


def test_pair_caption_tells_the_truth_apart(nb):
    assert nb.pair_caption(0.4, True, 0.8) != nb.pair_caption(0.4, False, 0.8)
    assert nb.pair_caption(0.4, True, 0.8) != nb.pair_caption(0.4, True, 0.3)
