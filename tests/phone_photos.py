"""Phone-like test photos: AT&T faces pasted at random sizes and places into larger colour scenes,
saved as JPEG in folders named by first names, with a few background-only photos that hold no face
at all.

A helper module for the tests (its name does not start with test_, so pytest does not collect
it)."""
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter

# 40 distinct first names for s1 ... s40. Sorted, so that the notebook's (alphabetical) order of the
# folders is the order of s1 ... s40: a run on the phone-like tree then numbers, splits and trains
# on the people as a run on the AT&T folders does, and the two runs differ only in the photos.
FIRST_NAMES = sorted(["alice", "bob", "carla", "david", "emma", "felix", "greta", "hugo", "ines",
                      "jonas", "katja", "leon", "maria", "nils", "olga", "paul", "quinn", "rosa",
                      "sven", "tara", "ulla", "vera", "walter", "xenia", "yusuf", "zoe", "anton",
                      "bella", "chris", "dora", "emil", "frida", "georg", "hanna", "igor", "julia",
                      "karl", "lena", "max", "nora"])
assert len(set(FIRST_NAMES)) == 40
NAME_OF = {number: name for number, name in enumerate(FIRST_NAMES, 1)}  # N (for sN) -> first name
SCENE_SIZE = (360, 270)  # (width, height), like a small landscape phone photo
EXIF_ORIENTATION = 0x0112
# The short notebook settings of the end-to-end runs on phone-like photos
# (tests/test_find_faces.py) and of the face-finding harness
# (tests/run_by_hand/tune_face_frame.py): one network of 15 epochs, one calibration network.
SHORT_SETTINGS = dict(EPOCHS=15, N_MODELS=1, CALIBRATION_MODELS=1, ONE_SHOT_DRAWS=20,
                      SANITY_CHECKS=False)


class PhoneTree(NamedTuple):
    """What phone_like_tree wrote: the root, the first name of each person N, and every photo (a
    path relative to root) with the rectangle (left, top, right, bottom) its face was pasted into,
    or None for a photo with no face."""
    root: Path
    names: dict
    photos: dict

    @property
    def no_face(self):
        """The photos with no face in them, relative paths in sorted order."""
        return sorted(path for path, rect in self.photos.items() if rect is None)

    def files_of(self, name, faces_only=True):
        """The photos of one person (first name), relative paths."""
        return sorted(p for p, rect in self.photos.items()
                      if p.split("/")[0] == name and (rect or not faces_only))


def background_scene(rng, size=SCENE_SIZE):
    """A random smooth colour scene: a two-colour gradient with a few soft rectangles, and
    no face."""
    width, height = size
    start, end = rng.uniform(0, 255, (2, 3))
    rows, cols = np.mgrid[0:height, 0:width]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * cols / width + np.sin(angle) * rows / height
    scene = start + ((ramp - ramp.min()) / np.ptp(ramp))[..., None] * (end - start)
    for _ in range(rng.integers(2, 6)):
        (left, right), (top, bottom) = (np.sort(rng.integers(0, width, 2)),
                                        np.sort(rng.integers(0, height, 2)))
        scene[top:bottom, left:right] = (0.5 * scene[top:bottom, left:right]
                                         + 0.5 * rng.uniform(0, 255, 3))
    return Image.fromarray(np.uint8(scene)).filter(ImageFilter.GaussianBlur(2))


def paste_photo(scene, photo, rng, height_share=(0.20, 0.35)):
    """Paste a photo into a scene at a random share of its height and a random place; return
    (l, t, r, b)."""
    height = round(rng.uniform(*height_share) * scene.height)
    width = round(height * photo.width / photo.height)
    left, top = (int(rng.integers(0, scene.width - width + 1)),
                 int(rng.integers(0, scene.height - height + 1)))
    scene.paste(photo.convert("RGB").resize((width, height), Image.LANCZOS), (left, top))
    return left, top, left + width, top + height


def save_sideways(image, path, quality=92):
    """Save an upright image the way a phone held sideways does: pixels turned left, EXIF
    orientation 6 (a viewer turns it 90 degrees clockwise to show it upright)."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    image.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif, quality=quality)


def phone_like_tree(att_root, out_root, people, seed, no_face_per_person=None,
                    photos_per_person=None, scene_size=SCENE_SIZE):
    """Write the AT&T people `people` (N for sN) as phone-like JPEG scenes, one folder per person
    named by NAME_OF[N]: every photo (or the first photos_per_person) pasted into its own colour
    scene, plus background-only scenes with no face: no_face_per_person is a number for every folder
    or {N: count}. Returns a PhoneTree."""
    rng, root, photos = np.random.default_rng(seed), Path(out_root), {}
    if not isinstance(no_face_per_person, dict):
        no_face_per_person = {number: no_face_per_person or 0 for number in people}
    for number in people:
        folder = root / NAME_OF[number]
        folder.mkdir(parents=True, exist_ok=True)
        sources = sorted(Path(att_root, f"s{number}").glob("*.pgm"), key=lambda p: int(p.stem))
        for source in sources[:photos_per_person]:
            scene = background_scene(rng, scene_size)
            with Image.open(source) as face:
                photos[f"{folder.name}/{source.stem}.jpg"] = paste_photo(scene, face, rng)
            scene.save(folder / f"{source.stem}.jpg", quality=90)
        for index in range(no_face_per_person.get(number, 0)):
            background_scene(rng, scene_size).save(folder / f"no_face_{index + 1}.jpg", quality=90)
            photos[f"{folder.name}/no_face_{index + 1}.jpg"] = None
    return PhoneTree(root, {number: NAME_OF[number] for number in people}, photos)


def iou(a, b):
    """Intersection over union of two (left, top, right, bottom) rectangles."""
    width, height = (max(0, min(a[2], b[2]) - max(a[0], b[0])),
                     max(0, min(a[3], b[3]) - max(a[1], b[1])))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - width * height
    return width * height / union
