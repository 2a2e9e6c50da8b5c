"""Papermill runs on another set of held-out people: the network must beat raw pixels, and reruns must agree."""
import json

import numpy as np
import papermill
import pytest
import torch

from notebook_code import NOTEBOOK, ROOT

OTHER_SPLIT = [31, 32, 33, 34, 35, 36, 37, 38, 39, 40]


def run_notebook(output_dir, **parameters):
    """Execute the notebook with papermill and return its metrics.json."""
    output_dir.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(NOTEBOOK, output_dir / "executed.ipynb", cwd=ROOT, kernel_name="python3",
                               progress_bar=False, parameters={"OUTPUT_DIR": str(output_dir), **parameters})
    return json.loads((output_dir / "metrics.json").read_text())


@pytest.fixture(scope="module")
def first_run(real_faces, tmp_path_factory):
    output_dir = tmp_path_factory.mktemp("first")
    return output_dir, run_notebook(output_dir, TEST_SUBJECTS=OTHER_SPLIT)


def test_network_beats_raw_pixels_on_other_people(first_run):
    _, metrics = first_run
    assert metrics["test_subjects"] == OTHER_SPLIT
    assert (metrics["held_out_pairs"], metrics["genuine_pairs"]) == (4950, 450)
    network, pixels = metrics["methods"]["siamese_network"], metrics["methods"]["raw_pixels"]
    assert network["auc"] > pixels["auc"]
    assert network["eer"] < pixels["eer"]
    assert network["one_shot"] > pixels["one_shot"]
    for method in ("siamese_network", "raw_pixels", "fisherfaces"):
        assert set(metrics["methods"][method]) >= {"auc", "eer", "one_shot", "threshold", "accuracy",
                                                   "balanced_accuracy"}
    assert 0 < metrics["train_seconds"] <= 90 and metrics["device"] in ("cpu", "cuda", "mps")


def test_outputs_hold_embeddings_and_weights(first_run, nb):
    output_dir, metrics = first_run
    saved = np.load(output_dir / "test_embeddings.npz")
    assert saved["embeddings"].shape == (100, nb.N_MODELS * nb.EMBEDDING_DIM) == (100, metrics["n_models"] * 64)
    assert sorted(set(saved["subjects"].tolist())) == OTHER_SPLIT
    assert len(saved["files"]) == 100 and str(saved["files"][0]).startswith("s31/")
    distances, genuine = nb.pair_distances(saved["embeddings"], saved["subjects"])
    assert nb.verification_metrics(distances, genuine)["auc"] == pytest.approx(
        metrics["methods"]["siamese_network"]["auc"], abs=1e-9)
    checkpoint = torch.load(output_dir / "siamese_checkpoint.pt", weights_only=True)
    assert checkpoint["threshold"] == pytest.approx(metrics["methods"]["siamese_network"]["threshold"])


def test_same_parameters_and_seed_give_the_same_metrics(first_run, tmp_path):
    _, first = first_run
    second = run_notebook(tmp_path / "second", TEST_SUBJECTS=OTHER_SPLIT)
    first.pop("train_seconds"), second.pop("train_seconds")
    assert first == second
