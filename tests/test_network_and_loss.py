"""The network and the contrastive loss: the loss follows Hadsell et al. (Y = 0 genuine) with the
margin it is given, the twins share weights, embeddings have unit length, the network pads by
reflection and normalises batches, seeding repeats, and embed() measures in evaluation mode."""
import numpy as np
import pytest
import torch

from notebook_code import SMALL


def test_the_loss_uses_the_margin_it_is_given(nb):
    points = torch.tensor([[0.6, 0.8]])  # D = 1 from the origin
    impostor = torch.tensor([False])
    for margin in (0.5, 1.4, 2.0):
        loss = nb.contrastive_loss(torch.zeros(1, 2), points, impostor, margin)
        assert loss.item() == pytest.approx(0.5 * max(0.0, margin - 1.0) ** 2, abs=1e-5)


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
