"""Tuning harness for FIND_FACES: how many of the searches at DETECTION_SCALES must find a face
before it counts.

Not collected by pytest (its name does not start with test_). It regenerates the tables of "How many
searches must agree" in tests/records/RESULTS.md. It uses the training people s11-s40 only; s1-s10
are the held-out people of the end-to-end test (tests/test_find_faces.py), and nothing is chosen on
them.

Every photo is searched once at each of the notebook's DETECTION_SCALES (nb.largest_face_at: the
largest face of each search, or None); each rule then picks its face from those boxes: * "K of 4,
largest only": the largest box, if at least K searches found a box near it (K = 1 is the notebook's
rule before this measurement); otherwise no face. * "K of 4, largest agreed": the largest box that
at least K searches found near it; otherwise no face. Both keep the median box of the searches near
the chosen one. One more row asks a second opinion of the face "3 of 4, largest agreed" picks:
OpenCV's strictest frontal-face cascade (haarcascade_frontalface_alt_tree) must also find a face
there, searched on a crop around it.

It measures, for every rule, 1. the false faces in no-face scenes of every kind of
tests/no_face_scenes.py (--per-kind of each, --scene-seed), 2. the faces found, and found in the
right place (the frame's IoU with the pasted photo above 0.5), in the phone-like scenes of s11-s40
(tests/phone_photos.py, one tree of 300 scenes per --tree-seeds), with how steady the box is against
the face found in the full-size photo (standard deviations of the centre across and down and of the
log size, as shares of that face, over the faces in the right place), 3. the same for every photo of
s11-s40 pasted into a 360 x 270 scene of each kind in turn (--kinds-seed): faces in front of leaves,
bricks, clouds ... and not only in front of smooth colours.

From the repository root:

    # all three: 2000 scenes, 17 minutes on the shared 2-core CPU
    python tests/run_by_hand/tune_face_searches.py
    # fresh no-face scenes
    python tests/run_by_hand/tune_face_searches.py --scene-seed 2 --per-kind 50 --no-face-only
"""

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
from no_face_scenes import KINDS, no_face_scenes, through_jpeg  # noqa: E402
from notebook_code import att_faces_folder, load_notebook_code  # noqa: E402
from phone_photos import NAME_OF, SCENE_SIZE, iou, paste_photo, phone_like_tree  # noqa: E402

TRAINING_PEOPLE = range(11, 41)
SECOND_OPINION = cv2.CascadeClassifier(
    cv2.data.haarcascades + "haarcascade_frontalface_alt_tree.xml"
)


def searches(nb, photo):
    """The largest face of each search at nb.DETECTION_SCALES (a tuple (x, y, w, h) or None), as
    largest_face
    searches: copies at most about 640 pixels across."""
    shrink = min(1.0, 640 / max(photo.size))
    found = [nb.largest_face_at(photo, scale * shrink) for scale in nb.DETECTION_SCALES]
    return [None if face is None else tuple(float(v) for v in face) for face in found]


def near(face, other):
    """True when the centre of box `other` lies inside box `face` (the notebook's test)."""
    (x, y, w, h), (other_x, other_y, other_w, other_h) = face, other
    return (
        abs(other_x + other_w / 2 - x - w / 2) < w / 2
        and abs(other_y + other_h / 2 - y - h / 2) < h / 2
    )


def median_box(same):
    """The median centre and size of boxes, as a box (x, y, w, h) of whole pixels."""
    x, y, w, h = np.median([(f[0] + f[2] / 2, f[1] + f[3] / 2, f[2], f[3]) for f in same], axis=0)
    return round(x - w / 2), round(y - h / 2), round(w), round(h)


def area(box):
    """The area of a box (x, y, w, h)."""
    return box[2] * box[3]


def rule(needed, largest_only):
    """A rule: from the boxes of the searches to a face (x, y, w, h) or None."""

    def choose(found):
        faces = sorted((f for f in found if f is not None), key=area, reverse=True)
        for face in faces[:1] if largest_only else faces:
            same = [other for other in faces if near(face, other)]
            if len(same) >= needed:
                return median_box(same)
        return None

    return choose


RULES = {
    **{
        f"{k} of 4, largest only" + (" (the notebook)" if k == 1 else ""): rule(k, True)
        for k in (1, 2, 3, 4)
    },
    **{f"{k} of 4, largest agreed": rule(k, False) for k in (2, 3, 4)},
}
SECOND_OPINION_OF = "3 of 4, largest agreed"
SECOND_OPINION_ROW = f"{SECOND_OPINION_OF}, and the alt_tree cascade finds it too"


def second_opinion(photo, face, width=60, margin=0.6):
    """True when the alt_tree cascade finds a face near `face` (x, y, w, h) on a crop around it,
    enlarged so that
    the face is `width` pixels wide."""
    x, y, w, h = face
    left, top = max(0, int(x - margin * w)), max(0, int(y - margin * h))
    right, bottom = (
        min(photo.width, int(x + w + margin * w) + 1),
        min(photo.height, int(y + h + margin * h) + 1),
    )
    zoom, border = width / w, round(margin * width)
    crop = photo.crop((left, top, right, bottom))
    crop = np.asarray(
        crop.resize((max(1, round(crop.width * zoom)), max(1, round(crop.height * zoom))))
    )
    faces = SECOND_OPINION.detectMultiScale(
        cv2.copyMakeBorder(crop, *[border] * 4, cv2.BORDER_REPLICATE),
        scaleFactor=1.02,
        minNeighbors=2,
        minSize=(round(0.7 * width),) * 2,
        maxSize=(round(1.4 * width),) * 2,
    )
    moved = ((x - left) * zoom + border, (y - top) * zoom + border, w * zoom, h * zoom)
    return any(near(moved, other) for other in faces)


def measure(nb, photo):
    """The boxes of the searches, and whether the second opinion confirms the face SECOND_OPINION_OF
    picks."""
    found = searches(nb, photo)
    face = RULES[SECOND_OPINION_OF](found)
    return found, face is not None and second_opinion(photo, face)


def support(found):
    """How many searches found a box near the largest box (0 when none found anything)."""
    faces = sorted((f for f in found if f is not None), key=area, reverse=True)
    return 0 if not faces else sum(near(faces[0], other) for other in faces)


def steadiness(pairs):
    """Standard deviations of (x, y, log size) of the scene's face against the full-size photo's
    face mapped into
    the scene, as shares of that face; pairs holds (scene face, full-size face, pasted rectangle,
    photo height)."""
    shifts = []
    for (x, y, w, h), original, (left, top, right, bottom), photo_height in pairs:
        zoom = (bottom - top) / photo_height
        ox, oy, ow, oh = (
            left + original[0] * zoom,
            top + original[1] * zoom,
            original[2] * zoom,
            original[3] * zoom,
        )
        shifts.append(
            ((x + w / 2 - ox - ow / 2) / ow, (y + h / 2 - oy - oh / 2) / oh, np.log(h / oh))
        )
    return np.std(shifts, axis=0)


def pasted_scenes(nb, att, seed, kinds):
    """Every photo of s11-s40 pasted into a 360 x 270 scene of the next kind in `kinds`
    (phone_photos.paste_photo,
    then a JPEG): a list of (the searches' boxes and second opinion, pasted rectangle, source photo,
    kind)."""
    rng, scenes = np.random.default_rng(seed), []
    for index, (number, stem) in enumerate((n, s) for n in TRAINING_PEOPLE for s in range(1, 11)):
        kind, source = kinds[index % len(kinds)], att / f"s{number}" / f"{stem}.pgm"
        scene = KINDS[kind](rng, SCENE_SIZE)
        rect = paste_photo(scene, nb.open_photo(source), rng)
        scenes.append((measure(nb, through_jpeg(scene).convert("L")), rect, source, kind))
    return scenes


def training_scenes(nb, att, seeds):
    """The phone-like scenes of s11-s40 (phone_photos.phone_like_tree, one per seed), searched like
    pasted_scenes."""
    number_of, scenes = {name: number for number, name in NAME_OF.items()}, []
    with tempfile.TemporaryDirectory(prefix="tune_face_searches_") as work:
        for seed in seeds:
            tree = phone_like_tree(att, Path(work) / f"seed-{seed}", TRAINING_PEOPLE, seed=seed)
            for path, rect in tree.photos.items():
                name, stem = path.split("/")[0], path.split("/")[1].split(".")[0]
                source = att / f"s{number_of[name]}" / f"{stem}.pgm"
                scenes.append((measure(nb, nb.open_photo(tree.root / path)), rect, source, "blobs"))
    return scenes


def measure_all(nb, att, args):
    """Search every scene once: the no-face scenes by kind, the phone-like training scenes, the
    training people's
    photos pasted into scenes of every kind, and the full-size photos."""
    started, measured = time.time(), {"no face": {}}
    for kind in KINDS:
        scenes = no_face_scenes(kind, args.per_kind, args.scene_seed)
        measured["no face"][kind] = [measure(nb, scene.convert("L")) for scene in scenes]
        print(
            f"{kind}: {len(scenes)} no-face scenes, {time.time() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    if args.no_face_only:
        return measured
    measured["phone-like"] = training_scenes(nb, att, args.tree_seeds)
    measured["every kind"] = pasted_scenes(nb, att, args.kinds_seed, list(KINDS))
    measured["full size"] = {
        source: searches(nb, nb.open_photo(source))
        for _, _, source, _ in measured["phone-like"] + measured["every kind"]
    }
    print(f"training scenes, {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    return measured


def faces_of(nb, rule_name, scenes, full_size):
    """For one rule: how many scenes have a face, how many in the right place (the frame's IoU with
    the pasted
    photo above 0.5), and the steadiness of the faces in the right place."""
    choose = RULES[SECOND_OPINION_OF if rule_name == SECOND_OPINION_ROW else rule_name]
    confirm = rule_name == SECOND_OPINION_ROW
    found, right, pairs = 0, 0, []
    for (boxes, confirmed), rect, source, _ in scenes:
        face = choose(boxes) if confirmed or not confirm else None
        if face is None:
            continue
        found += 1
        if iou(nb.framed_box(face, SCENE_SIZE, nb.IMAGE_SIZE[0] / nb.IMAGE_SIZE[1]), rect) > 0.5:
            right += 1
            if choose(full_size[source]) is not None:
                pairs.append((face, choose(full_size[source]), rect, nb.open_photo(source).height))
    return found, right, steadiness(pairs)


def table_header(title, columns):
    """A title, then the header and separator lines of a markdown table with these columns."""
    return f"\n{title}\n\n| " + " | ".join(columns) + " |\n|" + " --- |" * len(columns)


def main(argv=None):
    """Measure every rule on the no-face scenes and the training people's scenes; print the tables.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--per-kind", type=int, default=100, help="no-face scenes of each kind (default 100)"
    )
    parser.add_argument(
        "--scene-seed", type=int, default=1, help="seed of the no-face scenes (default 1)"
    )
    parser.add_argument(
        "--tree-seeds",
        type=int,
        nargs="+",
        default=[7, 8],
        help="seeds of the training people's phone-like scenes (default 7 8: 600 scenes)",
    )
    parser.add_argument(
        "--kinds-seed",
        type=int,
        default=9,
        help="seed of the training people's photos pasted into scenes of every kind (default 9)",
    )
    parser.add_argument(
        "--no-face-only", action="store_true", help="measure the no-face scenes only"
    )
    parser.add_argument(
        "--cache", type=Path, help="a pickle of the searches: read if it exists, else written"
    )
    args = parser.parse_args(argv)
    nb = load_notebook_code()
    att = att_faces_folder(nb)
    if args.cache and args.cache.is_file():
        measured = pickle.loads(args.cache.read_bytes())
    else:
        measured = measure_all(nb, att, args)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(measured))
    no_face, rules = measured["no face"], [*RULES, SECOND_OPINION_ROW]
    print("\nSearches near the largest box (0 ... 4):")
    for kind, scenes in no_face.items():
        print(
            f"  {kind}: no-face scenes "
            f"{np.bincount([support(boxes) for boxes, _ in scenes], minlength=5).tolist()}"
        )

    print(table_header("False faces in no-face scenes", ["rule", *KINDS, "all"]))
    for name in rules:
        choose, confirm = (
            RULES[SECOND_OPINION_OF if name == SECOND_OPINION_ROW else name],
            name == SECOND_OPINION_ROW,
        )
        false = {
            kind: sum(
                choose(boxes) is not None and (confirmed or not confirm)
                for boxes, confirmed in scenes
            )
            for kind, scenes in no_face.items()
        }
        total, count = sum(false.values()), sum(len(scenes) for scenes in no_face.values())
        print(
            f"| {name} | "
            + " | ".join(f"{false[kind]}" for kind in KINDS)
            + f" | {total} of {count} ({total / count:.1%}) |"
        )
    if "phone-like" in measured:
        faces_table(
            nb, rules, measured["phone-like"], measured["every kind"], measured["full size"]
        )


def faces_table(nb, rules, phone, every, full_size):
    """Print how many faces of the training people each rule finds, and where."""
    print(
        f"\nSearches near the largest box (0 ... 4), phone-like training scenes: "
        f"{np.bincount([support(boxes) for (boxes, _), *_ in phone], minlength=5).tolist()}; "
        "training people on every kind: "
        f"{np.bincount([support(boxes) for (boxes, _), *_ in every], minlength=5).tolist()}"
    )

    columns = ["rule", "phone-like scenes: found", "in the right place", "s.d. x / y / log size",
               "pasted into scenes of every kind: found", "in the right place"]
    print(table_header("Faces of the training people", columns))
    for name in rules:
        found, right, sd = faces_of(nb, name, phone, full_size)
        found_every, right_every, _ = faces_of(nb, name, every, full_size)
        print(
            f"| {name} | {found} of {len(phone)} ({found / len(phone):.1%}) "
            f"| {right} ({right / len(phone):.1%})"
            f" | {sd[0]:.3f} / {sd[1]:.3f} / {sd[2]:.3f} | {found_every} of {len(every)} "
            f"({found_every / len(every):.1%}) | {right_every} ({right_every / len(every):.1%}) |"
        )

    print(table_header("Training people pasted into scenes of every kind: in the right place",
                       ["rule", *KINDS]))
    for name in rules:
        counts = [
            faces_of(nb, name, [s for s in every if s[3] == kind], full_size)[1] for kind in KINDS
        ]
        print(
            f"| {name} | "
            + " | ".join(f"{c} of {sum(s[3] == k for s in every)}" for c, k in zip(counts, KINDS))
            + " |"
        )


if __name__ == "__main__":
    main()
