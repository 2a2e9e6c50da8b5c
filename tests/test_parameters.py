"""Parameters: an unknown name or a value that cannot work is refused before any work."""
import json

import pytest

from notebook_code import NOTEBOOK, execute_notebook


def defaults(nb):
    """The parameters cell's values, as the notebook's globals hold them."""
    return {name: getattr(nb, name) for name in nb.RULES}


def test_every_parameter_has_a_rule_and_the_defaults_pass(nb):
    cell = next(c for c in json.loads(NOTEBOOK.read_text())["cells"]
                if "parameters" in c["metadata"].get("tags", []))
    names = [line.split("=")[0].strip() for line in "".join(cell["source"]).splitlines()
             if "=" in line and not line.startswith("#")]
    assert names == list(nb.RULES) and len(names) <= 15
    nb.check_parameters(defaults(nb), given_names=names)


def test_an_unknown_name_is_refused_with_the_closest_one(nb):
    with pytest.raises(NameError, match="did you mean EPOCHS"):
        nb.check_parameters(defaults(nb), given_names=["EPOCH"])
    with pytest.raises(NameError, match="they are DATA_DIR"):
        nb.check_parameters(defaults(nb), given_names=["COLOUR_SCHEME"])


@pytest.mark.parametrize("name, value, match", [
    ("EPOCHS", True, "must be int"), ("EPOCHS", "5", "must be int"), ("EPOCHS", 0, "from 1"),
    ("VALIDATION_SHARE", 0.9, "from 0.05 to 0.5"), ("MIRROR", "yes", "must be bool"),
    ("TEST_PEOPLE", "s1", "list or NoneType"), ("MARGIN", 3.0, "at most 2")])
def test_a_value_that_cannot_work_is_refused(nb, name, value, match):
    with pytest.raises(ValueError, match=match):
        nb.check_parameters({**defaults(nb), name: value}, given_names=[name])


def test_a_larger_margin_works_without_normalisation(nb):
    nb.check_parameters({**defaults(nb), "MARGIN": 20.0, "NORMALISE_EMBEDDINGS": False}, [])


@pytest.mark.slow
def test_papermill_refuses_an_unknown_name_before_any_work(tmp_path):
    import papermill

    data = tmp_path / "no-data-yet"
    with pytest.raises(papermill.PapermillExecutionError, match="did you mean EPOCHS"):
        execute_notebook(tmp_path / "out", EPOCH=5, DATA_DIR=str(data))
    assert not data.exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["executed.ipynb"]
