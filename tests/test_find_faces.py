"""FIND_FACES: framing a detected face like an AT&T photo, upright phone photos, the detector,
load_faces and compare() on phone-like photos, and a whole run on phone-like photos measured against
the AT&T crops."""
import json
import math

import numpy as np
import papermill
import pytest
import torch
from PIL import Image

from notebook_code import execute_notebook, read_metrics, snapshot
from phone_photos import (
    NAME_OF,
    SCENE_SIZE,
    SHORT_SETTINGS,
    background_scene,
    iou,
    paste_photo,
    phone_like_tree,
    save_sideways,
)


def size(box):
    """(width, height) of a (left, top, right, bottom) box."""
    return box[2] - box[0], box[3] - box[1]


# ---- framed_box: the crop around a detected face -------------------------------------------------

ASPECT = 56 / 46
PHOTO = (1000, 800)  # (width, height)
FACE = (400, 300, 100, 100)


def test_framed_box_widens_the_face_to_the_att_framing_at_the_aspect_of_image_size(nb):
    widen_x, widen_y, _ = nb.FACE_FRAME
    for face in (FACE, (400, 300, 150, 100), (400, 300, 60, 100)):  # square, wide, narrow boxes
        x, y, w, h = face
        box = nb.framed_box(face, PHOTO, ASPECT)
        width, height = size(box)
        assert all(type(v) is int for v in box)
        assert height == pytest.approx(max(widen_y * h, widen_x * w * ASPECT), abs=1.5), face
        # at least the AT&T framing both ways
        assert width >= widen_x * w - 1 and height >= widen_y * h - 1, face
        assert height / width == pytest.approx(ASPECT, abs=0.6 / width), face


def test_framed_box_is_centred_on_the_face_and_shifted_up_by_face_frame(nb):
    x, y, w, h = FACE
    box = nb.framed_box(FACE, PHOTO, ASPECT)
    assert (box[0] + box[2]) / 2 == pytest.approx(x + w / 2, abs=1)
    assert (box[1] + box[3]) / 2 == pytest.approx(y + h / 2 + nb.FACE_FRAME[2] * h, abs=1)
    assert nb.FACE_FRAME[2] < 0 and (box[1] + box[3]) / 2 < y + h / 2, \
        "the frame should sit higher than the face (hair)"


@pytest.mark.parametrize("face, side, edge", [((-30, 300, 100, 100), 0, 0),
                                              ((950, 300, 100, 100), 2, PHOTO[0]),
                                              ((400, -40, 100, 100), 1, 0),
                                              ((400, 760, 100, 100), 3, PHOTO[1])],
                         ids=["left", "right", "top", "bottom"])
def test_framed_box_is_moved_inside_at_each_border_keeping_size_and_aspect(nb, face, side, edge):
    inside = nb.framed_box(FACE, PHOTO, ASPECT)
    box = nb.framed_box(face, PHOTO, ASPECT)
    assert 0 <= box[0] < box[2] <= PHOTO[0] and 0 <= box[1] < box[3] <= PHOTO[1]
    assert size(box) == size(inside) and box[side] == edge


@pytest.mark.parametrize("face, photo", [((-50, -80, 300, 300), (200, 150)),
                                         ((10, 10, 500, 200), (300, 400)),
                                         ((0, 0, 92, 112), (92, 112))],
                         ids=["wide photo", "tall photo", "att photo"])
def test_framed_box_of_a_face_larger_than_the_photo_is_the_largest_box_inside_it_at_the_aspect(
        nb, face, photo):
    box = nb.framed_box(face, photo, ASPECT)
    width, height = size(box)
    assert 0 <= box[0] and 0 <= box[1] and box[2] <= photo[0] and box[3] <= photo[1]
    assert height / width == pytest.approx(ASPECT, abs=1.2 / width)
    assert width >= photo[0] - 1 or height >= photo[1] - 1, "it should fill the photo one way"


def test_framed_box_stays_inside_at_the_aspect_for_random_faces_and_photos(nb):
    rng = np.random.default_rng(0)
    for _ in range(2000):
        photo = tuple(int(v) for v in rng.integers(20, 900, 2))
        w, h = (int(v) for v in rng.integers(5, 1.5 * max(photo), 2))
        face = (int(rng.integers(-w, photo[0])), int(rng.integers(-h, photo[1])), w, h)
        aspect = float(rng.choice([56 / 46, 1.0, 112 / 92, 0.75]))
        box = nb.framed_box(face, photo, aspect)
        width, height = size(box)
        assert 0 <= box[0] < box[2] <= photo[0] and 0 <= box[1] < box[3] <= photo[1], \
            (face, photo, aspect, box)
        assert abs(height - width * aspect) <= 1.2, (face, photo, aspect, box)


# ---- open_photo: phone photos stored sideways ----------------------------------------------------

def test_open_photo_turns_a_sideways_photo_upright(nb, tmp_path):
    upright = Image.new("RGB", (40, 60), "black")
    upright.paste((255, 255, 255), (0, 0, 40, 20))  # a white band at the top
    save_sideways(upright, tmp_path / "phone.jpg", quality=95)
    with Image.open(tmp_path / "phone.jpg") as stored:
        assert stored.size == (60, 40), "the file should hold the pixels sideways"
    photo = nb.open_photo(tmp_path / "phone.jpg")
    pixels = np.asarray(photo)
    assert photo.mode == "L" and photo.size == (40, 60)
    assert pixels[:15].mean() > 200 and pixels[25:].mean() < 50, \
        "the white band should be at the top"


def test_load_faces_reads_a_sideways_face_upright(nb, real_faces, tmp_path):
    root = tmp_path / "faces"
    for person in ("s1", "s2"):
        (root / person).mkdir(parents=True)
        for number in (1, 2):
            with Image.open(real_faces / person / f"{number}.pgm") as face:
                if (person, number) == ("s1", 1):
                    save_sideways(face.convert("L"), root / person / "1.jpg", quality=95)
                else:
                    face.save(root / person / f"{number}.png")
    images, _, person_ids, _, files, skipped = nb.load_faces(root, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert files[0] == "s1/1.jpg" and skipped == []
    with Image.open(real_faces / "s1" / "1.pgm") as face:
        upright = nb.photo_tensor(face.convert("L"), nb.IMAGE_SIZE)
        sideways = nb.photo_tensor(face.convert("L").transpose(Image.Transpose.ROTATE_90),
                                   nb.IMAGE_SIZE)
    assert (images[0] - upright).abs().mean() < 0.1, "the sideways photo was not turned upright"
    assert (images[0] - sideways).abs().mean() > 0.4


# ---- largest_face: the detector ------------------------------------------------------------------

@pytest.fixture(scope="module")
def scenes(real_faces):
    """Pasted scenes of s1 and s12 in memory, with their pasted rectangles, and
    background-only scenes."""
    rng, pasted = np.random.default_rng(1), []
    for person in (1, 12):
        for number in range(1, 11):
            scene = background_scene(rng)
            with Image.open(real_faces / f"s{person}" / f"{number}.pgm") as face:
                rect = paste_photo(scene, face, rng)
            pasted.append((scene.convert("L"), rect, f"s{person}/{number}"))
    return pasted, [background_scene(rng).convert("L") for _ in range(10)]


def test_largest_face_finds_the_pasted_face(nb, scenes):
    pasted, _ = scenes
    for scene, rect, name in pasted:
        face = nb.largest_face(scene)
        assert face is not None, f"no face found in the scene of {name}"
        x, y, w, h = face
        assert iou((x, y, x + w, y + h), rect) > 0.5, (name, face, rect)
        assert iou(nb.face_box(scene, nb.IMAGE_SIZE), rect) > 0.5, (name, face, rect)


def test_largest_face_finds_the_face_of_an_att_photo_and_the_frame_is_nearly_the_photo(
        nb, real_faces):
    photo = nb.open_photo(real_faces / "s1" / "1.pgm")
    assert iou(nb.face_box(photo, nb.IMAGE_SIZE), (0, 0, 92, 112)) > 0.7


def test_largest_face_is_the_median_of_the_searches_near_the_largest_face(nb, monkeypatch):
    # three searches agree on a face (FACE_SEARCHES_NEEDED = 3); the last finds something small
    # elsewhere
    searches = {1.0: (100, 100, 50, 50), 1.025: (104, 98, 54, 54), 1.05: (102, 102, 52, 52),
                1.075: (300, 10, 20, 20)}
    monkeypatch.setattr(nb, "DETECTION_SCALES", tuple(searches))
    monkeypatch.setattr(nb, "largest_face_at",
                        lambda photo, scale: np.array(searches[scale], dtype=float))
    photo = Image.new("L", (400, 300))
    # centre (128, 125): the medians of x + w/2 and y + h/2
    assert nb.largest_face(photo) == (102, 99, 52, 52)
    searches[1.0] = searches[1.05] = None  # searches that find nothing are left out
    monkeypatch.setattr(nb, "largest_face_at", lambda photo, scale: None if searches[scale] is None
                        else np.array(searches[scale], dtype=float))
    assert nb.largest_face(photo) is None  # one search alone is not enough (FACE_SEARCHES_NEEDED)
    monkeypatch.setattr(nb, "FACE_SEARCHES_NEEDED", 1)
    assert nb.largest_face(photo) == (104, 98, 54, 54)
    monkeypatch.setattr(nb, "largest_face_at", lambda photo, scale: None)
    assert nb.largest_face(photo) is None


def test_largest_face_searches_large_photos_at_most_about_640_pixels_across(nb, monkeypatch):
    scales = []
    monkeypatch.setattr(nb, "largest_face_at", lambda photo, scale: scales.append(scale))
    nb.largest_face(Image.new("L", (1280, 960)))
    assert scales == pytest.approx([0.5 * s for s in nb.DETECTION_SCALES])
    scales.clear()
    nb.largest_face(Image.new("L", (360, 270)))
    assert scales == pytest.approx(list(nb.DETECTION_SCALES))


def test_largest_face_returns_none_without_a_face(nb, scenes):
    _, backgrounds = scenes
    assert [nb.largest_face(scene) for scene in backgrounds] == [None] * len(backgrounds)
    assert nb.face_box(backgrounds[0], nb.IMAGE_SIZE) is None


# ---- load_faces with find_faces=True -------------------------------------------------------------

def test_phone_like_tree_has_named_folders_scenes_and_no_face_photos(real_faces, tmp_path):
    tree = phone_like_tree(real_faces, tmp_path / "phone", [1, 12], seed=0,
                           no_face_per_person={12: 2})
    assert sorted(p.name for p in tree.root.iterdir()) == sorted([NAME_OF[1], NAME_OF[12]])
    assert tree.no_face == [f"{NAME_OF[12]}/no_face_1.jpg", f"{NAME_OF[12]}/no_face_2.jpg"]
    assert len(tree.photos) == 22 and all((tree.root / p).is_file() for p in tree.photos)
    for path in tree.photos:
        with Image.open(tree.root / path) as photo:
            assert photo.format == "JPEG" and photo.mode == "RGB" and photo.size == SCENE_SIZE


def test_load_faces_skips_the_no_face_photos_and_writes_nothing(nb, real_faces, tmp_path):
    tree = phone_like_tree(real_faces, tmp_path / "phone", [1, 2, 12], seed=3,
                           no_face_per_person={1: 1, 12: 2})
    # one photo stored sideways, as phones do: its face is found only if it is turned upright
    sideways = f"{NAME_OF[2]}/10.jpg"
    with Image.open(tree.root / sideways) as scene:
        upright = scene.copy()
    save_sideways(upright, tree.root / sideways)
    before = snapshot(tree.root)
    images, raw, person_ids, names, files, skipped = nb.load_faces(
        tree.root, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE, find_faces=True)
    assert snapshot(tree.root) == before, "load_faces wrote into the data folder"
    assert sorted(skipped) == sorted(f"{path} (no face found)" for path in tree.no_face)
    assert sorted(files) == sorted(p for p, rect in tree.photos.items() if rect is not None)
    assert sideways in files
    assert names == sorted(tree.names.values()) and np.bincount(person_ids).tolist() == [10, 10, 10]
    assert (tuple(images.shape) == (30, 1, *nb.IMAGE_SIZE)
            and raw.shape == (30, int(np.prod(nb.RAW_PIXEL_SIZE))))
    assert torch.isfinite(images).all()


def test_load_faces_names_a_person_left_with_fewer_than_two_faces(nb, real_faces, tmp_path):
    tree = phone_like_tree(real_faces, tmp_path / "phone", [1, 2, 12], seed=4,
                           no_face_per_person={2: 2})
    for path in tree.files_of(NAME_OF[2])[1:]:  # keep one photo with a face and the two without
        (tree.root / path).unlink()
    with pytest.raises(nb.FaceDataError,
                       match=rf"person folder .*{NAME_OF[2]} holds 1 usable photo"):
        nb.load_faces(tree.root, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE, find_faces=True)


def test_load_faces_stops_when_most_photos_have_no_face(nb, real_faces, tmp_path):
    tree = phone_like_tree(real_faces, tmp_path / "phone", [1, 2], seed=5, no_face_per_person=4,
                           photos_per_person=3)
    before = snapshot(tree.root)
    with pytest.raises(nb.FaceDataError,
                       match=r"No face was found in 8 of 14 photos\..*FIND_FACES = False"):
        nb.load_faces(tree.root, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE, find_faces=True)
    assert snapshot(tree.root) == before


# ---- compare() with find_faces -------------------------------------------------------------------

@pytest.fixture
def checkpoints(nb, tmp_path):
    """Checkpoints of one small untrained network, saved with find_faces False and True."""
    architecture = {**nb.ARCHITECTURE, "channels": [4, 8, 8, 8], "hidden_units": 16,
                    "embedding_dim": 8}
    torch.manual_seed(0)
    network = nb.SiameseNetwork(**architecture).eval()
    paths = {}
    for find_faces in (False, True):
        paths[find_faces] = tmp_path / f"find_faces_{find_faces}.pt"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(nb, "ARCHITECTURE", architecture)
            nb.save_checkpoint([network], paths[find_faces], 0.5, [1.0], find_faces)
    return paths


@pytest.fixture
def two_scenes_and_a_background(real_faces, tmp_path):
    tree = phone_like_tree(real_faces, tmp_path / "phone", [1], seed=6, no_face_per_person=1,
                           photos_per_person=2)
    return ([tree.root / p for p in tree.files_of(NAME_OF[1])], tree.photos,
            tree.root / tree.no_face[0])


@pytest.fixture
def crop_boxes(nb, monkeypatch):
    """The crop box compare() gives photo_tensor for each photo (None: no face finding)."""
    boxes, photo_tensor = [], nb.photo_tensor

    def spy(photo, size, box=None, standardised=True):
        boxes.append(box)
        return photo_tensor(photo, size, box, standardised)
    monkeypatch.setattr(nb, "photo_tensor", spy)
    return boxes


def test_compare_names_the_photo_without_a_face(nb, checkpoints, two_scenes_and_a_background):
    (scene, _), _, background = two_scenes_and_a_background
    with pytest.raises(nb.FaceDataError,
                       match=rf"No face was found in .*{background.name}.*find_faces=False"):
        nb.compare(scene, background, checkpoints[True])
    with pytest.raises(nb.FaceDataError,
                       match=rf"No face was found in .*{background.name}.*find_faces=False"):
        nb.compare(background, scene, checkpoints[False], find_faces=True)
    # without face finding it is just a photo
    distance, _ = nb.compare(scene, background, checkpoints[False])
    assert math.isfinite(distance)


@pytest.mark.parametrize("saved, asked, framed", [(True, None, True), (False, True, True),
                                                  (True, False, False), (False, None, False)])
def test_compare_frames_the_faces_when_the_checkpoint_or_the_caller_asks(
        nb, checkpoints, two_scenes_and_a_background, crop_boxes, saved, asked, framed):
    (first, second), photos, _ = two_scenes_and_a_background
    distance, same = nb.compare(first, second, checkpoints[saved], find_faces=asked)
    assert 0 <= distance <= 2 and same == (distance <= 0.5)
    assert len(crop_boxes) == 2
    if not framed:
        assert crop_boxes == [None, None]
        return
    for box, path in zip(crop_boxes, (first, second)):
        rect = photos[path.relative_to(path.parents[1]).as_posix()]
        assert box is not None and iou(box, rect) > 0.5, (path.name, box, rect)
        assert size(box)[1] / size(box)[0] == pytest.approx(ASPECT, abs=1.2 / size(box)[0])


def test_compare_of_a_framed_scene_with_itself_is_zero(nb, checkpoints,
                                                       two_scenes_and_a_background):
    (scene, _), _, _ = two_scenes_and_a_background
    distance, same = nb.compare(scene, scene, checkpoints[True])
    assert distance == pytest.approx(0, abs=1e-5) and same


# ---- End to end: phone-like photos with and without FIND_FACES, against the AT&T crops -----------

HELD_OUT = list(range(1, 11))
NO_FACE = {3: 1, 14: 2, 27: 1}  # no-face photos: one in a held-out person's folder, three in others
KEY = "full_model"  # with N_MODELS = 1, one network trained on every person not tested
SUMMARY = {}


@pytest.fixture(scope="module")
def phone_tree(real_faces, tmp_path_factory):
    return phone_like_tree(real_faces, tmp_path_factory.mktemp("phone") / "my_photos",
                           range(1, 41), seed=2026, no_face_per_person=NO_FACE)


def short_run(label, output_dir, **parameters):
    """execute_notebook with the short settings, recording the run's AUCs under label in SUMMARY;
    return metrics, the error if it stopped after writing metrics.json, and the output dir."""
    error = None
    try:
        execute_notebook(output_dir, **SHORT_SETTINGS, **parameters)
    except papermill.PapermillExecutionError as stopped:
        error = stopped
    assert (output_dir / "metrics.json").is_file(), \
        f"run {label} stopped before writing metrics.json: {error}"
    metrics = read_metrics(output_dir)
    SUMMARY[label] = {"stopped": None if error is None else f"{error.ename}: {error.evalue}",
                      **{key: round(metrics["methods"][key]["auc"], 4)
                         for key in metrics["methods"]}}
    (output_dir.parent / "e2e_summary.json").write_text(json.dumps(SUMMARY, indent=2))
    return {"metrics": metrics, "error": error, "dir": output_dir}


@pytest.fixture(scope="module")
def run_att(real_faces, tmp_path_factory):
    """(a) the original AT&T face crops, read only."""
    before = snapshot(real_faces)
    run = short_run("a: AT&T crops", tmp_path_factory.mktemp("run_a"), DATA_DIR=str(real_faces),
                    TEST_PEOPLE=HELD_OUT)
    assert snapshot(real_faces) == before
    return run


@pytest.fixture(scope="module")
def run_found(phone_tree, tmp_path_factory):
    """(b) the phone-like photos with FIND_FACES on."""
    before = snapshot(phone_tree.root)
    run = short_run("b: phone, FIND_FACES", tmp_path_factory.mktemp("run_b"),
                    DATA_DIR=str(phone_tree.root), TEST_PEOPLE=[NAME_OF[n] for n in HELD_OUT],
                    FIND_FACES=True)
    assert snapshot(phone_tree.root) == before, "the notebook wrote into the data folder"
    return run


@pytest.fixture(scope="module")
def run_scenes(phone_tree, tmp_path_factory):
    """(c) the phone-like photos with FIND_FACES off: the network gets the whole scenes."""
    return short_run("c: phone, no FIND_FACES", tmp_path_factory.mktemp("run_c"),
                     DATA_DIR=str(phone_tree.root), TEST_PEOPLE=[NAME_OF[n] for n in HELD_OUT],
                     FIND_FACES=False)


def printed(run, start):
    """The stream output of the executed notebook that starts with `start`."""
    cells = json.loads((run["dir"] / "executed.ipynb").read_text())["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "code"
             for output in cell.get("outputs", []) if output.get("output_type") == "stream"
             for line in "".join(output["text"]).splitlines()]
    return [line for line in lines if line.startswith(start)]


# pasted faces the detector may miss, of 400 (it missed none when this test was written)
MISSED_AT_MOST = 4


@pytest.fixture(scope="module")
def loaded_with_find_faces(nb, phone_tree):
    """The files load_faces with find_faces=True reads from the phone tree, and what it skips (the
    detector is deterministic: loaded once for the tests that need it)."""
    *_, files, skipped = nb.load_faces(phone_tree.root, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE,
                                       find_faces=True)
    return files, skipped


@pytest.mark.slow
def test_phone_tree_skips_the_no_face_photos_and_finds_nearly_every_face(phone_tree,
                                                                        loaded_with_find_faces):
    files, skipped = loaded_with_find_faces
    assert all(entry.endswith(" (no face found)") for entry in skipped), skipped
    missed = sorted(set(entry.removesuffix(" (no face found)") for entry in skipped)
                    - set(phone_tree.no_face))
    assert set(phone_tree.no_face) <= {entry.removesuffix(" (no face found)") for entry in skipped}
    assert len(phone_tree.no_face) == sum(NO_FACE.values())
    assert len(missed) <= MISSED_AT_MOST, \
        f"the detector missed {len(missed)} of 400 pasted faces: {missed}"
    assert not any(path.split("/")[0] in [NAME_OF[n] for n in HELD_OUT] for path in missed)
    assert len(files) == 400 - len(missed)


@pytest.mark.slow
def test_run_with_find_faces_lists_the_no_face_photos_as_skipped(run_found, phone_tree,
                                                               loaded_with_find_faces):
    _, skipped = loaded_with_find_faces
    assert printed(run_found, "Skipped") == [
        f"Skipped {len(skipped)} file(s): {', '.join(skipped[:5])}"]
    assert [entry for entry in skipped if "no_face" in entry] == [
        f"{p} (no face found)" for p in phone_tree.no_face]
    assert run_found["metrics"]["find_faces"] is True


@pytest.mark.slow
def test_runs_hold_out_the_same_people_and_photos(run_att, run_found, run_scenes):
    a, b, c = (run["metrics"] for run in (run_att, run_found, run_scenes))
    assert a["test_people"] == [f"s{n}" for n in HELD_OUT]
    assert b["test_people"] == c["test_people"] == [NAME_OF[n] for n in HELD_OUT]
    # every pasted face of the held-out people was found: the same 100 photos, the same pairs as
    # the AT&T crops
    assert ((b["held_out_pairs"], b["genuine_pairs"]) == (a["held_out_pairs"], a["genuine_pairs"])
            == (4950, 450))
    # without face finding, the no-face photo in a held-out folder counts as a photo of that person
    assert (c["held_out_pairs"], c["genuine_pairs"]) == (5050, 460)


@pytest.mark.slow
def test_att_run_is_meaningful(run_att):
    assert run_att["metrics"]["methods"][KEY]["auc"] > 0.93, SUMMARY


@pytest.mark.slow
def test_finding_faces_in_phone_photos_comes_close_to_the_att_crops(run_att, run_found):
    """Held-out AUC on the phone-like photos within 0.05 of the same split on the AT&T crops.
    Measured when this test was written: 0.9933 on the crops, 0.9515 on the phone-like photos (gap
    0.042); the way of finding faces was chosen on the training people's photos, where the mean gap
    is smaller (tests/records/RESULTS.md)."""
    auc_a, auc_b = (run["metrics"]["methods"][KEY]["auc"] for run in (run_att, run_found))
    assert auc_a - auc_b <= 0.05, SUMMARY


@pytest.mark.slow
def test_without_finding_faces_phone_photos_do_clearly_worse(run_found, run_scenes):
    auc_b, auc_c = (run["metrics"]["methods"][KEY]["auc"] for run in (run_found, run_scenes))
    assert auc_c <= auc_b - 0.1, SUMMARY


@pytest.mark.parametrize("run", ["run_att", "run_found", "run_scenes"])
@pytest.mark.slow
def test_every_run_finishes(run, request):
    error = request.getfixturevalue(run)["error"]
    assert error is None, \
        f"{run} stopped after metrics.json was written: {error.ename}: {error.evalue}"


# ---- Finding faces: enough searches must agree -----------------------------------------------


def test_a_face_counts_only_when_enough_searches_find_it_near_the_largest(nb):
    found = [np.array(face, dtype=float) for face in
             [(100, 100, 50, 50), (104, 98, 54, 54), (102, 102, 52, 52), (300, 10, 20, 20)]]
    assert nb.agreeing_face(found, 3) == (102, 99, 52, 52)  # medians of the three near the largest
    assert nb.agreeing_face(found, 4) is None, "the small face elsewhere does not agree"
    two = [found[1], found[3]]
    assert nb.agreeing_face(two, 2) is None
    assert nb.agreeing_face(two, 1) == (104, 98, 54, 54)
