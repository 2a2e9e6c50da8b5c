"""The notebook on a reader's own one-folder-per-identity tree: other names, formats, sizes and counts."""
import hashlib
import json

import numpy as np
import papermill
import pytest
from PIL import Image

from notebook_code import execute_notebook

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]
HELD_OUT = ["bob", "grace", "oscar"]


def snapshot(folder):
    """Every path below folder with the hash of its content."""
    return {p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def own_tree(real_faces, tmp_path_factory):
    """12 identities named by first names: colour JPEG and grey PNG at several sizes and shapes, 3 to 8 images
    each, and stray files that are not images."""
    root = tmp_path_factory.mktemp("own") / "my_faces"
    for number, name in enumerate(NAMES):
        folder = root / name
        folder.mkdir(parents=True)
        for image_number in range(1, 3 + number % 6 + 1):
            grey = Image.open(real_faces / f"s{number + 1}" / f"{image_number}.pgm").convert("L")
            if number % 3 == 0:    # colour JPEG, larger, same shape
                tint = Image.merge("RGB", (grey, grey.point(lambda v: v * 0.9), grey.point(lambda v: v * 0.8)))
                tint.resize((138, 168)).save(folder / f"photo_{image_number}.jpg", quality=92)
            elif number % 3 == 1:  # grey PNG, smaller
                grey.resize((69, 84)).save(folder / f"{image_number:03d}.png")
            else:                  # square colour PNG with a border: another aspect ratio
                square = Image.new("RGB", (130, 130), (40, 40, 40))
                square.paste(grey.convert("RGB").resize((107, 130)), (11, 0))
                square.save(folder / f"img{image_number}.PNG")
    (root / "README.txt").write_text("my own faces")
    (root / "alice" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture(scope="module")
def own_run(own_tree, tmp_path_factory):
    before = snapshot(own_tree)
    output_dir = tmp_path_factory.mktemp("own_run")
    execute_notebook(output_dir, DATA_DIR=str(own_tree), TEST_SUBJECTS=HELD_OUT, EPOCHS=3, N_MODELS=1,
            SANITY_CHECKS=False, ONE_SHOT_DRAWS=20)
    assert snapshot(own_tree) == before, "the notebook wrote into the data folder"
    return output_dir, json.loads((output_dir / "metrics.json").read_text())


def test_own_tree_runs_and_names_the_held_out_identities(own_run):
    _, metrics = own_run
    assert metrics["test_subjects"] == HELD_OUT
    images = sum(3 + NAMES.index(name) % 6 for name in HELD_OUT)
    assert metrics["held_out_pairs"] == images * (images - 1) // 2
    for method in ("siamese_network", "raw_pixels", "fisherfaces"):
        assert 0 <= metrics["methods"][method]["auc"] <= 1


def test_compare_works_on_files_of_the_own_tree(own_run, own_tree, nb):
    output_dir, metrics = own_run
    checkpoint = output_dir / "siamese_checkpoint.pt"
    same_file = nb.compare(own_tree / "alice" / "photo_1.jpg", own_tree / "alice" / "photo_1.jpg", checkpoint)
    assert same_file[0] == pytest.approx(0.0, abs=1e-5) and same_file[1]
    distance, same = nb.compare(own_tree / "alice" / "photo_2.jpg", own_tree / "carol" / "img1.PNG", checkpoint)
    assert 0 < distance <= 2 and same == (distance <= metrics["methods"]["siamese_network"]["threshold"])


def test_embeddings_file_names_the_own_files(own_run):
    output_dir, _ = own_run
    saved = np.load(output_dir / "test_embeddings.npz")
    assert sorted(set(saved["subjects"].tolist())) == sorted(HELD_OUT)
    assert "bob/001.png" in saved["files"].tolist()


def test_identities_of_different_sizes_are_read_at_one_size(own_tree, nb):
    images, raw, subjects, names, files, ignored = nb.load_identities(own_tree, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert names == sorted(NAMES)
    assert tuple(images.shape[1:]) == (1, *nb.IMAGE_SIZE) and raw.shape[1] == np.prod(nb.RAW_PIXEL_SIZE)
    assert np.bincount(subjects).tolist() == [3 + NAMES.index(name) % 6 for name in sorted(NAMES)]
    assert ignored == ["README.txt", "alice/notes.txt"]


def test_wrong_held_out_name_stops_before_any_figure(own_tree, tmp_path):
    before = snapshot(own_tree)
    with pytest.raises(papermill.PapermillExecutionError) as error:
        execute_notebook(tmp_path / "run", DATA_DIR=str(own_tree), TEST_SUBJECTS=["bob", "zoe"])
    assert "TEST_SUBJECTS = ['bob', 'zoe'] names ['zoe'], which are not identity folders of DATA_DIR" in str(error.value)
    cells = json.loads((tmp_path / "run" / "executed.ipynb").read_text())["cells"]
    start = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    figures = [o for c in cells[start:] if c["cell_type"] == "code" for o in c.get("outputs", [])
               if "image/png" in o.get("data", {})]
    assert figures == [], "a data figure was drawn before the bad parameter was reported"
    assert snapshot(own_tree) == before
