"""Bad data must end in one clear message and never leave a half-written data folder behind."""
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


@pytest.fixture
def serve(tmp_path):
    """Serve files from a folder over HTTP on the loopback address; yield a function that returns URLs."""
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


def snapshot(folder):
    """Every path below folder with the hash of its content, to show that a failed load changed nothing."""
    return {p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def assert_load_refused(nb, folder, message_pattern):
    """Loading folder raises FaceDataError matching the pattern and leaves the folder as it was."""
    before = snapshot(folder)
    with pytest.raises(nb.FaceDataError, match=message_pattern):
        nb.load_identities(folder, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert snapshot(folder) == before


def assert_nothing_left(data_dir):
    """The data folder does not exist and no staging folder was left beside it."""
    assert not data_dir.exists()
    if data_dir.parent.exists():
        assert [p.name for p in data_dir.parent.iterdir()] == []


def test_offline_without_local_copy_lists_what_was_tried(nb, tmp_path, offline):
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, "http://127.0.0.1:9/att_faces.zip", nb.DATA_MD5, True)
    message = str(error.value)
    assert "Could not obtain the AT&T face images. Tried:" in message
    assert "ATT_FACES_SOURCE: not set" in message
    assert "downloading http://127.0.0.1:9/att_faces.zip: download from" in message
    assert "scikit-learn's Olivetti faces: scikit-learn's fetch_olivetti_faces failed" in message
    assert "set ATT_FACES_SOURCE=/path/to/att_faces.zip" in message
    assert_nothing_left(data_dir)


def test_download_with_wrong_checksum_is_discarded(nb, tmp_path, make_faces, serve):
    url = serve("att_faces.zip", zip_of(make_faces()))
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, url, "0" * 32, olivetti_fallback=False)
    assert "does not have the expected MD5 checksum" in str(error.value)
    assert_nothing_left(data_dir)


def test_verified_download_is_unpacked_into_place(nb, tmp_path, make_faces, serve):
    payload = zip_of(make_faces())
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"
    message = nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(), olivetti_fallback=False)
    assert message == f"Obtained the faces from downloading {url}."
    folder = nb.IdentityFolder(data_dir)
    assert folder.classes == ["s1", "s2", "s3"] and folder.targets == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert [p.name for p in data_dir.parent.iterdir()] == ["att_faces"]


def test_archive_that_is_not_a_zip_is_discarded(nb, tmp_path, serve):
    payload = b"this is an HTML error page, not a zip archive"
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(), olivetti_fallback=False)
    assert "could not be unpacked" in str(error.value)
    assert_nothing_left(data_dir)


def test_interrupted_download_leaves_nothing_and_next_run_starts_cleanly(nb, tmp_path, make_faces, serve,
                                                                         monkeypatch):
    payload = zip_of(make_faces())
    url = serve("att_faces.zip", payload)
    data_dir = tmp_path / "data" / "att_faces"

    def interrupted(url, root, filename=None, md5=None):
        (Path(root) / filename).write_bytes(payload[: len(payload) // 2])
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(torchvision.datasets.utils, "download_url", interrupted)
        with pytest.raises(KeyboardInterrupt):
            nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(), olivetti_fallback=False)
    assert_nothing_left(data_dir)
    nb.fetch_att_faces(data_dir, None, url, hashlib.md5(payload).hexdigest(), olivetti_fallback=False)
    assert nb.IdentityFolder(data_dir).classes == ["s1", "s2", "s3"]


def test_stale_staging_folder_of_a_killed_run_is_removed(nb, tmp_path, make_faces):
    data_dir = tmp_path / "data" / "att_faces"
    stale = tmp_path / "data" / ".att_faces-staging-killed"
    (stale / "att_faces" / "s1").mkdir(parents=True)
    nb.fetch_att_faces(data_dir, str(make_faces()), None, None, olivetti_fallback=False)
    assert sorted(p.name for p in data_dir.parent.iterdir()) == ["att_faces"]


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_local_copy_is_used(nb, tmp_path, make_faces, as_zip):
    source = make_faces()
    for path in sorted(source.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    if as_zip:
        archive = tmp_path / "att_faces.zip"
        archive.write_bytes(zip_of(source))
        source = archive
    data_dir = tmp_path / "data" / "att_faces"
    message = nb.fetch_att_faces(data_dir, str(source), None, None, olivetti_fallback=False)
    assert message == "Obtained the faces from the local copy named by ATT_FACES_SOURCE."
    assert nb.IdentityFolder(data_dir).classes == ["s1", "s2", "s3"]
    assert all(p.stat().st_mode & 0o200 for p in [data_dir, *data_dir.rglob("*")]), "the copy must be writable"


def test_empty_data_folder_is_filled(nb, tmp_path, make_faces):
    data_dir = tmp_path / "data" / "att_faces"
    data_dir.mkdir(parents=True)
    nb.fetch_att_faces(data_dir, str(make_faces()), None, None, olivetti_fallback=False)
    assert nb.IdentityFolder(data_dir).classes == ["s1", "s2", "s3"]


def test_missing_data_folder_is_named(nb, tmp_path):
    with pytest.raises(nb.FaceDataError, match=r"The data folder .*nowhere does not exist\. Set DATA_DIR"):
        nb.load_identities(tmp_path / "nowhere", nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert not (tmp_path / "nowhere").exists()


def test_folder_without_identity_folders_is_refused_and_left_unchanged(nb, tmp_path):
    data_dir = tmp_path / "att_faces"
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("my notes")
    before = snapshot(data_dir)
    assert nb.fetch_att_faces(data_dir, None, None, None, olivetti_fallback=False).startswith("Using the images")
    assert_load_refused(nb, data_dir, r"holds 0 identity sub-folder\(s\); at least 2 are needed, each with the "
                                      r"images of one identity")
    assert snapshot(data_dir) == before


def test_identity_folder_without_images_is_named(nb, make_faces):
    folder = make_faces()
    (folder / "s4").mkdir()
    (folder / "s4" / "notes.txt").write_text("no images here")
    assert_load_refused(nb, folder, r"The identity folder .*s4 holds 0 image\(s\); every identity needs at least 2")


def test_identities_are_sorted_naturally_and_hidden_entries_skipped(nb, make_faces):
    folder = make_faces(subjects=3)
    (folder / "s2").rename(folder / "s10")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / "s1" / "._1.pgm").write_bytes(b"macOS resource fork, not an image")
    images, raw, subjects, names, files, ignored = nb.load_identities(folder, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert names == ["s1", "s3", "s10"] and files[0] == "s1/1.pgm" and files[-1] == "s10/3.pgm"
    assert subjects.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2] and ignored == ["s1/._1.pgm"]


def test_subject_with_one_image_is_named(nb, make_faces):
    folder = make_faces()
    for extra in ("2.pgm", "3.pgm"):
        (folder / "s2" / extra).unlink()
    assert_load_refused(nb, folder, r"The identity folder .*s2 holds 1 image\(s\); every identity needs at least 2")


def test_bad_local_copy_leaves_no_data_folder(nb, tmp_path, make_faces, offline):
    source = make_faces()
    shutil.rmtree(source / "s3")
    (source / "s2" / "2.pgm").unlink()
    (source / "s2" / "3.pgm").unlink()
    data_dir = tmp_path / "data" / "att_faces"
    with pytest.raises(nb.FaceDataError) as error:
        nb.fetch_att_faces(data_dir, str(source), None, None, olivetti_fallback=False)
    assert "the local copy named by ATT_FACES_SOURCE: Subject folder s2 holds fewer than 2 images" in str(error.value)
    assert_nothing_left(data_dir)


def test_truncated_image_is_named(nb, make_faces):
    folder = make_faces()
    image = folder / "s1" / "2.pgm"
    image.write_bytes(image.read_bytes()[:200])
    assert_load_refused(nb, folder, r"Cannot read the image .*s1/2\.pgm .*truncated or not an image")


def test_file_with_image_name_but_no_image_is_named(nb, make_faces):
    folder = make_faces()
    (folder / "s3" / "4.png").write_text("not really a PNG")
    assert_load_refused(nb, folder, r"Cannot read the image .*s3/4\.png")


def test_files_that_are_not_images_are_ignored_and_reported(nb, make_faces):
    folder = make_faces()
    (folder / "README").write_text("credits")
    (folder / "s1" / "Thumbs.db").write_bytes(b"\0\1")
    before = snapshot(folder)
    images, raw, subjects, names, files, ignored = nb.load_identities(folder, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert snapshot(folder) == before
    assert len(images) == 9 and "s1/Thumbs.db" not in files
    assert ignored == ["README", "s1/Thumbs.db"]


def test_other_sizes_and_colour_modes_are_preprocessed(nb, make_faces):
    folder = make_faces()
    colour = np.random.default_rng(0).integers(0, 255, size=(150, 200, 3), dtype=np.uint8)
    Image.fromarray(colour, "RGB").save(folder / "s1" / "4.png")
    Image.fromarray(colour[..., 0], "L").resize((40, 30)).save(folder / "s2" / "4.jpg")
    images, raw, subjects, names, files, ignored = nb.load_identities(folder, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)
    assert tuple(images.shape) == (11, 1, *nb.IMAGE_SIZE)
    assert raw.shape == (11, nb.RAW_PIXEL_SIZE[0] * nb.RAW_PIXEL_SIZE[1])
    assert abs(float(images[3].mean())) < 1e-4 and abs(float(images[3].std(unbiased=False)) - 1) < 1e-3
    assert "s1/4.png" in files and "s2/4.jpg" in files


def test_other_aspect_ratios_are_cropped_centrally_not_stretched(nb):
    wide = np.zeros((100, 200), dtype=np.uint8)
    wide[:, 59:141] = 255  # a bright band exactly as wide as the crop that keeps the AT&T aspect ratio
    cropped = nb.crop_to_aspect(Image.fromarray(wide), 112 / 92)
    assert cropped.size == (82, 100)
    assert np.asarray(cropped).min() == 255
    pixels = nb.image_pipeline([56, 46], standardised=False)(Image.fromarray(wide))
    assert tuple(pixels.shape) == (1, 56, 46) and float(pixels.min()) == 1.0


def test_standardised_pipeline_gives_mean_zero_and_unit_spread(nb, real_faces):
    image = nb.open_face_image(real_faces / "s5" / "3.pgm")
    pixels = nb.image_pipeline(nb.IMAGE_SIZE)(image)
    assert tuple(pixels.shape) == (1, *nb.IMAGE_SIZE) and pixels.dtype == torch.float32
    assert abs(float(pixels.mean())) < 1e-5 and abs(float(pixels.std(unbiased=False)) - 1) < 1e-4
