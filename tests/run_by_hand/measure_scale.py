"""Seconds per image and peak memory of the notebook's default run on the AT&T faces and on
generated glyph trees (tests/synthetic_tree.py), for tests/records/RESULTS.md ("Own data at
scale"). It also names the slowest cells of each run (papermill records every cell's seconds).
Run it alone on the machine; it is a measurement, not a test:

    python tests/run_by_hand/measure_scale.py                # AT&T, then 150 x 20 glyphs (defaults)
    python tests/run_by_hand/measure_scale.py --short-10000  # and then 500 x 20 glyphs, 1 epoch
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
from synthetic_tree import write_tree  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def slowest_cells(notebook_path, count=4):
    """The count slowest code cells of an executed notebook: (section heading, seconds)."""
    heading, timed = "", []
    for cell in json.loads(Path(notebook_path).read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("#"):
            heading = source.splitlines()[0].lstrip("# ")
        elif cell["cell_type"] == "code":
            timed.append((heading, round(cell["metadata"]["papermill"]["duration"], 1)))
    return sorted(timed, key=lambda entry: -entry[1])[:count]


def run_once(data_dir, output_dir, extra):
    """Run the notebook with papermill in a child process: (seconds, peak memory in GiB, AUCs,
    slowest cells)."""
    command = [sys.executable, "-m", "papermill", str(ROOT / "siames_network_pytorch.ipynb"),
               str(Path(output_dir) / "run.ipynb"), "--cwd", str(ROOT), "--no-progress-bar",
               "-p", "OUTPUT_DIR", str(output_dir), *extra]
    if data_dir:
        command += ["-p", "DATA_DIR", str(data_dir), "-y", "TEST_PEOPLE: null"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=os.environ)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2 ** 20  # KiB -> GiB
    methods = json.loads((Path(output_dir) / "metrics.json").read_text())["methods"]
    aucs = {name: round(m["auc"], 3) for name, m in methods.items()}
    return seconds, peak, aucs, slowest_cells(Path(output_dir) / "run.ipynb")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short-10000", action="store_true",
                        help="also a 1-epoch run on 10,000 generated images")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # data_dir images extra-json
    arguments = parser.parse_args()
    if arguments.child:  # one measurement per process, so that the peak is its own
        data_dir, images, extra = arguments.child
        with tempfile.TemporaryDirectory() as output_dir:
            seconds, peak, aucs, slowest = run_once(data_dir if data_dir != "-" else None,
                                                    output_dir, json.loads(extra))
        print(json.dumps({"images": int(images), "seconds": round(seconds, 1),
                          "seconds_per_image": round(seconds / int(images), 3),
                          "peak_gib": round(peak, 2), "auc": aucs, "slowest_cells": slowest}))
        return
    with tempfile.TemporaryDirectory() as trees:
        runs = [("-", 400, []), (write_tree(Path(trees) / "g3000", 150, 20), 3000, [])]
        if arguments.short_10000:
            runs.append((write_tree(Path(trees) / "g10000", 500, 20), 10000,
                         ["-p", "EPOCHS", "1", "-p", "SANITY_CHECKS", "False"]))
        for data_dir, images, extra in runs:
            result = subprocess.run([sys.executable, __file__, "--child", str(data_dir),
                                     str(images), json.dumps(extra)],
                                    check=True, capture_output=True, text=True)
            print(f"{data_dir if data_dir != '-' else 'AT&T'}: {result.stdout.strip()}", flush=True)


if __name__ == "__main__":
    main()
