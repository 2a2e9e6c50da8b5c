"""Fetching the AT&T faces (never a half-written folder), reading any one-folder-per-class tree,
and the split by person."""
import zipfile

import numpy as np
import pytest
from PIL import Image


def test_fetch_copies_a_folder_and_leaves_a_filled_folder_alone(nb, faces, tmp_path):
    target = nb.fetch_att_faces(tmp_path / "data" / "att_faces", faces)
    assert len(list(target.glob("s*/*.pgm"))) == 400
    (target / "s1" / "1.pgm").unlink()  # a filled folder is used as it is, not fetched again
    nb.fetch_att_faces(target, faces)
    assert not (target / "s1" / "1.pgm").exists()


def test_fetch_unpacks_the_zip_into_an_empty_folder(nb, faces_zip, tmp_path):
    target = tmp_path / "att_faces"
    target.mkdir()
    nb.fetch_att_faces(target, faces_zip)
    assert len(list(target.glob("s*/*.pgm"))) == 400
    assert [p.name for p in tmp_path.iterdir()] == ["att_faces"]  # no staging folder left


def test_a_bad_zip_leaves_no_folder_behind(nb, tmp_path):
    bad = tmp_path / "other.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("photos/readme.txt", "not the faces")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / ".att_faces-staging-old").mkdir()  # left by a killed run
    with pytest.raises(FileNotFoundError, match="ATT_FACES_SOURCE"):
        nb.fetch_att_faces(tmp_path / "data" / "att_faces", bad)
    assert list((tmp_path / "data").iterdir()) == []


def test_a_failed_download_says_how_to_work_offline(nb, tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("Name or service not known")
    monkeypatch.setattr(nb, "download_and_extract_archive", offline)
    with pytest.raises(RuntimeError, match="ATT_FACES_SOURCE"):
        nb.fetch_att_faces(tmp_path / "att_faces")
    assert list(tmp_path.iterdir()) == []


def test_the_download_is_checked_against_its_md5_sum(nb, tmp_path, monkeypatch):
    seen = {}

    def fake_download(url, folder, md5=None, **kwargs):
        seen.update(url=url, md5=md5)
        raise RuntimeError("File not found or corrupted.")  # what torchvision says on a bad sum
    monkeypatch.setattr(nb, "download_and_extract_archive", fake_download)
    with pytest.raises(RuntimeError, match="corrupted"):
        nb.fetch_att_faces(tmp_path / "att_faces")
    assert seen["md5"] == "6efb25cb0d40755e9492b9c012e3348d" and seen["url"].endswith(".zip")


def test_any_tree_of_images_is_read_and_other_files_are_listed(nb, make_tree):
    root = make_tree(people=6, photos=3, suffix=".png")
    Image.open(root / "p1" / "1.png").save(root / "p1" / "4.gif")
    Image.open(root / "p2" / "1.png").convert("RGB").save(root / "p2" / "4.jpg")
    (root / "p3" / "notes.txt").write_text("not an image")
    (root / "README.md").write_text("not a person")
    images, raw, ids, names, files, skipped = nb.read_photos(root)
    assert names == [f"p{k}" for k in range(1, 7)] and len(images) == 20
    assert sorted(skipped) == ["README.md", "notes.txt"]
    assert images.shape[1:] == (1, *nb.IMAGE_SIZE) and raw.shape == (20, 112 * 92)
    assert abs(float(images[0].mean())) < 1e-4 and float(images[0].std()) == pytest.approx(1, 0.01)
    assert "p1/4.gif" in files and list(np.bincount(ids)) == [4, 4, 3, 3, 3, 3]


def test_photos_are_turned_upright_as_their_orientation_tag_says(nb, tmp_path):
    photo = Image.new("L", (40, 20), 0)
    photo.paste(255, (0, 0, 20, 20))  # white left half
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to view"
    photo.save(tmp_path / "tagged.jpg", exif=exif)
    upright = nb.open_photo(tmp_path / "tagged.jpg")
    assert upright.size == (20, 40)
    assert np.asarray(upright)[:20].mean() > 200  # the white half is now on top


@pytest.mark.parametrize("people, photos, removed, match", [
    (5, 3, None, "at least 6 people"), (6, 3, ("p2", 2), "p2")])
def test_too_few_people_or_photos_is_a_clear_error(nb, make_tree, people, photos, removed, match):
    root = make_tree(people=people, photos=photos)
    if removed:
        for photo in sorted((root / removed[0]).iterdir())[:removed[1]]:
            photo.unlink()
    with pytest.raises(ValueError, match=match):
        nb.read_photos(root)


def test_a_damaged_image_names_the_file(nb, make_tree):
    root = make_tree()
    (root / "p1" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(ValueError, match="broken.jpg"):
        nb.read_photos(root)


def test_a_missing_folder_is_a_clear_error(nb, tmp_path):
    with pytest.raises(FileNotFoundError, match="DATA_DIR"):
        nb.read_photos(tmp_path / "nowhere")


def test_people_are_split_into_three_disjoint_groups(nb):
    names = [f"s{k}" for k in range(1, 41)]
    test, validation, training = nb.split_people(names, [1, 2, "s3"], 0.3, seed=0)
    assert [names[p] for p in test] == ["s1", "s2", "s3"]
    groups = np.concatenate([test, validation, training])
    assert sorted(groups) == list(range(40)) and len(validation) == round(0.3 * 37)
    drawn = nb.split_people(names, None, 0.3, seed=0)[0]
    assert len(drawn) == 10 and list(drawn) == list(nb.split_people(names, None, 0.3, seed=0)[0])


@pytest.mark.parametrize("test_people, match", [([1, 99], "s99.*not folders"),
                                                 (["s1"], "at least 2")])
def test_unknown_or_too_few_test_people_are_refused(nb, test_people, match):
    names = [f"s{k}" for k in range(1, 41)]
    with pytest.raises(ValueError, match=match):
        nb.split_people(names, test_people, 0.3, seed=0)

