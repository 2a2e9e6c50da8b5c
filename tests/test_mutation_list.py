"""The mutation check's bugs still apply, each to exactly one place of its function."""
import json

import pytest

from mutation_check import MUTATIONS, mutate
from notebook_code import NOTEBOOK, load_notebook_code

ORIGINAL = json.loads(NOTEBOOK.read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_each_bug_applies_once_and_still_loads(mutation, tmp_path):
    changed = mutate(ORIGINAL, mutation)
    assert changed != ORIGINAL
    path = tmp_path / "mutated.ipynb"
    path.write_text(json.dumps(changed))
    load_notebook_code(path)


def test_a_bug_that_no_longer_applies_is_refused():
    stale = MUTATIONS[0]._replace(old="text that is not in the function")
    with pytest.raises(ValueError, match="not once"):
        mutate(ORIGINAL, stale)
