"""The bugs of tests/run_by_hand/mutation_check.py still fit the notebook: each applies to exactly
one place, inside the function it names, and changes that function's code. Text and syntax trees
only, no test runs: run `python tests/run_by_hand/mutation_check.py` to see whether the tests catch
them."""

import json
import types

import pytest

import mutation_check
from mutation_check import MUTATIONS, MutationError, apply, locate
from notebook_code import NOTEBOOK, ROOT

# what the list must cover: each of these functions has at least one bug
COVERED = {
    "contrastive_loss", "person_batches", "batches_per_epoch", "warp_images", "random_views",
    "split_people", "verification_metrics", "best_threshold", "one_shot_accuracy", "evaluate",
    "threshold_rules", "evaluate_networks", "left_out_groups", "largest_face", "agreeing_face",
    "framed_box", "face_box", "save_checkpoint", "load_model", "compare", "fetch_att_faces",
    "unpack_faces", "choose_test_people", "show_pairs", "hardest_pairs",
}


@pytest.fixture(scope="module")
def notebook():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def test_the_list_holds_at_least_20_bugs_with_distinct_names_covering_every_part():
    names = [m.name for m in MUTATIONS]
    assert len(names) >= 20 and len(set(names)) == len(names)
    assert COVERED <= {m.function for m in MUTATIONS}
    assert all(m.old != m.new and m.bug for m in MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_every_bug_applies_to_exactly_one_place_inside_its_function(notebook, mutation):
    cell, offset = locate(mutation, notebook)
    mutated = apply(mutation, notebook)
    source = "".join(mutated["cells"][cell]["source"])
    assert source[offset:offset + len(mutation.new)] == mutation.new
    assert mutated["cells"][:cell] == notebook["cells"][:cell]
    assert mutated["cells"][cell + 1:] == notebook["cells"][cell + 1:]


def test_a_bug_that_no_longer_fits_is_refused(notebook):
    base = MUTATIONS[0]
    elsewhere = next(m for m in MUTATIONS if m.function != base.function)
    for rotten, why in [
        (base._replace(old=base.old + " + 1"), "0 times"),  # the text is gone
        (base._replace(old="return"), "times in the notebook"),  # the text is everywhere
        (base._replace(function=elsewhere.function), "is not inside"),  # in another function
        (base._replace(function="no_such_function"), "0 times, not once"),
        (base._replace(new=base.old + "  # same code"), "leaves"),  # changes no code
        (base._replace(new=base.old + " +"), "not Python"),
    ]:
        with pytest.raises(MutationError, match=why):
            apply(rotten, notebook)


def test_the_check_runs_test_files_that_exist_and_selects_the_fast_tests():
    for name in mutation_check.FAST_TESTS:
        assert (ROOT / name).is_file(), name



def test_the_check_runs_the_fast_tests_alone(monkeypatch):
    """Each pytest run of the check selects -m "not slow": no papermill run per bug."""
    commands = []

    def fake_run(command, **_):
        commands.append(command)
        return types.SimpleNamespace(returncode=0, stdout="1 passed", stderr="")
    monkeypatch.setattr(mutation_check.subprocess, "run", fake_run)
    mutation_check.run_tests(ROOT / "copy.ipynb", mutation_check.FAST_TESTS, [], stop_first=True)
    command = commands[0]
    assert command[command.index("-m", 3) + 1] == "not slow"
