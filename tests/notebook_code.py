"""Load the notebook's imports, constants, functions and classes as a module, without running
its other cells; find the AT&T faces for the tests and the harness scripts; run the whole notebook
with papermill."""
import ast
import hashlib
import json
import os
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = Path(os.environ.get("SIAMESE_NOTEBOOK", ROOT / "siames_network_pytorch.ipynb"))
CELL_TIMEOUT = 600  # seconds; a hung kernel's cell fails the run instead of waiting out CI
# papermill's command-line options for a short run (one network, one epoch), used by the tests that
# run the commands a reader types
SHORT_COMMAND_LINE = ["-p", "EPOCHS", "1", "-p", "N_MODELS", "1", "-p", "CALIBRATION_MODELS", "1",
                      "-p", "ONE_SHOT_DRAWS", "5", "-p", "SANITY_CHECKS", "False"]
SMALL = dict(channels=[4, 8, 8, 8], hidden_units=16, embedding_dim=8)  # a quick architecture
ATT_PHOTOS = [f"s{person}/{photo}.pgm" for person in range(1, 41) for photo in range(1, 11)]


def keeps(node):
    """True for the statements that define things: imports, functions, classes, UPPER_CASE
    constants, and try blocks (the optional HEIC reader is registered in one)."""
    definitions = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Try)
    if isinstance(node, definitions):
        return True
    return isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper()
                                                for t in node.targets)


def load_notebook_code():
    """Execute the defining statements of every code cell, in order, inside a fresh module."""
    module = types.ModuleType("notebook_code")
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        body = [node for node in ast.parse("\n".join(lines)).body if keeps(node)]
        tree = ast.Module(body=body, type_ignores=[])
        exec(compile(tree, str(NOTEBOOK), "exec"), module.__dict__)
    return module


def att_faces_folder(nb, source=None):
    """The folder of the AT&T faces (s1 ... s40, 1.pgm ... 10.pgm): the one way the tests (the
    fixture real_faces) and the harness scripts get them.

    source, else the environment variable ATT_FACES_SOURCE, names the unpacked folder or
    att_faces.zip (a relative path is taken from the repository root, where the notebook runs).
    The unpacked folder is used where it is. Anything else goes through the notebook's own fetch
    into ROOT / nb.DATA_DIR, from that copy alone: no download or Olivetti copy in its place.
    Without a source, the notebook's fetch fills ROOT / nb.DATA_DIR as the notebook does (a
    download, else scikit-learn's Olivetti copy). Either way photos already in ROOT / nb.DATA_DIR
    are used as they are, as the notebook uses them. What fails raises: no test skips quietly."""
    source = source or os.environ.get("ATT_FACES_SOURCE") or None
    source = source and (ROOT / source).resolve()
    if source and not source.exists():
        raise FileNotFoundError(f"ATT_FACES_SOURCE {source} is neither a folder nor a file: set "
                                "it to att_faces.zip or to the folder of s1 ... s40")
    if source and (source / "s1").is_dir():
        folder = source
    else:
        folder = ROOT / nb.DATA_DIR
        if source:
            nb.fetch_att_faces(folder, str(source), None, None, olivetti_fallback=False)
        else:
            nb.fetch_att_faces(folder, None, nb.ATT_FACES_URL, nb.ATT_FACES_MD5,
                               nb.OLIVETTI_FALLBACK)
    missing = [photo for photo in ATT_PHOTOS if not (folder / photo).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder} lacks {len(missing)} of the 400 AT&T photos ({', '.join(missing[:3])} ...): "
            "set ATT_FACES_SOURCE to att_faces.zip or to the folder of s1 ... s40")
    return folder


def execute_notebook(output_dir, **parameters):
    """Run the whole notebook with papermill, writing to output_dir (also its OUTPUT_DIR); return
    output_dir. The one helper that runs the notebook."""
    import papermill

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(NOTEBOOK, output_dir / "executed.ipynb", cwd=ROOT,
                               kernel_name="python3", progress_bar=False,
                               execution_timeout=CELL_TIMEOUT,
                               parameters={"OUTPUT_DIR": str(output_dir), **parameters})
    return output_dir


def read_metrics(output_dir):
    """The metrics.json that a run of the notebook wrote to output_dir."""
    return json.loads((Path(output_dir) / "metrics.json").read_text())


def snapshot(folder):
    """Every path below folder with the hash of its content, to show that a run or a failed load
    changed nothing."""
    return {p.relative_to(folder).as_posix():
            hashlib.md5(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(Path(folder).rglob("*"))}
