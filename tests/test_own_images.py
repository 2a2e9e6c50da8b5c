"""The notebook on a reader's own one-folder-per-person tree: other names, formats (a GIF too),
sizes and counts."""
import json
import math

import numpy as np
import papermill
import pytest
from PIL import Image

from notebook_code import execute_notebook, read_metrics, snapshot

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "oscar"]
HELD_OUT = ["bob", "grace", "oscar"]
GIF = "bob/extra.gif"  # one more photo of bob, as a (palette) GIF
METHODS = ("full_model", "core_network", "raw_pixels_full_model_conditions",
           "fisherfaces_full_model_conditions", "raw_pixels_core_conditions",
           "fisherfaces_core_conditions")
MEASURES = ("auc", "eer", "one_shot", "balanced_accuracy", "threshold")



def photo_count(name):
    """Photos of one person in the tree: 3 to 8, and the GIF."""
    return 3 + NAMES.index(name) % 6 + (name == GIF.split("/")[0])


@pytest.fixture(scope="module")
def own_tree(real_faces, tmp_path_factory):
    """12 people named by first names: colour JPEG, grey PNG and square colour PNG at several sizes,
    3 to 8 photos each, a GIF in one folder, and stray files that are not images."""
    root = tmp_path_factory.mktemp("own") / "my_faces"
    for number, name in enumerate(NAMES):
        folder = root / name
        folder.mkdir(parents=True)
        for image_number in range(1, 3 + number % 6 + 1):
            grey = Image.open(real_faces / f"s{number + 1}" / f"{image_number}.pgm").convert("L")
            if number % 3 == 0:    # colour JPEG, larger, same shape
                tint = Image.merge("RGB", (grey, grey.point(lambda v: v * 0.9),
                                           grey.point(lambda v: v * 0.8)))
                tint.resize((138, 168)).save(folder / f"photo_{image_number}.jpg", quality=92)
            elif number % 3 == 1:  # grey PNG, smaller
                grey.resize((69, 84)).save(folder / f"{image_number:03d}.png")
            else:                  # square colour PNG with a border: another aspect ratio
                square = Image.new("RGB", (130, 130), (40, 40, 40))
                square.paste(grey.convert("RGB").resize((107, 130)), (11, 0))
                square.save(folder / f"img{image_number}.PNG")
    Image.open(real_faces / "s2" / "9.pgm").convert("RGB").quantize(64).save(root / GIF)
    (root / "README.txt").write_text("my own faces")
    (root / "alice" / "notes.txt").write_text("not an image")
    return root


def held_out_files(root):
    """The image files of the held-out people, as the notebook names them."""
    return sorted(p.relative_to(root).as_posix()
                  for name in HELD_OUT for p in (root / name).iterdir()
                  if p.suffix.lower() in {".jpg", ".png", ".gif"})


@pytest.fixture(scope="module")
def own_run(own_tree, tmp_path_factory):
    before = snapshot(own_tree)
    output_dir = tmp_path_factory.mktemp("own_run")
    execute_notebook(output_dir, DATA_DIR=str(own_tree), TEST_PEOPLE=HELD_OUT, EPOCHS=3, N_MODELS=1,
                     CALIBRATION_MODELS=1, SANITY_CHECKS=False, ONE_SHOT_DRAWS=20)
    assert snapshot(own_tree) == before, "the notebook wrote into the data folder"
    return output_dir, read_metrics(output_dir)


@pytest.mark.slow
def test_own_tree_runs_and_records_every_method_on_the_held_out_pairs(own_run):
    _, metrics = own_run
    assert metrics["test_people"] == HELD_OUT and metrics["find_faces"] is False
    photos = sum(photo_count(name) for name in HELD_OUT)
    assert metrics["held_out_pairs"] == photos * (photos - 1) // 2
    assert metrics["genuine_pairs"] == sum(photo_count(name) * (photo_count(name) - 1) // 2
                                           for name in HELD_OUT)
    assert sorted(metrics["methods"]) == sorted(METHODS)
    for method in METHODS:
        numbers = metrics["methods"][method]
        assert all(isinstance(numbers[m], (int, float)) and math.isfinite(numbers[m])
                   for m in MEASURES), (method, numbers)
        assert (0 <= numbers["eer"] <= 1 and 0 <= numbers["balanced_accuracy"] <= 1
                and 0 <= numbers["one_shot"] <= 1)


@pytest.mark.slow
def test_compare_works_on_files_of_the_own_tree(own_run, own_tree, nb):
    output_dir, metrics = own_run
    checkpoint = output_dir / "siamese_checkpoint.pt"
    same_file = nb.compare(own_tree / "alice" / "photo_1.jpg", own_tree / "alice" / "photo_1.jpg",
                           checkpoint)
    assert same_file[0] == pytest.approx(0.0, abs=1e-5) and same_file[1]
    distance, same = nb.compare(own_tree / "alice" / "photo_2.jpg", own_tree / "carol" / "img1.PNG",
                                checkpoint)
    assert 0 < distance <= 2 and same == (
        distance <= metrics["methods"]["full_model"]["threshold"])
    assert math.isfinite(nb.compare(own_tree / GIF, own_tree / "bob" / "001.png", checkpoint)[0])


@pytest.mark.slow
def test_embeddings_file_holds_exactly_the_held_out_files(own_run, own_tree):
    output_dir, metrics = own_run
    saved = np.load(output_dir / "test_embeddings.npz")
    files, people = saved["files"].tolist(), saved["people"].tolist()
    assert sorted(files) == held_out_files(own_tree) and GIF in files
    assert people == [f.split("/")[0] for f in files]
    assert saved["embeddings"].shape[:2] == (len(files), metrics["n_models"])
    assert np.isfinite(saved["embeddings"]).all()


def test_people_of_different_sizes_and_formats_are_read_at_one_size(own_tree, nb):
    images, raw, person_ids, names, files, skipped = nb.load_faces(own_tree, nb.IMAGE_SIZE,
                                                                   nb.RAW_PIXEL_SIZE)
    assert names == sorted(NAMES)
    assert (tuple(images.shape[1:]) == (1, *nb.IMAGE_SIZE)
            and raw.shape[1] == np.prod(nb.RAW_PIXEL_SIZE))
    assert np.bincount(person_ids).tolist() == [photo_count(name) for name in sorted(NAMES)]
    assert GIF in files, "the GIF was not read"
    assert skipped == ["README.txt (not in a person's folder)", "alice/notes.txt (not an image)"]


def test_the_people_who_are_not_tested_are_split_into_validation_and_training_people(
        own_tree, nb):
    _, _, person_ids, names, _, _ = nb.load_faces(own_tree, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    tested, validation, training, _ = nb.split_people(names, person_ids, HELD_OUT, 0)
    assert [names[p] for p in tested] == HELD_OUT
    # 30 % of the 9 others validate, the rest train
    assert len(validation) == 3 and len(training) == 6
    assert sorted([*tested, *validation, *training]) == list(range(len(names)))


@pytest.mark.slow
def test_wrong_held_out_name_stops_before_any_figure_of_the_photos(own_tree, tmp_path):
    before = snapshot(own_tree)
    with pytest.raises(papermill.PapermillExecutionError) as error:
        execute_notebook(tmp_path / "run", DATA_DIR=str(own_tree), TEST_PEOPLE=["bob", "zoe"])
    assert ("TEST_PEOPLE = ['bob', 'zoe'] cannot work: ['zoe'] are not person folders of DATA_DIR"
            in str(error.value))
    cells = json.loads((tmp_path / "run" / "executed.ipynb").read_text())["cells"]
    start = next(i for i, c in enumerate(cells) if "= load_faces(" in "".join(c["source"]))
    figures = [o for c in cells[start:] if c["cell_type"] == "code" for o in c.get("outputs", [])
               if "image/png" in o.get("data", {})]
    assert figures == [], (f"{len(figures)} figure(s) of the photos were drawn before the bad "
                           "held-out name was reported")
    assert snapshot(own_tree) == before
