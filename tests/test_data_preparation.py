"""Bad data must end in one clear message and never leave a half-written data folder behind; every
photo is read upright, grey, cropped to the network's aspect ratio and standardised."""
import functools
import hashlib
import http.server
import shutil
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets
import torch
import torchvision.datasets.utils
from PIL import Image

from notebook_code import snapshot


@pytest.fixture
def serve(tmp_path):
    """Serve files from a folder over HTTP on the loopback address; yield a function that
    returns URLs."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(name, payload):
        (root / name).write_bytes(payload)
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"
    yield publish
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def offline(monkeypatch):
    """Make scikit-learn's Olivetti download fail as it does without internet."""
    def no_network(*args, **kwargs):
        raise OSError("[Errno -2] Name or service not known")
    monkeypatch.setattr(sklearn.datasets, "fetch_olivetti_faces", no_network)


def zip_of(folder):
    """The bytes of a zip archive holding folder under the name att_faces/."""
    archive = folder.parent / "archive.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.rglob("*")):
            out.write(path, "att_faces/" + path.relative_to(folder).as_posix())
    return archive.read_bytes()


def load(nb, folder, find_faces=False):
    """load_faces with the notebook's sizes."""
    return nb.load_faces(folder, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE, find_faces)


def people_of(nb, folder):
    """The person names and the person id of every photo, as read by load_faces."""
    _, _, person_ids, names, _, _ = load(nb, folder)
    return names, person_ids.tolist()


def skipped_files(skipped):
    """{file: reason} of load_faces' skipped list, whose entries read 'file (reason)'."""
    return dict(entry[:-1].split(" (", 1) for entry in skipped)


def assert_load_refused(nb, folder, *named):
    """Loading folder raises FaceDataError naming every string of `named` and leaves the folder
    as it was."""
    before = snapshot(folder)
    with pytest.raises(nb.FaceDataError) as error:
        load(nb, folder)
    for part in named:
        assert part in str(error.value), f"{part!r} not named in: {error.value}"
    assert snapshot(folder) == before
    return str(error.value)


def assert_nothing_left(data_dir):
    """The data folder does not exist and no staging folder was left beside it."""
    assert not data_dir.exists()
    if data_dir.parent.exists():
        assert [p.name for p in data_dir.parent.iterdir()] == []


# Obtaining the faces

def test_offline_without_local_copy_lists_what_was_tried(nb, tmp_path, offline):
    data_dir = tmp_path / "data" / "att_faces"
    url = "http://127.0.0.1:9/att_faces.zip"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, url, nb.ATT_FACES_MD5, True)
    tried = {line.strip(" -").split(":", 1)[0]: line for line in str(error.value).splitlines()
             if line.startswith("  - ")}
    assert set(tried) == {"ATT_FACES_SOURCE", "downloading http", "scikit-learn's Olivetti faces"}
    assert "not set" in tried["ATT_FACES_SOURCE"]
    assert url in tried["downloading http"]
    assert "Name or service not known" in tried["scikit-learn's Olivetti faces"]
    assert "ATT_FACES_SOURCE=" in str(error.value) and data_dir.as_posix() in str(error.value)
    assert_nothing_left(data_dir)


def test_without_the_olivetti_fallback_it_is_not_tried(nb, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(sklearn.datasets, "fetch_olivetti_faces", lambda *a, **k: calls.append(1))
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, "http://127.0.0.1:9/att_faces.zip", nb.ATT_FACES_MD5,
                           False)
    assert calls == [] and "Olivetti" not in str(error.value)
    assert_nothing_left(data_dir)


def test_download_with_wrong_checksum_is_discarded(nb, tmp_path, make_faces, serve):
    payload = zip_of(make_faces())
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, url, "0" * 32, olivetti_fallback=False)
    tried = [line for line in str(error.value).splitlines() if line.startswith("  - ")]
    assert len(tried) == 2 and url in tried[1], "the download is named with why it failed"
    assert_nothing_left(data_dir)
    # the checksum was all that was wrong: the same archive with its own is taken
    nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(), False)
    assert people_of(nb, data_dir)[0] == ["s1", "s2", "s3"]


def test_verified_download_is_unpacked_into_place(nb, tmp_path, make_faces, serve):
    payload = zip_of(make_faces())
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"
    message = nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(),
                                 olivetti_fallback=False)
    assert url in message
    assert people_of(nb, data_dir) == (["s1", "s2", "s3"], [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert [p.name for p in data_dir.parent.iterdir()] == ["att_faces"]


def test_archive_that_is_not_a_zip_is_discarded(nb, tmp_path, serve):
    payload = b"this is an HTML error page, not a zip archive"
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(),
                           olivetti_fallback=False)
    assert url in str(error.value) and "zip" in str(error.value).lower()
    assert_nothing_left(data_dir)


def test_interrupted_download_leaves_nothing_and_next_run_starts_cleanly(nb, tmp_path, make_faces,
                                                                         serve, monkeypatch):
    payload = zip_of(make_faces())
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"

    def interrupted(url, root, filename=None, md5=None, *args, **kwargs):
        (Path(root) / filename).write_bytes(payload[: len(payload) // 2])
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(torchvision.datasets.utils, "download_url", interrupted)
        with pytest.raises(KeyboardInterrupt):
            nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(),
                               olivetti_fallback=False)
    assert_nothing_left(data_dir)
    nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(),
                       olivetti_fallback=False)
    assert people_of(nb, data_dir)[0] == ["s1", "s2", "s3"]


def test_stale_staging_folder_of_a_killed_run_is_removed(nb, tmp_path, make_faces):
    data_dir = tmp_path / "data" / "att_faces"
    stale = tmp_path / "data" / ".att_faces-staging-killed"
    (stale / "att_faces" / "s1").mkdir(parents=True)
    nb.fetch_att_faces(data_dir, str(make_faces()), None, None, olivetti_fallback=False)
    assert sorted(p.name for p in data_dir.parent.iterdir()) == ["att_faces"]


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_local_copy_is_used_and_made_writable(nb, tmp_path, make_faces, serve, as_zip):
    source = make_faces()
    for path in sorted(source.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    if as_zip:
        archive = tmp_path / "att_faces.zip"
        archive.write_bytes(zip_of(source))
        source = archive
    never_fetched = serve("att_faces.zip",
                          b"the download must not be tried when the local copy works")
    data_dir = tmp_path / "data" / "att_faces"
    message = nb.fetch_att_faces(data_dir, str(source), never_fetched, "0" * 32,
                                 olivetti_fallback=False)
    assert "ATT_FACES_SOURCE" in message and "download" not in message
    assert people_of(nb, data_dir) == (["s1", "s2", "s3"], [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert all(p.stat().st_mode & 0o200 for p in [data_dir, *data_dir.rglob("*")]), \
        "the copy must be writable"
    (data_dir / "s1" / "1.pgm").write_bytes(b"")  # really writable, and the source is untouched
    if not as_zip:
        assert (source / "s1" / "1.pgm").stat().st_size > 0


def test_empty_data_folder_is_filled(nb, tmp_path, make_faces):
    data_dir = tmp_path / "data" / "att_faces"
    data_dir.mkdir(parents=True)
    nb.fetch_att_faces(data_dir, str(make_faces()), None, None, olivetti_fallback=False)
    assert people_of(nb, data_dir)[0] == ["s1", "s2", "s3"]


def test_folder_with_photos_is_used_as_it_is(nb, tmp_path, make_faces):
    data_dir = make_faces(name="mine", people=2)
    before = snapshot(data_dir)
    message = nb.fetch_att_faces(data_dir, str(make_faces(name="other", people=3)), None, None,
                                 False)
    assert data_dir.as_posix() in message and snapshot(data_dir) == before


def test_bad_local_copy_leaves_no_data_folder(nb, tmp_path, make_faces, offline):
    source = make_faces()
    shutil.rmtree(source / "s3")
    (source / "s2" / "2.pgm").unlink()
    (source / "s2" / "3.pgm").unlink()
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, str(source), None, None, olivetti_fallback=False)
    failure = next(line for line in str(error.value).splitlines()
                   if "ATT_FACES_SOURCE" in line and "- " in line)
    assert "at least 2" in failure
    assert_nothing_left(data_dir)


# Reading the photos

def test_missing_data_folder_is_named(nb, tmp_path):
    with pytest.raises(nb.FaceDataError) as error:
        load(nb, tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(error.value) and "DATA_DIR" in str(error.value)
    assert not (tmp_path / "nowhere").exists()


def test_folder_without_person_folders_is_refused_and_left_unchanged(nb, tmp_path):
    data_dir = tmp_path / "att_faces"
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("my notes")
    before = snapshot(data_dir)
    assert data_dir.as_posix() in nb.fetch_att_faces(data_dir, None, None, None,
                                                     olivetti_fallback=False)
    message = assert_load_refused(nb, data_dir, str(data_dir))
    assert " 0 " in message and "at least 2" in message
    assert snapshot(data_dir) == before


def test_one_person_folder_is_refused(nb, make_faces):
    folder = make_faces(people=1)
    assert " 1 " in assert_load_refused(nb, folder, str(folder), "at least 2")


def test_person_folder_without_images_is_named(nb, make_faces):
    folder = make_faces()
    (folder / "s4").mkdir()
    (folder / "s4" / "notes.txt").write_text("no images here")
    assert " 0 " in assert_load_refused(nb, folder, str(folder / "s4"), "at least 2")


def test_person_with_one_photo_is_named(nb, make_faces):
    folder = make_faces()
    for extra in ("2.pgm", "3.pgm"):
        (folder / "s2" / extra).unlink()
    message = assert_load_refused(nb, folder, str(folder / "s2"), "at least 2")
    assert " 1 " in message and str(folder / "s1") not in message


def test_people_are_sorted_naturally_and_hidden_entries_skipped(nb, make_faces):
    folder = make_faces(people=3)
    (folder / "s2").rename(folder / "s10")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "1.pgm").write_bytes((folder / "s1" / "1.pgm").read_bytes())
    (folder / "s1" / "._1.pgm").write_bytes(b"macOS resource fork, not an image")
    images, raw, person_ids, names, files, skipped = load(nb, folder)
    assert names == ["s1", "s3", "s10"] and files[0] == "s1/1.pgm" and files[-1] == "s10/3.pgm"
    assert (person_ids.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
            and len(images) == len(raw) == len(files) == 9)
    assert list(skipped_files(skipped)) == ["s1/._1.pgm"] and "not an image" in skipped[0]


def test_photos_are_sorted_naturally_within_a_person(nb, make_faces):
    folder = make_faces(people=2, images=3)
    for number in (10, 2):
        (folder / "s1" / f"{number + 10}.pgm").write_bytes((folder / "s1" / "1.pgm").read_bytes())
    _, _, _, _, files, _ = load(nb, folder)
    assert files[:5] == ["s1/1.pgm", "s1/2.pgm", "s1/3.pgm", "s1/12.pgm", "s1/20.pgm"]


def test_truncated_image_is_named(nb, make_faces):
    folder = make_faces()
    image = folder / "s1" / "2.pgm"
    image.write_bytes(image.read_bytes()[:200])
    assert_load_refused(nb, folder, str(image), "delete")


def test_file_with_image_name_but_no_image_is_named(nb, make_faces):
    folder = make_faces()
    (folder / "s3" / "4.png").write_text("not really a PNG")
    assert_load_refused(nb, folder, str(folder / "s3" / "4.png"))


def test_files_that_are_not_images_are_skipped_and_listed(nb, make_faces):
    folder = make_faces()
    (folder / "README").write_text("credits")
    (folder / "s1" / "Thumbs.db").write_bytes(b"\0\1")
    before = snapshot(folder)
    images, raw, person_ids, names, files, skipped = load(nb, folder)
    assert snapshot(folder) == before
    assert len(images) == 9 and "s1/Thumbs.db" not in files
    reasons = skipped_files(skipped)
    assert list(reasons) == ["README", "s1/Thumbs.db"]
    assert "person" in reasons["README"] and "not an image" in reasons["s1/Thumbs.db"]


def test_other_sizes_and_colour_modes_are_preprocessed(nb, make_faces):
    folder = make_faces()
    colour = np.random.default_rng(0).integers(0, 255, size=(150, 200, 3), dtype=np.uint8)
    Image.fromarray(colour, "RGB").save(folder / "s1" / "4.png")
    Image.fromarray(colour[..., 0], "L").resize((40, 30)).save(folder / "s2" / "4.jpg")
    Image.fromarray(colour, "RGB").convert("RGBA").save(folder / "s3" / "4.webp")
    images, raw, person_ids, names, files, skipped = load(nb, folder)
    assert tuple(images.shape) == (12, 1, *nb.IMAGE_SIZE) and images.dtype == torch.float32
    assert (raw.shape == (12, nb.RAW_PIXEL_SIZE[0] * nb.RAW_PIXEL_SIZE[1])
            and 0 <= raw.min() and raw.max() <= 1)
    for name in ("s1/4.png", "s2/4.jpg", "s3/4.webp"):
        image = images[files.index(name)]
        assert abs(float(image.mean())) < 1e-4 and abs(float(image.std(unbiased=False)) - 1) < 1e-3
    assert skipped == [] and person_ids.tolist() == [0] * 4 + [1] * 4 + [2] * 4


def test_gif_photo_is_read(nb, make_faces):
    folder = make_faces()
    Image.open(folder / "s2" / "1.pgm").save(folder / "s2" / "4.gif")
    images, raw, person_ids, names, files, skipped = load(nb, folder)
    assert "s2/4.gif" in files and skipped == []
    gif, original = files.index("s2/4.gif"), files.index("s2/1.pgm")
    assert person_ids[gif] == 1
    assert torch.allclose(images[gif], images[original], atol=1e-4), \
        "a grey GIF holds the same pixels"


def test_open_photo_names_a_missing_file(nb, tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        nb.open_photo(tmp_path / "missing.png")
    assert str(tmp_path / "missing.png") in str(error.value)


@pytest.mark.parametrize("shape, kept", [((100, 200), (slice(None), slice(59, 141))),
                                         ((300, 92), (slice(94, 206), slice(None)))],
                         ids=["wide", "tall"])
def test_other_aspect_ratios_are_cropped_centrally_not_stretched(nb, shape, kept):
    photo = np.zeros(shape, dtype=np.uint8)
    # a bright region exactly the size of the central crop at the AT&T aspect ratio 56:46
    photo[kept] = 255
    pixels = nb.photo_tensor(Image.fromarray(photo), [56, 46], standardised=False)
    # ImageOps.fit resizes from the photo itself, so its filter also reads a pixel or two beyond
    # the crop: only the outermost row and column may see the dark part
    assert tuple(pixels.shape) == (1, 56, 46) and float(pixels[:, 1:-1, 1:-1].min()) == 1.0
    assert float(pixels.min()) > 0.75, "the crop is not centred on the bright region"
    bigger = photo.copy()
    bigger[tuple(slice(max(0, k.start - 3) if k.start else None, k.stop + 3 if k.stop else None)
                 for k in kept)] = 255
    assert float(nb.photo_tensor(Image.fromarray(bigger), [56, 46], standardised=False).min()) \
        == 1.0


def test_crop_box_is_used_when_given(nb):
    photo = np.zeros((200, 200), dtype=np.uint8)
    photo[20:76, 100:146] = 255
    pixels = nb.photo_tensor(Image.fromarray(photo), [56, 46], box=(100, 20, 146, 76),
                             standardised=False)
    assert tuple(pixels.shape) == (1, 56, 46) and float(pixels.min()) == 1.0


def test_standardised_pipeline_gives_mean_zero_and_unit_spread(nb, real_faces):
    image = nb.open_photo(real_faces / "s5" / "3.pgm")
    pixels = nb.photo_tensor(image, nb.IMAGE_SIZE)
    assert tuple(pixels.shape) == (1, *nb.IMAGE_SIZE) and pixels.dtype == torch.float32
    assert abs(float(pixels.mean())) < 1e-5 and abs(float(pixels.std(unbiased=False)) - 1) < 1e-4
    darker = Image.fromarray((np.asarray(image, dtype=float) * 0.5).astype(np.uint8))
    difference = (nb.photo_tensor(darker, nb.IMAGE_SIZE) - pixels).abs()
    assert float(difference.mean()) < 0.03 and float(difference.max()) < 0.2, \
        "a darker photo of the same face looks the same to the network (up to rounding to 8 bits)"


def test_uniform_photo_does_not_divide_by_zero(nb):
    pixels = nb.photo_tensor(Image.new("L", (92, 112), 128), nb.IMAGE_SIZE)
    assert torch.isfinite(pixels).all() and float(pixels.abs().max()) < 0.5


# Finding faces first

def fake_face_box(photo, image_size):
    """A stand-in for the detector: no face in a uniform photo, else the whole photo."""
    return None if np.asarray(photo).std() == 0 else (0, 0, photo.width, photo.height)


def test_photos_without_a_face_are_skipped_and_listed(nb, make_faces, monkeypatch):
    monkeypatch.setattr(nb, "face_box", fake_face_box)
    folder = make_faces()
    Image.new("L", (92, 112), 128).save(folder / "s2" / "x.jpg")
    images, raw, person_ids, names, files, skipped = load(nb, folder, find_faces=True)
    assert "s2/x.jpg" not in files and len(files) == 9
    assert skipped_files(skipped) == {"s2/x.jpg": "no face found"}
    images_off, _, _, _, files_off, skipped_off = load(nb, folder, find_faces=False)
    assert "s2/x.jpg" in files_off and skipped_off == []


def test_a_local_copy_that_does_not_exist_is_named_and_nothing_is_written(nb, tmp_path):
    data_dir, missing = tmp_path / "data" / "att_faces", tmp_path / "nowhere.zip"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, str(missing), None, nb.ATT_FACES_MD5, False)
    assert f"{missing} is not a folder, a zip file or a web address" in str(error.value)
    assert not data_dir.exists() and list((tmp_path / "data").iterdir()) == []


# ---- Fetching the faces: a bad copy never becomes the data folder ----------------------------


def test_a_local_copy_with_one_photo_per_person_is_refused_and_leaves_nothing(nb, tmp_path,
                                                                              make_faces):
    source = make_faces(people=3, images=1)  # no person has the 2 photos a genuine pair needs
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, str(source), "http://127.0.0.1:9/att_faces.zip",
                           nb.ATT_FACES_MD5, olivetti_fallback=False)
    assert "at least 2 photos" in str(error.value)
    assert not data_dir.exists() and list(data_dir.parent.iterdir()) == []
