"""Mutation check: do the fast tests catch small, meaningful bugs in the notebook's code?

Not collected by pytest. From the repository root, with the faces staged:

    export ATT_FACES_SOURCE=/path/to/att_faces      # the unpacked s1 ... s40
    python tests/run_by_hand/mutation_check.py              # every bug, one at a time
    python tests/run_by_hand/mutation_check.py --only NAME  # one bug (repeat for more)

Each bug replaces exact text, once, inside one named function of the notebook. For each bug the
script writes a copy of the notebook with that one change to a temporary folder (the notebook
itself is never written), points the tests at it with SIAMESE_NOTEBOOK and runs the fast tests
(`pytest -x -m "not slow"`). A bug is caught when a test fails, missed when all pass; a bug that no
longer applies to exactly one place is an error of the check. It prints a table and exits with 0
only when every bug was caught. tests/test_mutation_list.py checks that every bug still applies.
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "siames_network_pytorch.ipynb"


class Mutation(NamedTuple):
    """One bug: replace the exact text old by new inside the notebook function `function`."""
    name: str
    function: str
    old: str
    new: str


M = Mutation
MUTATIONS = [
    M("loss labels swapped", "contrastive_loss",
      "1.0 - torch.as_tensor(same)", "torch.as_tensor(same)"),
    M("no margin clamp", "contrastive_loss",
      "torch.clamp(margin - distance, min=0) ** 2", "(margin - distance) ** 2"),
    M("genuine term without its half", "contrastive_loss",
      "(1 - y) * 0.5 * distance ** 2", "(1 - y) * distance ** 2"),
    M("second branch sees another image", "SiameseNetwork.forward",
      "self.forward_once(second_images)", "self.forward_once(second_images.flip(-1))"),
    M("embeddings never normalised", "SiameseNetwork.forward_once",
      "F.normalize(embeddings, dim=1) if self.normalise else embeddings", "embeddings"),
    M("mirror image upside down", "embed", "chunk.flip(-1)", "chunk.flip(-2)"),
    M("ensemble scaled by n, not its root", "embed_ensemble",
      "/ len(networks) ** 0.5", "/ len(networks)"),
    M("one photo per person in a batch", "person_batches",
      "[:IMAGES_PER_PERSON]", "[:1]"),
    M("one view for the whole batch", "random_views",
      "torch.stack([RANDOM_VIEW(image) for image in images])", "RANDOM_VIEW(images)"),
    M("no update step", "train_network",
      "optimiser.step()  # update", "optimiser.zero_grad()  # update"),
    M("batches not seeded", "train_network",
      "rng, watch = np.random.default_rng(seed)", "rng, watch = np.random.default_rng()"),
    M("pair labels inverted", "pair_labels",
      "person_ids[first] == person_ids[second]", "person_ids[first] != person_ids[second]"),
    M("batch loss with its labels inverted", "every_pair_loss",
      "same = pair_labels(person_ids)", "same = ~pair_labels(person_ids)"),
    M("batch loss summed, not averaged", "every_pair_loss", "MARGIN).mean()", "MARGIN).sum()"),
    M("ROC on distances, not their negative", "roc_measures",
      "roc_curve(same, -distances)", "roc_curve(same, distances)"),
    M("EER where tpr meets fpr", "roc_measures", "(1 - tpr) - fpr", "tpr - fpr"),
    M("worst threshold", "best_threshold", "np.argmax(tpr - fpr)", "np.argmin(tpr - fpr)"),
    M("threshold chosen on the test people", "evaluate",
      "pdist(features[validation]), pair_labels(person_ids[validation])",
      "pdist(features[test]), pair_labels(person_ids[test])"),
    M("one-shot names the farthest person", "one_shot_accuracy", "np.argmin(", "np.argmax("),
    M("closest genuine pairs shown as hardest", "hardest_pairs",
      "np.argsort(-distances[genuine]", "np.argsort(distances[genuine]"),
    M("the kinds of pairs swapped", "hardest_pairs",
      "np.flatnonzero(same), np.flatnonzero(~same)", "np.flatnonzero(~same), np.flatnonzero(same)"),
    M("too many Fisherfaces dimensions", "fit_fisherfaces",
      "len(person_ids) - len(np.unique(person_ids))", "len(person_ids)"),
    M("validation and training people overlap", "split_people",
      "np.sort(others[size:])", "np.sort(others[size - 1:])"),
    M("unknown test people not refused", "split_people", "if unknown:", "if False:"),
    M("sample one short", "at_most", "limit, replace=False", "limit - 1, replace=False"),
    M("an empty folder counts as filled", "fetch_att_faces",
      "data_dir.is_dir() and any(data_dir.iterdir())", "data_dir.is_dir()"),
    M("leftovers of a killed run kept", "fetch_att_faces",
      "shutil.rmtree(leftover)", "pass"),
    M("download not checked", "fetch_att_faces",
      'md5="6efb25cb0d40755e9492b9c012e3348d"', "md5=None"),
    M("people with one photo accepted", "read_photos",
      "if too_few or len(tree.classes) < 6:", "if len(tree.classes) < 6:"),
    M("orientation tag ignored", "open_photo",
      "ImageOps.exif_transpose(photo).convert", "photo.convert"),
    M("photos not standardised", "photo_tensor",
      "(pixels - pixels.mean()) / pixels.std().clamp_min(1e-6)", "pixels"),
    M("True taken for a number", "check_parameters",
      "type(value) not in types", "not isinstance(value, types)"),
    M("no closest name suggested", "check_parameters", "cutoff=0.5", "cutoff=0.99"),
    M("margin beyond 2 accepted", "check_parameters",
      'values["MARGIN"] > 2', 'values["MARGIN"] > 3'),
    M("compare's verdict off the threshold", "compare",
      'distance <= saved["threshold"]', 'distance <= saved["threshold"] - 0.02'),
    M("compare ignores the mirror setting", "compare",
      'embed_ensemble(networks, photos, saved["mirror"])',
      "embed_ensemble(networks, photos, False)"),
]


def function_span(source, function):
    """(first, last) line numbers of a function or method (Class.method) in a cell's source."""
    tree = ast.parse("\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith(("%", "!"))))
    *outer, name = function.split(".")
    nodes = tree.body
    if outer:
        cls = next((n for n in nodes if isinstance(n, ast.ClassDef) and n.name == outer[0]), None)
        nodes = cls.body if cls else []
    node = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                 and n.name == name), None)
    return (node.lineno, node.end_lineno) if node else None


def mutate(notebook, mutation):
    """A copy of the notebook's JSON with the mutation applied; ValueError unless exactly once."""
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        span = function_span(source, mutation.function)
        if span is None:
            continue
        lines = source.split("\n")
        body = "\n".join(lines[span[0] - 1:span[1]])
        if body.count(mutation.old) != 1:
            raise ValueError(f"{mutation.name}: found {body.count(mutation.old)} times in "
                             f"{mutation.function}, not once")
        lines[span[0] - 1:span[1]] = body.replace(mutation.old, mutation.new).split("\n")
        cell["source"] = "\n".join(lines).splitlines(keepends=True)
        return notebook
    raise ValueError(f"{mutation.name}: no function {mutation.function} in the notebook")


def run_tests(notebook_path):
    """Run the fast tests against a notebook copy: (caught, first failing test or reason)."""
    environment = {**os.environ, "SIAMESE_NOTEBOOK": str(notebook_path)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-m", "not slow",
                             "-p", "no:cacheprovider", "tests/",  # the list's own test fails on
                             "--deselect", "tests/test_mutation_list.py"],  # every copy: left out
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900)
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    if result.returncode == 1 and failed:
        return True, failed[0].split(" - ")[0].removeprefix("FAILED ")
    return False, f"pytest exit {result.returncode}"


def main(argv=None):
    """Apply each bug to a copy, run the fast tests, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args(argv)
    original = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    missed = 0
    print("| bug | function | caught by | seconds |\n| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for mutation in chosen:
            started, copy = time.perf_counter(), Path(folder) / NOTEBOOK.name
            copy.write_text(json.dumps(mutate(original, mutation)), encoding="utf-8")
            caught, by = run_tests(copy)
            missed += not caught
            print(f"| {mutation.name} | `{mutation.function}` | {by if caught else 'MISSED: ' + by}"
                  f" | {time.perf_counter() - started:.0f} |", flush=True)
    print(f"{len(chosen) - missed} of {len(chosen)} bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
