"""Code a learner reads at a glance: the linter's rules (tests/ruff.toml) hold for the notebook and
tests/, every function of the notebook takes the data it uses as arguments, and train_network stays
short."""

import ast
import builtins
import json
import subprocess
import sys

import pytest

from notebook_code import NOTEBOOK, ROOT

RUFF_CONFIG = ROOT / "tests" / "ruff.toml"


def code_cells():
    """The source of every code cell, IPython magics commented out."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return [source.replace("%config", "#config") for source in sources]


@pytest.mark.parametrize("target", ["siames_network_pytorch.ipynb", "tests"])
def test_linter_passes(target):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(RUFF_CONFIG), "--no-cache", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def bound_names(tree):
    """Every name a piece of code binds: arguments, assignments, loop targets, imports, defs."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def cell_data_names(tree):
    """The lowercase names a cell assigns at its top level: the notebook's data, not its code."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        names.update(name for name in bound_names(statement) if not name.isupper())
    return names


def globals_read_by_functions(sources):
    """(function, name) for each lowercase global of another cell that a function reads."""
    trees = [ast.parse(source) for source in sources]
    data = {}  # name -> cells that assign it at top level
    for number, tree in enumerate(trees):
        for name in cell_data_names(tree):
            data.setdefault(name, set()).add(number)
    found = []
    for number, tree in enumerate(trees):
        functions = [
            node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        ]
        for function in functions:
            own = bound_names(function)
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Name)
                    and isinstance(node.ctx, ast.Load)
                    and node.id not in own
                    and node.id in data
                    and not hasattr(builtins, node.id)
                ):
                    found.append((function.name, node.id))
    return sorted(set(found))


def test_no_function_reads_a_lowercase_global_of_the_notebook():
    assert globals_read_by_functions(code_cells()) == []


def test_the_check_finds_a_function_that_reads_notebook_data():
    cells = [
        "images = load()\nPEOPLE = 3\n",
        'def count(folder):\n    """x"""\n    return len(images) + PEOPLE + len(folder)\n',
        'def fine(images):\n    """x"""\n    return [i for i in images]\n',
    ]
    assert globals_read_by_functions(cells) == [("count", "images")]


def test_train_network_stays_short():
    tree = ast.parse("\n".join(code_cells()))
    train = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "train_network"
    )
    assert train.end_lineno - train.lineno + 1 <= 30
