"""The stored notebook: short enough to read at one go, executed in order, clean outputs, and code
a learner reads at a glance."""
import ast
import json
import re
import subprocess
import sys

import pytest

from notebook_code import NOTEBOOK, ROOT

CELLS = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
CODE = [cell for cell in CELLS if cell["cell_type"] == "code"]
LIMITS = {"code lines": 600, "lines before the first backward()": 200, "markdown words": 4000,
          "top-level functions and classes": 35, "parameters": 15}


def source(cell):
    return "".join(cell["source"])


def python_of(cell):
    """A code cell's source without IPython's % and ! lines."""
    return "\n".join(line for line in source(cell).splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def reading_cost(cells):
    """The numbers LIMITS holds, counted as ../shared/hooks/counts.py counts them."""
    code = before = words = definitions = parameters = 0
    trained = False
    for cell in cells:
        if cell["cell_type"] == "markdown":
            words += len(re.sub(r"<!--.*?-->", "", source(cell), flags=re.S).split())
            continue
        for line in source(cell).splitlines():
            if not line.strip() or line.strip().startswith("#"):
                continue
            code += 1
            if not trained:
                before += 1
                trained = ".backward()" in line and not line.lstrip().startswith("def ")
        tree = ast.parse(python_of(cell))
        definitions += sum(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in tree.body)
        if "parameters" in cell["metadata"].get("tags", []):
            parameters = sum(isinstance(n, ast.Assign) for n in tree.body)
    return dict(zip(LIMITS, (code, before, words, definitions, parameters)))


@pytest.mark.parametrize("measure", LIMITS)
def test_the_notebook_stays_within_its_reading_limits(measure):
    assert reading_cost(CELLS)[measure] <= LIMITS[measure]


def test_the_limits_count_what_they_should():
    toy = [{"cell_type": "markdown", "source": ["one two <!-- hidden -->"]},
           {"cell_type": "code", "metadata": {"tags": ["parameters"]},
            "source": ["A = 1\nB = 2"]},
           {"cell_type": "code", "metadata": {},
            "source": ["# a comment\n\nloss.backward()\nx = 1"]},
           {"cell_type": "code", "metadata": {}, "source": ["def f():\n    return 1"]}]
    assert list(reading_cost(toy).values()) == [6, 3, 2, 1, 2]


def test_cells_were_executed_once_in_order_without_errors():
    assert [cell["execution_count"] for cell in CODE] == list(range(1, len(CODE) + 1))
    for cell in CODE:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", source(cell)[:80]
            if output.get("name") == "stderr":  # only progress bars may write there
                assert "it/s" in "".join(output["text"]) or "epoch" in "".join(output["text"])


def test_outputs_show_no_machine_paths_and_figures_are_png():
    for cell in CODE:
        for output in cell["outputs"]:
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"(/root/|/home/|/tmp/|/Users/|/work/|C:\\)", text), text[:200]
            assert "image/svg+xml" not in output.get("data", {})
    assert sum("image/png" in o.get("data", {}) for c in CODE for o in c["outputs"]) >= 10


def test_code_lines_fit_in_100_characters():
    long = [line for cell in CODE for line in source(cell).splitlines() if len(line) > 100]
    assert long == []


def test_every_function_and_class_has_a_one_line_docstring():
    for cell in CODE:
        for node in ast.walk(ast.parse(python_of(cell))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name != "__init__":
                docstring = ast.get_docstring(node)
                assert docstring and "\n" not in docstring, node.name


def test_functions_read_no_lowercase_global_of_another_cell():
    """Functions take the data they use as arguments; UPPER_CASE constants are fine."""
    defined = set()
    for cell in CODE:
        tree = ast.parse(python_of(cell))
        defined |= {t.id for node in tree.body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name) and not t.id.isupper()}
    for cell in CODE:
        for node in ast.parse(python_of(cell)).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            local |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                      and isinstance(n.ctx, ast.Store)}
            read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                    and isinstance(n.ctx, ast.Load)}
            assert not (read - local) & defined, (node.name, (read - local) & defined)


def test_only_outputs_that_repeat_are_checked_by_nbval():
    checked = [cell for cell in CODE if "nbval-check-output" in cell["metadata"].get("tags", [])]
    assert checked, "at least the worked example of the loss is checked"
    for cell in checked:
        assert not re.search(r"SEED|train|time|fetch|DATA_DIR|environ", source(cell))


def test_the_notebook_and_tests_pass_the_linter(tmp_path):
    script = tmp_path / "notebook.py"
    script.write_text("\n\n".join(python_of(cell) for cell in CODE) + "\n")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--config",
                             str(ROOT / "tests" / "ruff.toml"), str(script),
                             str(ROOT / "tests")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
