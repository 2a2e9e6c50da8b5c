"""Whole runs of the notebook (short settings): on a reader's own tree of crops, and alone in an
empty folder with the zip, as a hosted notebook service opens it."""
import json
import shutil

import pytest

from notebook_code import NOTEBOOK, execute_notebook

pytestmark = pytest.mark.slow
SHORT = {"EPOCHS": 2, "N_MODELS": 2, "SANITY_CHECKS": False}


def snapshot(folder):
    """Every file below folder with its bytes, to show that a run changed nothing there."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_tree_of_own_crops_runs_to_the_end_and_stays_untouched(make_tree, tmp_path):
    tree = make_tree(people=8, photos=5, suffix=".jpg", name="my_crops")
    (tree / "p1" / "notes.txt").write_text("not an image")
    before = snapshot(tree)
    out = execute_notebook(tmp_path / "out", DATA_DIR=str(tree), TEST_PEOPLE=None, MIRROR=False,
                           EVALUATION_PHOTOS=12, **SHORT)
    assert snapshot(tree) == before
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["methods"]) == {"raw pixels", "Fisherfaces", "core network",
                                       "core network, no mirror", "ensemble"}
    assert len(metrics["test_people"]) == 2 and metrics["test_pairs"] == 45  # 10 of 12 photos
    executed = (out / "executed.ipynb").read_text()
    assert "notes.txt" in executed and (out / "siamese_checkpoint.pt").is_file()


def test_the_notebook_alone_fetches_the_faces_from_the_zip(faces_zip, tmp_path, monkeypatch):
    shutil.copyfile(NOTEBOOK, tmp_path / NOTEBOOK.name)
    monkeypatch.setenv("ATT_FACES_SOURCE", str(faces_zip))
    execute_notebook(tmp_path / "outputs", notebook=tmp_path / NOTEBOOK.name, cwd=tmp_path,
                     **SHORT)
    assert len(list((tmp_path / "data" / "att_faces").glob("s*/*.pgm"))) == 400
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data", NOTEBOOK.name, "outputs"])
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["att_faces"]
