"""The functions behind section 8's figures, on small hand-made networks and distances whose answer is known."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

HEIGHT, WIDTH = 40, 48


class LooksAt(nn.Module):
    """A fixed random linear embedding of the pixels inside `columns` only; everything else is ignored."""

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
    return torch.randn(1, HEIGHT, WIDTH, generator=generator), torch.randn(1, HEIGHT, WIDTH, generator=generator)


def test_map_has_the_image_shape_and_is_zero_where_the_network_does_not_look(nb):
    left_half = LooksAt(slice(0, WIDTH // 2))
    image, other = face_pair()
    heat = nb.occlusion_map(left_half, image, other, patch=8, stride=8, mirror=False)
    assert heat.shape == (HEIGHT, WIDTH)
    assert np.all(heat[:, WIDTH // 2:] == 0), "covering the right half cannot change what the network sees"
    assert np.abs(heat[:, :WIDTH // 2]).min() > 0, "every square of the left half changes the distance"


def test_overlapping_squares_spread_the_map_by_at_most_one_square(nb):
    left_half = LooksAt(slice(0, WIDTH // 2))
    image, other = face_pair()
    heat = nb.occlusion_map(left_half, image, other, patch=8, stride=4, mirror=False)
    assert np.all(heat[:, WIDTH // 2 + 4:] == 0)  # squares starting at column 20 reach column 27, no further
    assert np.abs(heat[:, :WIDTH // 2]).max() > 0


def test_map_of_the_right_half_mirrors_with_mirror_averaging(nb):
    right_half = LooksAt(slice(WIDTH // 2, WIDTH))
    image, other = face_pair()
    plain = nb.occlusion_map(right_half, image, other, patch=8, stride=8, mirror=False)
    assert np.all(plain[:, :WIDTH // 2] == 0)
    averaged = nb.occlusion_map(right_half, image, other, patch=8, stride=8, mirror=True)
    assert np.abs(averaged[:, :WIDTH // 2]).max() > 0, "the mirror image brings the left half into view"


def test_a_pair_of_identical_images_can_only_be_pushed_apart(nb):
    network = LooksAt(slice(0, WIDTH))
    image, _ = face_pair()
    heat = nb.occlusion_map(network, image, image, patch=8, stride=4, mirror=False)
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
    heat = nb.occlusion_map(network, image, other, patch=HEIGHT, stride=HEIGHT, mirror=False)
    covered = image.clone()
    covered[:, :, :HEIGHT] = 0
    embeddings = network.forward_once(torch.stack([image, other, covered]))
    expected = float((embeddings[0] - embeddings[1]).norm() - (embeddings[2] - embeddings[1]).norm())
    assert heat[0, 0] == pytest.approx(expected, abs=1e-5)


def test_hardest_and_typical_pairs(nb):
    distances = np.array([0.1, 0.9, 0.3, 1.2, 0.2, 0.5, 1.0])
    genuine = np.array([True, True, True, False, False, False, False])
    farthest_genuine, closest_impostors = nb.hardest_pairs(distances, genuine, 2)
    assert farthest_genuine.tolist() == [1, 2] and closest_impostors.tolist() == [4, 5]
    assert nb.typical_pair(distances, genuine) == 2 and nb.typical_pair(distances, ~genuine) == 6


def test_one_colour_scale_centred_on_the_threshold(nb):
    cmap, norm = nb.distance_colour_scale(0.8, 1.6)
    assert norm(0.8) == pytest.approx(0.5) and norm(0.0) == pytest.approx(0.0) and norm(1.6) == pytest.approx(1.0)
    blue, red = cmap(norm(0.2)), cmap(norm(1.4))
    assert blue[2] > blue[0] and red[0] > red[2]


def test_pair_caption_says_whether_the_verdict_is_right(nb):
    assert nb.pair_caption(0.4, True, 0.8) == "Dissimilarity: 0.40\ntruth: same\nsays same (right)"
    assert nb.pair_caption(0.9, True, 0.8) == "Dissimilarity: 0.90\ntruth: same\nsays different (WRONG)"
    assert nb.pair_caption(0.5, False, 0.8) == "Dissimilarity: 0.50\ntruth: different\nsays same (WRONG)"
