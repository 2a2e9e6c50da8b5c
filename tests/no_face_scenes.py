"""No-face scenes of several kinds, to count the faces a face finder sees where there are none.

Each kind is a function kind(rng, size) -> an RGB PIL image of size (width, height) with no face in
it, made only from the random generator rng, so that a seed gives the same scenes on every machine.
no_face_scenes() draws a list of them at phone-like sizes and passes each through a JPEG, as a phone
stores its photos.

A helper module for the tests (its name does not start with test_, so pytest does not collect
it)."""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from phone_photos import background_scene

# (width, height) of the scenes and how often each is drawn: mostly small landscape photos like the
# phone-like
# scenes of tests/phone_photos.py, some portrait ones, and some larger ones that largest_face
# searches shrunk.
SIZES = ((360, 270), (360, 270), (360, 270), (270, 360), (480, 360), (640, 480), (1024, 768))
JPEG_QUALITY = 90


def as_image(pixels):
    """An RGB image from a float array of height x width x 3 values, clipped to 0 ... 255."""
    return Image.fromarray(np.uint8(np.clip(np.round(pixels), 0, 255)))


def grid(size):
    """Rows and columns of a (width, height) image, scaled to 0 ... 1 across the longer side."""
    width, height = size
    rows, cols = np.mgrid[0:height, 0:width].astype(float)
    return rows / max(size), cols / max(size)


def smooth_noise(rng, size, cells):
    """Smooth random values 0 ... 1: a random grid of cells x cells values enlarged bicubically to
    size."""
    coarse = rng.uniform(0, 255, (cells, cells)).astype(np.uint8)
    return np.asarray(Image.fromarray(coarse).resize(size, Image.BICUBIC), dtype=float) / 255


def fractal_noise(rng, size, octaves=5):
    """Cloud-like noise 0 ... 1: smooth noise at doubling detail with halving strength."""
    total = sum(0.5**octave * smooth_noise(rng, size, 3 * 2**octave) for octave in range(octaves))
    return (total - total.min()) / max(np.ptp(total), 1e-6)


def lighting(rng, size, strength):
    """A soft light falling across the image: a factor around 1 that changes by up to `strength`."""
    rows, cols = grid(size)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * cols + np.sin(angle) * rows
    ramp = (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    return (1 - strength / 2 + strength * ramp)[..., None]


def noise(rng, size):
    """Camera noise alone: every pixel random, around a random colour, sometimes a little blurred.
    """
    width, height = size
    centre, spread = rng.uniform(60, 200, 3), rng.uniform(20, 80)
    if rng.random() < 0.5:
        pixels = rng.uniform(-1, 1, (height, width, 3)) * spread + centre
    else:
        pixels = (
            rng.normal(0, 1, (height, width, 1)) * spread
            + rng.normal(0, 8, (height, width, 3))
            + centre
        )
    image = as_image(pixels)
    return (
        image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
        if rng.random() < 0.5
        else image
    )


def blobs(rng, size):
    """The background scenes of the phone-like photos: a two-colour gradient with a few soft
    rectangles."""
    return background_scene(rng, size)


def colour_blobs(rng, size):
    """Smooth colour blobs: soft ellipses of random colours and sizes on a gradient, as in a blurred
    background."""
    width, height = size
    image = background_scene(rng, size)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.integers(4, 14)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.03, 0.25, 2) * max(size)
        draw.ellipse(
            (x - rx, y - ry, x + rx, y + ry), fill=tuple(int(v) for v in rng.integers(0, 256, 3))
        )
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(2, 12)))


def gradient(rng, size):
    """A linear or radial gradient through two or three colours, with a little camera noise."""
    rows, cols = grid(size)
    if rng.random() < 0.5:
        angle = rng.uniform(0, 2 * np.pi)
        ramp = np.cos(angle) * cols + np.sin(angle) * rows
    else:
        ramp = np.hypot(rows - rng.uniform(0, rows.max()), cols - rng.uniform(0, cols.max()))
    ramp = (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    stops = rng.uniform(0, 255, (rng.integers(2, 4), 3))
    steps = np.linspace(0, 1, len(stops))
    pixels = np.stack([np.interp(ramp, steps, stops[:, channel]) for channel in range(3)], axis=-1)
    return as_image(pixels + rng.normal(0, rng.uniform(1, 5), pixels.shape))


def wall(rng, size):
    """A plain painted wall: one colour, a soft light across it, a faint stain texture and camera
    noise."""
    colour = rng.uniform(90, 240, 3)
    stains = 1 + rng.uniform(0.01, 0.05) * (fractal_noise(rng, size) - 0.5)[..., None]
    pixels = colour * lighting(rng, size, rng.uniform(0.05, 0.4)) * stains
    return as_image(pixels + rng.normal(0, rng.uniform(1, 4), pixels.shape))


def foliage(rng, size):
    """Leaves: many small ellipses in greens and yellows at random angles over a dark tangle, in
    dappled light."""
    width, height = size
    image = Image.new("RGB", size, tuple(int(v) for v in rng.uniform(10, 50, 3)))
    draw = ImageDraw.Draw(image)
    base = rng.uniform([40, 90, 20], [110, 170, 70])
    leaf = max(4.0, rng.uniform(0.012, 0.04) * max(size))
    count = int(rng.uniform(2, 4) * width * height / leaf**2)
    centres, angles = rng.uniform(0, 1, (count, 1, 2)) * size, rng.uniform(0, np.pi, (count, 1))
    long, short = (
        leaf * rng.uniform(0.6, 1.4, (count, 1)),
        leaf * rng.uniform(0.25, 0.5, (count, 1)),
    )
    t = np.linspace(0, 2 * np.pi, 10, endpoint=False)
    along, side = (
        long * np.cos(t),
        short * np.sin(t),
    )  # each leaf an ellipse of 10 corners, turned by its angle
    corners = centres + np.stack(
        [
            along * np.cos(angles) - side * np.sin(angles),
            along * np.sin(angles) + side * np.cos(angles),
        ],
        axis=-1,
    )
    colours = np.clip(
        (base + rng.normal(0, 15, (count, 3))) * rng.uniform(0.35, 1.5, (count, 1)), 0, 255
    )
    for leaf_corners, colour in zip(corners, colours.astype(int)):
        draw.polygon([tuple(point) for point in leaf_corners], fill=tuple(int(v) for v in colour))
    pixels = np.asarray(image, dtype=float) * (0.55 + 0.9 * fractal_noise(rng, size, 3))[..., None]
    return as_image(pixels).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))


def brick(rng, size):
    """A brick wall: staggered rows of bricks of slightly different colours, light mortar, light
    across it."""
    width, height = size
    mortar = rng.uniform(150, 220, 3)
    image = Image.new("RGB", size, tuple(int(v) for v in mortar))
    draw = ImageDraw.Draw(image)
    row_height = rng.uniform(0.035, 0.09) * max(size)
    brick_width, gap = (
        row_height * rng.uniform(2.2, 3.2),
        max(1.0, row_height * rng.uniform(0.08, 0.18)),
    )
    colour = rng.uniform([120, 40, 25], [190, 90, 60])
    for row in range(int(height / row_height) + 2):
        offset = (row % 2) * brick_width / 2
        for column in range(-1, int(width / brick_width) + 2):
            left, top = column * brick_width - offset, row * row_height
            fill = tuple(
                int(v)
                for v in np.clip(colour * rng.uniform(0.75, 1.2) + rng.normal(0, 8, 3), 0, 255)
            )
            draw.rectangle((left, top, left + brick_width - gap, top + row_height - gap), fill=fill)
    pixels = np.asarray(image, dtype=float) * lighting(rng, size, rng.uniform(0.1, 0.5))
    pixels = pixels * (0.85 + 0.3 * fractal_noise(rng, size, 4))[..., None]
    return as_image(pixels + rng.normal(0, 6, pixels.shape)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.3, 1))
    )


def sky(rng, size):
    """Sky with clouds: blue deepening upwards, white clouds of fractal noise."""
    rows, _ = grid(size)
    blue = np.array([90, 140, 215]) * rng.uniform(0.8, 1.1)
    pixels = blue * (0.8 + 0.3 * rows / rows.max())[..., None]
    clouds = np.clip((fractal_noise(rng, size) - rng.uniform(0.35, 0.65)) * 3, 0, 1)[..., None]
    grey = rng.uniform(200, 250) - 60 * fractal_noise(rng, size, 3)[..., None]
    return as_image((1 - clouds) * pixels + clouds * grey + rng.normal(0, 2, pixels.shape))


def wood(rng, size):
    """Wood grain: rings bent by smooth noise, in browns, as on a table or a door."""
    rows, cols = grid(size)
    angle = rng.uniform(0, np.pi)
    across = -np.sin(angle) * cols + np.cos(angle) * rows
    rings = np.sin(
        2
        * np.pi
        * rng.uniform(6, 20)
        * (across + rng.uniform(0.03, 0.1) * fractal_noise(rng, size))
    )
    light, dark = (
        rng.uniform([150, 100, 60], [220, 160, 110]),
        rng.uniform([70, 40, 20], [130, 80, 50]),
    )
    share = (0.5 + 0.5 * rings)[..., None] ** rng.uniform(1, 3)
    pixels = dark + share * (light - dark)
    return as_image(pixels * lighting(rng, size, 0.3) + rng.normal(0, 3, pixels.shape))


def tiles(rng, size):
    """Square tiles with grout lines, each a little different in shade, seen straight on."""
    width, height = size
    side = rng.uniform(0.05, 0.2) * max(size)
    grout = max(1, round(side * rng.uniform(0.03, 0.08)))
    colour = rng.uniform(60, 240, 3)
    shades = rng.uniform(0.9, 1.1, (int(height / side) + 1, int(width / side) + 1))
    rows, cols = np.mgrid[0:height, 0:width]
    pixels = colour * shades[(rows / side).astype(int), (cols / side).astype(int)][..., None]
    lines = ((rows % side) < grout) | ((cols % side) < grout)
    pixels[lines] = rng.uniform(40, 220, 3)
    return as_image(pixels * lighting(rng, size, 0.3) + rng.normal(0, 3, pixels.shape))


def room(rng, size):
    """A bare room: a wall, a floor, a window and a few boxes of furniture, in flat colours and soft
    light."""
    width, height = size
    image = Image.new("RGB", size, tuple(int(v) for v in rng.uniform(120, 230, 3)))
    draw = ImageDraw.Draw(image)
    floor = rng.uniform(0.55, 0.8) * height
    draw.rectangle((0, floor, width, height), fill=tuple(int(v) for v in rng.uniform(50, 170, 3)))
    for _ in range(rng.integers(2, 6)):
        w, h = rng.uniform(0.1, 0.4) * width, rng.uniform(0.1, 0.5) * height
        left, top = rng.uniform(-0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height - h
        fill = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.rectangle(
            (left, top, left + w, top + h),
            fill=fill,
            outline=(30, 30, 30),
            width=int(rng.integers(0, 4)),
        )
    pixels = np.asarray(image, dtype=float) * lighting(rng, size, rng.uniform(0.1, 0.5))
    return as_image(pixels + rng.normal(0, 3, pixels.shape)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.5, 2))
    )


KINDS = {
    "noise": noise,
    "blobs": blobs,
    "colour blobs": colour_blobs,
    "gradient": gradient,
    "wall": wall,
    "foliage": foliage,
    "brick": brick,
    "sky": sky,
    "wood": wood,
    "tiles": tiles,
    "room": room,
}


def through_jpeg(image, quality=JPEG_QUALITY):
    """The image as a phone would store it: saved as JPEG and read back."""
    stored = io.BytesIO()
    image.save(stored, format="JPEG", quality=quality)
    with Image.open(stored) as read_back:
        return read_back.convert("RGB")


def unstored_scenes(kind, seed, sizes):
    """Endless scenes of one kind (a key of KINDS), seeded by `seed` and the kind's name, each at a
    size drawn
    from `sizes`, not yet passed through a JPEG."""
    rng = np.random.default_rng([seed, *kind.encode()])
    while True:
        yield KINDS[kind](rng, tuple(int(v) for v in sizes[rng.integers(len(sizes))]))


def no_face_scenes(kind, count, seed, sizes=SIZES):
    """`count` scenes of one kind (a key of KINDS), seeded by `seed` and the kind's name, each at a
    size drawn
    from `sizes` and passed through a JPEG: a list of RGB images."""
    scenes = unstored_scenes(kind, seed, sizes)
    return [through_jpeg(next(scenes)) for _ in range(count)]


def no_face_scene(kind, seed, index, sizes=SIZES):
    """Scene number `index` (from 0) of no_face_scenes(kind, ..., seed, sizes), without the JPEGs
    before it."""
    scenes = unstored_scenes(kind, seed, sizes)
    for _ in range(index):
        next(scenes)
    return through_jpeg(next(scenes))
