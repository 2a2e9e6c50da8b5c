"""Copy the notebook's pairs-with-dissimilarity figure (section 8.1) to .figures/ for the README.

Not collected by pytest. Run from anywhere after re-executing the notebook:

    python tests/run_by_hand/readme_figure.py
"""
import base64
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "siames_network_pytorch.ipynb"
FIGURE = ROOT / ".figures" / "pairs_with_dissimilarity.png"
SECTION = "### 8.1 "


def section_figure(notebook_path=NOTEBOOK, heading=SECTION):
    """The bytes of the first PNG stored after the markdown heading that starts with `heading`."""
    cells = json.loads(Path(notebook_path).read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and any(line.startswith(heading) for line in "".join(c["source"]).splitlines()))
    for cell in cells[start:]:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                return base64.b64decode(output["data"]["image/png"])
    raise LookupError(f"no figure stored after {heading!r}")


if __name__ == "__main__":
    FIGURE.parent.mkdir(exist_ok=True)
    FIGURE.write_bytes(section_figure())
    print(f"wrote {FIGURE.relative_to(ROOT)}")
