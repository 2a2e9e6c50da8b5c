"""The notebook's definitions as a module, and the one helper that runs the whole notebook."""
import ast
import json
import os
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = Path(os.environ.get("SIAMESE_NOTEBOOK") or ROOT / "siames_network_pytorch.ipynb")
CELL_TIMEOUT = 600  # seconds: a hung kernel fails the run instead of waiting out CI


def keeps(node):
    """True for the statements that define things: imports, functions, classes, UPPER_CASE
    constants."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    return isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper()
                                                for t in node.targets)


def load_notebook_code(notebook=NOTEBOOK):
    """Execute the defining statements of every code cell, in order, inside a fresh module."""
    module = types.ModuleType("notebook_code")
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        body = [node for node in ast.parse("\n".join(lines)).body if keeps(node)]
        exec(compile(ast.Module(body=body, type_ignores=[]), str(notebook), "exec"),
             module.__dict__)
    return module


def faces_source():
    """The unpacked AT&T faces the tests build their folders from: ATT_FACES_SOURCE, else the
    notebook's data folder. Fails, never skips, when neither holds them."""
    folder = Path(os.environ.get("ATT_FACES_SOURCE") or ROOT / "data" / "att_faces")
    if not (folder / "s40" / "10.pgm").is_file():
        raise FileNotFoundError(f"No AT&T faces at {folder}: set ATT_FACES_SOURCE to the "
                                "unpacked folder of s1 ... s40, or run the notebook once.")
    return folder


def execute_notebook(output_dir, notebook=NOTEBOOK, cwd=ROOT, **parameters):
    """Run the whole notebook with papermill into output_dir (also its OUTPUT_DIR)."""
    import papermill

    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(str(notebook), str(output_dir / "executed.ipynb"), cwd=str(cwd),
                               kernel_name="python3", progress_bar=False,
                               execution_timeout=CELL_TIMEOUT,
                               parameters={"OUTPUT_DIR": str(output_dir), **parameters})
    return output_dir
