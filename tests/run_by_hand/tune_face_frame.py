"""Tuning harness for FIND_FACES: finding and framing faces in phone-like photos of training people.

Not collected by pytest (its name does not start with test_). It regenerates the table "Finding
faces in phone-like photos" of tests/records/RESULTS.md. Everything here uses the training people
s11-s40 only; s1-s10 are the held-out people of the end-to-end test (tests/test_find_faces.py), and
nothing is chosen on them.

For each way of finding faces (a number of searches at slightly different sizes,
DETECTION_SCALES), it
1. pastes the AT&T photos of s11-s40 into phone-like scenes (tests/phone_photos.py, seed
   --tree-seed),
2. finds the face in every scene and measures the frame that the pasted AT&T photo has around it:
   the medians of width / face width, height / face height and (frame centre - face centre) / face
   height are FACE_FRAME; it prints how steady the face is (its standard deviation against the face
   found in the full-size photo) and how far the frame is from the pasted photo's own frame,
3. with --runs, writes every scene's framed crop and runs the notebook with the end-to-end test's
   short settings on three splits (test people s11-s20, s21-s30, s31-s40) and --seeds, next to the
   original AT&T crops.

From the repository root:

    python tests/run_by_hand/tune_face_frame.py         # step 2 only: FACE_FRAME for each way
    python tests/run_by_hand/tune_face_frame.py --runs --seeds 0 1  # and the notebook runs (20 min)

Step 2 alone takes about a minute. The AT&T faces come from --att-faces (the unpacked folder or
att_faces.zip), else from ATT_FACES_SOURCE, else the notebook's own fetch, as in the tests
(notebook_code.att_faces_folder).
"""
import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
from notebook_code import (att_faces_folder, execute_notebook, load_notebook_code,  # noqa: E402
                           read_metrics)
from phone_photos import NAME_OF, SCENE_SIZE, SHORT_SETTINGS, phone_like_tree  # noqa: E402

TRAINING_PEOPLE = range(11, 41)
SPLITS = [list(range(first, first + 10)) for first in (11, 21, 31)]
NOTEBOOK = "notebook"
# name: (DETECTION_SCALES, FACE_FRAME); "notebook" takes the notebook's value, None the
# medians measured here
WAYS = {
    "one search, frame measured on the AT&T photos (before)": ((1.0,), (1.02, 1.24, -0.06)),
    "one search, frame measured on the scenes": ((1.0,), None),
    "median of 4 searches, frame measured on the scenes (the notebook)": (NOTEBOOK, NOTEBOOK),
    "median of 6 searches, frame measured on the scenes": (tuple(1 + k / 60 for k in range(6)),
                                                           None),
}


def measure_frame(nb, tree, scales, needed):
    """Find the face in every scene at `scales` (it counts when `needed` of those searches find it,
    or all of them if there are fewer); return the faces and the median frame around them."""
    nb.DETECTION_SCALES, nb.FACE_SEARCHES_NEEDED = scales, min(needed, len(scales))
    faces = {path: nb.largest_face(nb.open_photo(tree.root / path)) for path in tree.photos}
    ratios = [((r - l) / w, (b - t) / h, ((t + b) / 2 - (y + h / 2)) / h)
              for path, (l, t, r, b) in tree.photos.items() if faces[path] is not None
              for x, y, w, h in [faces[path]]]
    return faces, tuple(round(float(v), 3) for v in np.median(ratios, axis=0))


def steadiness(nb, tree, att, faces):
    """Standard deviations (x, y, size) of each scene's face against the face found in the
    full-size AT&T photo it was pasted from, and of the frame against the pasted photo's own frame,
    as shares of the face or frame."""
    number_of = {name: number for number, name in NAME_OF.items()}
    against_photo, against_frame = [], []
    for path, (left, top, right, bottom) in tree.photos.items():
        if faces[path] is None:
            continue
        name, stem = path.split("/")[0], path.split("/")[1].split(".")[0]
        photo = nb.open_photo(att / f"s{number_of[name]}" / f"{stem}.pgm")
        original, (x, y, w, h) = nb.largest_face(photo), faces[path]
        if original is not None:  # map the full-size face into the scene, compare centres, sizes
            zoom = (bottom - top) / photo.height
            ox, oy, ow, oh = (left + original[0] * zoom, top + original[1] * zoom,
                              original[2] * zoom, original[3] * zoom)
            against_photo.append(((x + w / 2 - ox - ow / 2) / ow, (y + h / 2 - oy - oh / 2) / oh,
                                  np.log(h / oh)))
        box = nb.framed_box(faces[path], SCENE_SIZE, nb.IMAGE_SIZE[0] / nb.IMAGE_SIZE[1])
        width, height = right - left, bottom - top
        against_frame.append(((box[0] + box[2] - left - right) / 2 / width,
                              (box[1] + box[3] - top - bottom) / 2 / height,
                              np.log((box[3] - box[1]) / height)))
    return np.std(against_photo, axis=0), np.std(against_frame, axis=0)


def write_crops(nb, tree, faces, folder):
    """Save each scene's crop framed with nb.FACE_FRAME (a lossless PNG) in a person-per-folder
    tree; return it."""
    for path, face in faces.items():
        if face is None:
            continue
        photo = nb.open_photo(tree.root / path)
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        photo.crop(nb.framed_box(face, photo.size, nb.IMAGE_SIZE[0] / nb.IMAGE_SIZE[1])).save(
            (folder / path).with_suffix(".png"))
    return folder


def auc(data_dir, split, seed, out):
    """The short-settings notebook's held-out AUC (one network on every person not tested) for
    one split."""
    execute_notebook(out, DATA_DIR=str(data_dir), TEST_PEOPLE=[NAME_OF[n] for n in split],
                     SEED=seed, **SHORT_SETTINGS)
    return read_metrics(out)["methods"]["full_model"]["auc"]


def main(argv=None):
    """Measure FACE_FRAME for every way of finding faces and, with --runs, the notebook's AUC
    on each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", action="store_true",
                        help="also run the notebook on the three training splits")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="notebook SEEDs for --runs (default 0)")
    parser.add_argument("--tree-seed", type=int, default=7,
                        help="seed of the phone-like scenes (default 7)")
    parser.add_argument("--att-faces", type=Path,
                        help="the AT&T faces: the unpacked folder or att_faces.zip "
                             "(default: ATT_FACES_SOURCE, else the notebook's own fetch)")
    args = parser.parse_args(argv)
    nb = load_notebook_code()
    att = att_faces_folder(nb, args.att_faces and args.att_faces.resolve())
    notebook = {"scales": nb.DETECTION_SCALES, "frame": nb.FACE_FRAME,
                "needed": nb.FACE_SEARCHES_NEEDED}
    work = Path(tempfile.mkdtemp(prefix="tune_face_frame_"))
    tree = phone_like_tree(att, work / "scenes", TRAINING_PEOPLE, seed=args.tree_seed)
    folders = {"AT&T crops (no finding)": work / "crops"}
    for number in TRAINING_PEOPLE:
        shutil.copytree(att / f"s{number}", work / "crops" / NAME_OF[number])
    for index, (way, (scales, frame)) in enumerate(WAYS.items()):
        scales = notebook["scales"] if scales == NOTEBOOK else scales
        frame = notebook["frame"] if frame == NOTEBOOK else frame
        faces, measured = measure_frame(nb, tree, scales, notebook["needed"])
        missed = sum(face is None for face in faces.values())
        nb.FACE_FRAME = frame or measured
        photo_sd, frame_sd = steadiness(nb, tree, att, faces)
        print(f"{way}: FACE_FRAME measured {measured}, used {frame or measured}; no face found in "
              f"{missed} of {len(faces)}; s.d. of x, y, log size against the full-size photo's "
              f"face {photo_sd.round(3)}, against the pasted photo's frame {frame_sd.round(3)}",
              flush=True)
        if args.runs:
            folders[way] = write_crops(nb, tree, faces, work / f"way-{index}")
    if not args.runs:
        return
    print("\n| photos | "
          + " | ".join(f"s{s[0]}-s{s[-1]}, seed {seed}" for s in SPLITS for seed in args.seeds)
          + " | mean AUC | mean gap to the crops |\n|"
          + " --- |" * (3 + len(SPLITS) * len(args.seeds)))
    reference = None
    for way, folder in folders.items():
        aucs = [auc(folder, split, seed, work / "runs" / folder.name / f"s{split[0]}-{seed}")
                for split in SPLITS for seed in args.seeds]
        reference = reference or aucs
        gap = np.mean(reference) - np.mean(aucs)
        print(f"| {way} | " + " | ".join(f"{a:.3f}" for a in aucs)
              + f" | {np.mean(aucs):.3f} | {gap:+.3f} |", flush=True)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
