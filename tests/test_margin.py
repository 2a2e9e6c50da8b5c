"""A new MARGIN takes effect when the training cell is rerun: the loss reads the margin it is given
at call time, and training and the loss curves pass the MARGIN of the moment."""

import numpy as np
import pytest
import torch


def test_the_loss_uses_the_margin_it_is_given(nb):
    points = torch.tensor([[0.6, 0.8]])  # D = 1 from the origin
    impostor = torch.tensor([False])
    for margin in (0.5, 1.4, 2.0):
        loss = nb.contrastive_loss(torch.zeros(1, 2), points, impostor, margin)
        assert loss.item() == pytest.approx(0.5 * max(0.0, margin - 1.0) ** 2, abs=1e-5)


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
