"""Mutation check: does the fast unit suite catch small, meaningful bugs in the notebook's code?

Not collected by pytest (its name does not start with test_). From the repository root:

    export ATT_FACES_SOURCE=/path/to/att_faces    # the unpacked faces, s1 ... s40 (required)
    python tests/run_by_hand/mutation_check.py              # every bug of MUTATIONS, one at a time
    python tests/run_by_hand/mutation_check.py --list       # name, function and bug of each
    python tests/run_by_hand/mutation_check.py --only NAME  # one bug (repeat --only for more)

Each bug is one replacement of exact text inside one named function of the notebook. The check
first runs the fast unit tests (FAST_TESTS, -m "not slow") on an unchanged copy of the
notebook: a test that fails there cannot tell a caught bug from a missed one, so it is named and
left out of the runs that follow. Then, for each bug, it writes a copy of the notebook with that
one replacement to a temporary folder (the real notebook is never written), checks that the copy
still loads, points the tests at it with SIAMESE_NOTEBOOK (read by tests/notebook_code.py) and runs
`pytest -x -q -p no:cacheprovider` on the fast test files, those that name the function first.

A bug is caught when a test fails; the first failing test is named. It is missed when every test
passes. A bug that no longer applies to exactly one place of its function, a copy that does not
load, or a pytest run that ends any other way (no tests, a collection error, a timeout) is an
error of the check, never "caught". The script prints a table (bug, function, caught by, seconds)
and exits with status 0 only when every bug was caught. tests/test_mutation_list.py keeps the list
from rotting: without running any test, it checks that every bug still applies to exactly one
place of its function.
"""
import argparse
import ast
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
import notebook_code  # noqa: E402

ROOT = notebook_code.ROOT
REAL_NOTEBOOK = ROOT / "siames_network_pytorch.ipynb"
RUN_TIMEOUT = 900  # seconds for one pytest run; longer counts as an error of the check

# The fast unit tests, quickest first; the files that name a bug's function run first for that bug.
# Their tests marked slow (those that run the notebook or search hundreds of photos) are left out
# with -m "not slow".
FAST_TESTS = [
    "tests/test_threshold_rules.py",
    "tests/test_network_and_loss.py",
    "tests/test_evaluation.py",
    "tests/test_checkpoint_and_compare.py",
    "tests/test_parameters.py",
    "tests/test_training.py",
    "tests/test_figures.py",
    "tests/test_data_preparation.py",
    "tests/test_find_faces.py",
]


class Mutation(NamedTuple):
    """One small bug: replace the exact text old by new inside the notebook function `function`."""
    name: str
    function: str
    old: str
    new: str
    bug: str


M = Mutation
MUTATIONS = [
    # The contrastive loss
    M("loss_labels_swapped", "contrastive_loss",
      "y = 1.0 - torch.as_tensor(same).to(distance.device).float()",
      "y = torch.as_tensor(same).to(distance.device).float()",
      "Y = 1 for genuine pairs: the loss pulls impostors together and pushes genuine pairs apart"),
    M("loss_margin_clamp_removed", "contrastive_loss",
      "torch.clamp(margin - distance, min=0) ** 2", "(margin - distance) ** 2",
      "impostors beyond the margin are pulled back towards it"),
    # Batches and random views
    M("batches_ignore_photos_per_person", "batches_per_epoch",
      "len(person_ids) // (people_per_batch * IMAGES_PER_PERSON)",
      "len(person_ids) // people_per_batch",
      "an epoch counts batches of one photo per person: IMAGES_PER_PERSON times too many"),
    M("batches_always_the_same_people", "person_batches",
      "chosen = people[torch.randperm(len(people), generator=generator)"
      "[:PEOPLE_PER_BATCH].numpy()]",
      "chosen = people[:PEOPLE_PER_BATCH]",
      "every batch holds the first PEOPLE_PER_BATCH people; the others are never trained on"),
    M("batches_one_photo_short", "person_batches",
      "[:IMAGES_PER_PERSON]", "[:IMAGES_PER_PERSON - 1]",
      "off by one: a person gets one photo fewer than IMAGES_PER_PERSON"),
    M("warp_mirrors_up_and_down", "warp_images",
      "theta[:, 0, 0], theta[:, 1, 1] = sign / zooms, 1 / zooms",
      "theta[:, 0, 0], theta[:, 1, 1] = 1 / zooms, sign / zooms",
      "a mirrored view is turned upside down instead of mirrored left to right"),
    M("warp_shift_axes_swapped", "warp_images",
      "shifts[:, 0] * 2 / width, shifts[:, 1] * 2 / height",
      "shifts[:, 1] * 2 / height, shifts[:, 0] * 2 / width",
      "a shift by (x, y) moves the view by (y, x)"),
    M("views_zoom_out", "random_views",
      "zooms = 1 + torch.rand(", "zooms = 1 - torch.rand(",
      "random views shrink the face (zoom below 1) instead of enlarging it"),
    M("views_shift_one_way", "random_views",
      "torch.randint(-shift, shift + 1,", "torch.randint(0, shift + 1,",
      "random views are only ever shifted right and down"),
    M("views_mirror_probability_inverted", "random_views",
      "< mirror_probability", "> mirror_probability",
      "a view is mirrored with probability 1 - AUGMENT_MIRROR"),
    # The split of the people
    M("split_validation_person_also_trained", "split_people",
      "np.sort(others[size:])", "np.sort(others[size - 1:])",
      "off by one: the last validation person is also a training person"),
    M("split_test_people_not_removed", "split_people",
      "np.setdiff1d(np.arange(len(names)), tested)", "np.arange(len(names))",
      "test people can be drawn as validation or training people: a leak into the test"),
    M("held_out_same_folder_twice", "choose_test_people",
      "elif len(set(wanted)) < len(wanted):", "elif len(set(test_people)) < len(test_people):",
      "TEST_PEOPLE = [1, 's1'] passes: one person is held out twice"),
    M("held_out_draw_unseeded", "choose_test_people",
      "np.random.default_rng(seed).choice(len(names)", "np.random.default_rng().choice(len(names)",
      "drawn test people ignore SEED: a rerun tests other people"),
    # The measures
    M("auc_of_distances_not_similarities", "verification_metrics",
      "auc = float(roc_auc_score(same, -distances))", "auc = float(roc_auc_score(same, distances))",
      "AUC reads a large distance as 'same person': 1 - AUC is reported"),
    M("eer_at_the_wrong_crossing", "verification_metrics",
      "np.argmin(np.abs((1 - tpr) - fpr))", "np.argmin(np.abs(tpr - fpr))",
      "EER is read where the ROC curve crosses the diagonal, not where FNR = FPR"),
    M("best_threshold_accepts_every_genuine_pair", "best_threshold",
      "np.argmax(tpr - fpr)", "np.argmax(tpr)",
      "the threshold maximises accepted genuine pairs and forgets the impostors"),
    M("balanced_accuracy_is_plain_accuracy", "evaluate",
      "balanced_accuracy_score(same, distances <= threshold)",
      "float(np.mean((distances <= threshold) == same))",
      "plain accuracy: always saying 'different' scores high when impostors are many"),
    M("balanced_accuracy_threshold_excluded", "evaluate",
      "balanced_accuracy_score(same, distances <= threshold)",
      "balanced_accuracy_score(same, distances < threshold)",
      "a pair exactly at the threshold is called different, unlike compare()"),
    M("one_shot_reference_also_a_query", "one_shot_accuracy",
      "queries = np.setdiff1d(np.arange(len(person_ids)), references)",
      "queries = np.arange(len(person_ids))",
      "each reference photo is also a query and names itself: free hits"),
    M("evaluate_threshold_in_hindsight", "evaluate",
      "balanced_accuracy_score(same, distances <= threshold)",
      "balanced_accuracy_score(same, distances <= best_threshold(distances, same))",
      "balanced accuracy at the best threshold in hindsight, chosen on the test pairs"),
    # The figures of section 8
    M("pairs_shown_second_photo_first", "show_pairs",
      "first, second = np.triu_indices(len(images), k=1)",
      "second, first = np.triu_indices(len(images), k=1)",
      "each pair's photos are looked up in the wrong order: the figure shows other photos"),
    M("hardest_pairs_repeat_people", "hardest_pairs",
      "hardest.append(ranked[np.sort(first_of_each)][:count])",
      "hardest.append(ranked[:count])",
      "one person, or one two people, fills every hardest pair: the figure repeats one case"),
    # The threshold rules and the calibration split
    M("threshold_rule_left_out_alone", "threshold_rules",
      "{USED_RULE: (from_left_out + from_training) / 2,", "{USED_RULE: from_left_out,",
      "the rule used is the left-out people's threshold alone, not the mean of the two"),
    M("threshold_rule_training_half_from_left_out", "threshold_rules",
      "from_training = best_threshold(*training_pairs)",
      "from_training = from_left_out",
      "the training half is computed from the left-out pairs"),
    M("network_rules_model_reads_left_out_people", "evaluate_networks",
      "model_distances([network], images[photos], *views)",
      "model_distances(networks, images[photos], *views)",
      "left-out pairs come from the full model, which trained on those people"),
    M("network_rules_wrong_network_for_a_group", "evaluate_networks",
      "zip(calibration_networks, groups)", "zip(calibration_networks[::-1], groups)",
      "each group is read by another group's calibration network, one that trained on it"),
    M("evaluate_networks_left_out_threshold", "evaluate_networks",
      "return evaluate(distances, person_ids[is_test], rules[USED_RULE]), rules",
      'return evaluate(distances, person_ids[is_test], rules["from the left-out people"]), rules',
      "the full model is measured at the left-out people's threshold, not the mean rule"),
    M("left_out_groups_overlap", "left_out_groups",
      "np.roll(other_people, -k * size)", "np.roll(other_people, -k * size + 1)",
      "off by one: the second group shares a person with the validation group"),
    # Finding and framing faces
    M("largest_face_searches_full_size", "largest_face",
      "largest_face_at(photo, scale * shrink)", "largest_face_at(photo, scale)",
      "large photos are searched at full size, not at about 640 pixels across"),
    M("agreeing_face_one_search_enough", "agreeing_face",
      "if len(same) < needed:", "if not same:",
      "a face found by a single search counts, whatever FACE_SEARCHES_NEEDED says"),
    M("framed_box_shifted_down", "framed_box",
      "y + h / 2 + shift_down * h - height / 2", "y + h / 2 - shift_down * h - height / 2",
      "the frame moves down from the face instead of up towards the hair"),
    M("framed_box_not_kept_inside", "framed_box",
      "left = round(min(max(x + w / 2 - width / 2, 0), photo_width - width))",
      "left = round(x + w / 2 - width / 2)",
      "a frame near the left or right edge reaches outside the photo"),
    M("face_box_aspect_inverted", "face_box",
      "image_size[0] / image_size[1]", "image_size[1] / image_size[0]",
      "the frame has width/height instead of height/width: faces are squashed"),
    # Saving, loading and comparing
    M("checkpoint_saves_first_network_only", "save_checkpoint",
      "[network.state_dict() for network in networks]", "[networks[0].state_dict()]",
      "the saved model holds one network of the ensemble"),
    M("load_model_unpickles_anything", "load_model",
      "weights_only=True", "weights_only=False",
      "loading a checkpoint may run code hidden in the file"),
    M("load_model_keeps_random_weights", "load_model",
      "network.load_state_dict(weights)", "network.load_state_dict(network.state_dict())",
      "the rebuilt networks keep their random initial weights"),
    M("compare_verdict_flipped", "compare",
      'distance <= checkpoint["threshold"]', 'distance > checkpoint["threshold"]',
      "compare() calls close photos different people and far ones the same"),
    M("compare_margin_as_threshold", "compare",
      'distance <= checkpoint["threshold"]', "distance <= MARGIN",
      "compare() uses the training margin, not the saved threshold"),
    M("compare_ignores_find_faces_false", "compare",
      'checkpoint["find_faces"] if find_faces is None else find_faces',
      'find_faces or checkpoint["find_faces"]',
      "find_faces=False is ignored when the checkpoint was saved with face finding"),
    # Fetching the faces
    M("download_checksum_ignored", "unpack_faces",
      "md5=md5,", "md5=None,",
      "a download with the wrong MD5 checksum is unpacked and used"),
    M("fetch_leaves_staging_behind", "fetch_att_faces",
      "with tempfile.TemporaryDirectory(prefix=f\".{data_dir.name}-staging-\",\n"
      "                                         dir=data_dir.parent) as staging:",
      "for staging in [tempfile.mkdtemp(prefix=f\".{data_dir.name}-staging-\",\n"
      "                                         dir=data_dir.parent)]:",
      "every attempt leaves a half-written staging folder beside the data folder"),
    M("fetch_empty_folder_counts_as_data", "fetch_att_faces",
      "if data_dir.is_dir() and any(data_dir.iterdir()):", "if data_dir.is_dir():",
      "an empty data folder (say, left by a killed run) is taken as the faces"),
    M("fill_from_skips_the_folder_check", "unpack_faces",
      'if all(len(list(person.glob("*.pgm"))) >= 2 for person in people):', "if people:",
      "a copy without two photos per person becomes the data folder, half-written"),
]


class MutationError(Exception):
    """A bug of the list that cannot be applied to the notebook as it is."""


def code_sources(notebook):
    """{cell index: source} of the notebook's code cells."""
    return {number: "".join(cell["source"]) for number, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code"}


def parse_cell(source):
    """The syntax tree of a cell, its IPython lines (%, !) blanked so that line numbers hold."""
    lines = source.split("\n")
    kept = ["" if line.lstrip().startswith(("%", "!")) else line for line in lines]
    return ast.parse("\n".join(kept))


def function_spans(notebook):
    """{name: [(cell, first offset, end offset)]} of every function defined in the notebook."""
    spans = {}
    for number, source in code_sources(notebook).items():
        starts = [0]
        for line in source.split("\n"):
            starts.append(starts[-1] + len(line) + 1)
        for node in ast.walk(parse_cell(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = starts[node.lineno - 1] + node.col_offset
                end = starts[node.end_lineno - 1] + node.end_col_offset
                spans.setdefault(node.name, []).append((number, first, end))
    return spans


def locate(mutation, notebook):
    """(cell index, offset) of the one place the bug's old text appears; MutationError if it is not
    exactly one place of the whole notebook's code, inside the function the bug names."""
    defined = function_spans(notebook).get(mutation.function, [])
    if len(defined) != 1:
        raise MutationError(f"{mutation.name}: the notebook defines {mutation.function} "
                            f"{len(defined)} times, not once")
    places = [(number, match.start()) for number, source in code_sources(notebook).items()
              for match in re.finditer(re.escape(mutation.old), source)]
    if len(places) != 1:
        raise MutationError(f"{mutation.name}: {mutation.old!r} appears {len(places)} times in the "
                            "notebook's code, not once")
    (cell, first, end), (number, offset) = defined[0], places[0]
    if number != cell or not first <= offset <= end - len(mutation.old):
        raise MutationError(f"{mutation.name}: {mutation.old!r} is not inside {mutation.function}")
    return number, offset


def function_dump(notebook, name):
    """The syntax tree of the function `name`, as text (formatting and comments left out)."""
    number, first, end = function_spans(notebook)[name][0]
    source = code_sources(notebook)[number]
    node = next(n for n in ast.walk(parse_cell(source))
                if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.dump(node)


def apply(mutation, notebook):
    """A copy of the notebook (its JSON) with the bug put in; MutationError if it cannot be."""
    number, offset = locate(mutation, notebook)
    source = code_sources(notebook)[number]
    changed = source[:offset] + mutation.new + source[offset + len(mutation.old):]
    mutated = copy.deepcopy(notebook)
    mutated["cells"][number]["source"] = changed.splitlines(keepends=True)
    try:
        parse_cell(changed)
    except SyntaxError as error:
        raise MutationError(f"{mutation.name}: the changed cell is not Python ({error})") from None
    if function_dump(mutated, mutation.function) == function_dump(notebook, mutation.function):
        raise MutationError(f"{mutation.name}: the change leaves the code of "
                            f"{mutation.function} as it was")
    return mutated


def load_copy(path):
    """Load the notebook code of the copy at path as the tests will; raise what that raises."""
    saved = notebook_code.NOTEBOOK
    notebook_code.NOTEBOOK = Path(path)
    try:
        notebook_code.load_notebook_code()
    finally:
        notebook_code.NOTEBOOK = saved


def ordered_files(function):
    """FAST_TESTS with the files that name the function first."""
    word = re.compile(rf"\b{re.escape(function)}\b")
    naming = [f for f in FAST_TESTS if word.search((ROOT / f).read_text(encoding="utf-8"))]
    return naming + [f for f in FAST_TESTS if f not in naming]


class Run(NamedTuple):
    """What one pytest run gave: its exit status, the failed and erroring tests, its output."""
    status: int
    failed: list
    output: str
    seconds: float


def run_tests(notebook_path, files, deselect, stop_first):
    """Run pytest on files against the notebook copy at notebook_path."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE",
               "-m", "not slow", *(["-x"] if stop_first else []), *files]
    for node in deselect:
        command += ["--deselect", node]
    environment = {**os.environ, "SIAMESE_NOTEBOOK": str(notebook_path)}
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Run(-1, [], f"pytest ran longer than {RUN_TIMEOUT} s", time.perf_counter() - started)
    output = done.stdout + done.stderr
    words = [line.split() for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    failed = [parts[1] for parts in words if len(parts) > 1 and "::" in parts[1]]
    return Run(done.returncode, failed, output, time.perf_counter() - started)


def verdict(run):
    """('caught', first failing test), ('missed', '') or ('error', why)."""
    if run.status == 0:
        return "missed", ""
    if run.status == 1 and run.failed:
        return "caught", run.failed[0]
    tail = " | ".join(run.output.strip().splitlines()[-3:])
    return "error", f"pytest exit status {run.status}: {tail}"


def check_one(mutation, notebook, folder, deselect):
    """(verdict, detail, seconds) of one bug: applied to a copy in folder, loaded, tested."""
    started = time.perf_counter()
    try:
        mutated = apply(mutation, notebook)
        path = folder / f"{mutation.name}.ipynb"
        path.write_text(json.dumps(mutated, indent=1, ensure_ascii=False), encoding="utf-8")
        load_copy(path)
    except MutationError as error:
        return "error", str(error), time.perf_counter() - started
    except Exception as error:  # the copy does not even load: not a bug the tests caught
        return "error", f"the copy does not load: {type(error).__name__}: {error}", \
            time.perf_counter() - started
    run = run_tests(path, ordered_files(mutation.function), deselect, stop_first=True)
    result, detail = verdict(run)
    if result == "error":
        print(run.output[-3000:], file=sys.stderr)
    return result, detail, time.perf_counter() - started


def baseline(notebook, folder):
    """Run every fast test on an unchanged copy; the tests that fail there (to be left out)."""
    path = folder / "unchanged.ipynb"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
    run = run_tests(path, FAST_TESTS, [], stop_first=False)
    if run.status not in (0, 1) or (run.status == 1 and not run.failed):
        print(run.output[-3000:], file=sys.stderr)
        sys.exit(f"The fast tests do not run on the unchanged notebook (pytest exit status "
                 f"{run.status}); fix that first.")
    return run


def table(rows):
    """The results as a Markdown table: bug, function, caught by, seconds."""
    lines = ["| bug | function | caught by | seconds |", "| --- | --- | --- | ---: |"]
    for mutation, result, detail, seconds in rows:
        shown = {"caught": f"`{detail}`", "missed": "**missed**"}.get(result,
                                                                     f"**error**: {detail}")
        lines.append(f"| {mutation.name} | `{mutation.function}` | {shown} | {seconds:.0f} |")
    return "\n".join(lines)


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the bugs and stop")
    parser.add_argument("--only", action="append", metavar="NAME", help="check only this bug")
    options = parser.parse_args(arguments)
    chosen = MUTATIONS
    if options.only:
        known = {m.name for m in MUTATIONS}
        unknown = [name for name in options.only if name not in known]
        if unknown:
            parser.error(f"no bug named {', '.join(unknown)}; see --list")
        chosen = [m for m in MUTATIONS if m.name in options.only]
    if options.list:
        for m in chosen:
            print(f"{m.name:45s} {m.function:22s} {m.bug}")
        return 0
    source = os.environ.get("ATT_FACES_SOURCE")
    if not source or not (Path(source) / "s1").is_dir():
        parser.error("set ATT_FACES_SOURCE to the unpacked AT&T faces (s1 ... s40), so that no "
                     "changed copy of the notebook ever fetches or writes a data folder")
    before = hashlib.md5(REAL_NOTEBOOK.read_bytes()).hexdigest()
    notebook = json.loads(REAL_NOTEBOOK.read_text(encoding="utf-8"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-check-") as temporary:
        folder = Path(temporary)
        first = baseline(notebook, folder)
        red = sorted(set(first.failed))
        print(f"Unchanged notebook: the fast tests ran in {first.seconds:.0f} s", end="")
        print(f"; {len(red)} failed there and are left out: " + ", ".join(red) if red else
              "; all passed.")
        rows = []
        for mutation in chosen:
            result, detail, seconds = check_one(mutation, notebook, folder, red)
            rows.append((mutation, result, detail, seconds))
            print(f"{mutation.name:45s} {result:6s} {seconds:5.0f} s  {detail}", flush=True)
    assert hashlib.md5(REAL_NOTEBOOK.read_bytes()).hexdigest() == before, "the notebook changed"
    counts = {result: sum(row[1] == result for row in rows)
              for result in ("caught", "missed", "error")}
    print()
    print(table(rows))
    print(f"\n{counts['caught']} of {len(rows)} bugs caught, {counts['missed']} missed, "
          f"{counts['error']} errors of the check; {time.perf_counter() - started:.0f} s in all "
          f"(the unchanged run included).")
    return 0 if counts["caught"] == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
