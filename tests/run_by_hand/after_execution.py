"""Run after re-executing the notebook: copy its pairs-with-dissimilarity figure (section 8.1) to
.figures/ for the README, and give each stored progress bar a plain-text fallback that shows the
bar's final state.

Jupyter draws a tqdm bar from the widget state the notebook keeps, which ends at 100 %; a page that
cannot draw widgets (GitHub, for one) prints the bar's plain text instead, which tqdm wrote when the
bar started: "0%| 0/20". This script writes the final state there (the description, share, count
and times of the bar's last refresh), and nothing for a bar that Jupyter hides once it is done
(leave=False). It changes no other output. Not collected by pytest. From anywhere:

    python tests/run_by_hand/after_execution.py
"""
import base64
import html
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "siames_network_pytorch.ipynb"
FIGURE = ROOT / ".figures" / "pairs_with_dissimilarity.png"
SECTION = "### 8.1 "
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
BAR_WIDTH = 10  # characters of the drawn bar, as tqdm draws it in a terminal


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


def final_bar_text(states, model_id):
    """The text of a stored tqdm bar in its final state, or "" when Jupyter hides it."""
    box = states[model_id]["state"]
    if states[box["layout"].removeprefix("IPY_MODEL_")]["state"].get("visibility") == "hidden":
        return ""
    left, bar, right = (states[child.removeprefix("IPY_MODEL_")]["state"]
                        for child in box["children"])
    filled = round(BAR_WIDTH * bar["value"] / bar["max"]) if bar["max"] else 0
    drawn = "█" * filled + " " * (BAR_WIDTH - filled)
    text = f"{html.unescape(left['value'])}|{drawn}|{html.unescape(right['value'])}"
    return text.replace("\u2007", " ")


def bar_outputs(notebook):
    """(cell, output, model id) of every stored widget output of the notebook's code cells."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                yield cell, output, view["model_id"]


def give_bars_their_final_text(notebook):
    """Set the plain text of every stored progress bar to its final state; how many changed."""
    states = notebook["metadata"]["widgets"][WIDGET_STATE]["state"]
    changed = 0
    for cell, output, model_id in bar_outputs(notebook):
        if "nbval-check-output" in cell["metadata"].get("tags", []):
            raise ValueError("a progress bar in a cell whose output nbval checks: a rerun would "
                             "print the bar's first state, so keep bars out of those cells")
        text = final_bar_text(states, model_id)
        changed += output["data"].get("text/plain") != text
        output["data"]["text/plain"] = text
    return changed


if __name__ == "__main__":
    FIGURE.parent.mkdir(exist_ok=True)
    FIGURE.write_bytes(section_figure())
    print(f"wrote {FIGURE.relative_to(ROOT)}")
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    changed = give_bars_their_final_text(notebook)
    NOTEBOOK.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"gave {changed} progress bar(s) of {NOTEBOOK.name} their final text")
