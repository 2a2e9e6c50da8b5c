"""TEMPORARY hand-over file: the rule that replaces the notebook's `largest_face`.

Paste everything below the marker into the notebook's cell with largest_face_at, largest_face,
framed_box and face_box, in place of its `largest_face` (FACE_SEARCHES_NEEDED can sit next to
DETECTION_SCALES), then delete this file. Measured with tests/tune_face_searches.py; recorded in
tests/RESULTS.md ("How many searches must agree"); tested by tests/test_no_false_faces.py."""
import numpy as np

DETECTION_SCALES = (1.0, 1.025, 1.05, 1.075)  # the notebook's; here so that this file imports alone


def largest_face_at(photo, scale):
    """Stand-in for the notebook's largest_face_at, which the pasted code uses."""
    raise NotImplementedError("use the notebook's largest_face_at")


# ---- paste from here --------------------------------------------------------------------------
FACE_SEARCHES_NEEDED = 3  # a face counts only when this many searches at DETECTION_SCALES find it


def box_area(face):
    """The area of a box (x, y, width, height)."""
    return face[2] * face[3]


def near(face, other):
    """True when the centre of box `other` (x, y, width, height) lies inside box `face`."""
    (x, y, w, h), (other_x, other_y, other_w, other_h) = face, other
    across = other_x + other_w / 2 - x - w / 2  # from centre to centre
    down = other_y + other_h / 2 - y - h / 2
    return abs(across) < w / 2 and abs(down) < h / 2


def agreeing_face(found, needed):
    """The median of the boxes near the largest box, if `needed` searches found one; else None."""
    faces = [face for face in found if face is not None]  # found: a box or None per search
    if not faces:
        return None
    largest = max(faces, key=box_area)
    same = [face for face in faces if near(largest, face)]
    if len(same) < needed:
        return None  # found by too few searches: most often not a face
    centres_and_sizes = [(f[0] + f[2] / 2, f[1] + f[3] / 2, f[2], f[3]) for f in same]
    x, y, w, h = np.median(centres_and_sizes, axis=0)
    return round(x - w / 2), round(y - h / 2), round(w), round(h)


def largest_face(photo):
    """The largest frontal face in a grey photo, (x, y, width, height), or None (agreeing_face)."""
    shrink = min(1.0, 640 / max(photo.size))  # search copies at most about 640 pixels across
    found = [largest_face_at(photo, scale * shrink) for scale in DETECTION_SCALES]
    return agreeing_face(found, FACE_SEARCHES_NEEDED)
