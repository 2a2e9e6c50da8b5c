"""Load the notebook's imports, constants, functions and classes as a module, without running its other cells;
run the whole notebook with papermill."""
import ast
import hashlib
import json
import os
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = Path(os.environ.get("SIAMESE_NOTEBOOK", ROOT / "siames_network_pytorch.ipynb"))
CELL_TIMEOUT = 600  # seconds; a cell that runs longer (a hung kernel) fails the run instead of waiting out CI


def keeps(node):
    """True for the statements that define things: imports, functions, classes, UPPER_CASE constants, and
    try blocks (the optional HEIC reader is registered in one)."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Try)):
        return True
    return isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)


def load_notebook_code():
    """Execute the defining statements of every code cell, in order, inside a fresh module."""
    module = types.ModuleType("notebook_code")
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        tree = ast.Module(body=[n for n in ast.parse("\n".join(lines)).body if keeps(n)], type_ignores=[])
        exec(compile(tree, str(NOTEBOOK), "exec"), module.__dict__)
    return module


def execute_notebook(output_dir, **parameters):
    """Run the whole notebook with papermill, writing to output_dir (also its OUTPUT_DIR); return output_dir."""
    import papermill

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(NOTEBOOK, output_dir / "executed.ipynb", cwd=ROOT, kernel_name="python3",
                               progress_bar=False, execution_timeout=CELL_TIMEOUT,
                               parameters={"OUTPUT_DIR": str(output_dir), **parameters})
    return output_dir


def snapshot(folder):
    """Every path below folder with the hash of its content, to show that a run or a failed load changed nothing."""
    return {p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(Path(folder).rglob("*"))}
