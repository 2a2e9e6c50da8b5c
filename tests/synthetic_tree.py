"""Generate a one-folder-per-class tree of grey images that are not faces: each class is a glyph of
a few random strokes, and each of its images draws that glyph again, moved, turned, scaled and
noisy. A glyph's mirror image is another glyph, as with characters or signatures. Used by
tests/test_large_trees.py and tests/run_by_hand/measure_scale.py; nothing is committed.

    python tests/synthetic_tree.py OUTPUT_FOLDER --classes 150 --images 20
"""
import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SIDE = 96  # pixels of each square image


def glyph_strokes(rng):
    """A class: 3 to 5 strokes, each a polyline of 2 to 4 points in the unit square."""
    return [rng.uniform(0.15, 0.85, size=(rng.integers(2, 5), 2))
            for _ in range(rng.integers(3, 6))]


def draw_glyph(strokes, rng):
    """One image of a glyph: moved, turned, scaled, of a random stroke width, blurred and noisy."""
    angle, scale = rng.uniform(-0.25, 0.25), rng.uniform(0.85, 1.15)
    shift = rng.uniform(-0.06, 0.06, size=2)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    image = Image.new("L", (SIDE, SIDE), int(rng.integers(20, 60)))
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        points = ((stroke - 0.5) @ turn.T * scale + 0.5 + shift) * SIDE
        pen.line([tuple(p) for p in points], fill=int(rng.integers(180, 255)),
                 width=int(rng.integers(3, 7)), joint="curve")
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    pixels = np.asarray(image, dtype=float) + rng.normal(0, 12, (SIDE, SIDE))
    return Image.fromarray(np.uint8(np.clip(pixels, 0, 255)))


def write_tree(folder, classes, images, seed=0):
    """Write classes x images PNG files to folder/class_NNN/M.png; return the folder."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    for number in range(1, classes + 1):
        strokes = glyph_strokes(rng)
        (folder / f"class_{number:03d}").mkdir(parents=True, exist_ok=True)
        for image in range(1, images + 1):
            draw_glyph(strokes, rng).save(folder / f"class_{number:03d}" / f"{image}.png")
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--classes", type=int, default=150)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    write_tree(arguments.folder, arguments.classes, arguments.images, arguments.seed)
    print(f"wrote {arguments.classes} x {arguments.images} images to {arguments.folder}")
