"""The committed notebook is what a reader on the web sees: executed in order, clean, small,
readable, and its prose agrees with its stored outputs."""
import ast
import json
import re
import shlex

import nbformat
import pytest

import after_execution
from notebook_code import NOTEBOOK, ROOT

SECTIONS = ["# Siamese networks with PyTorch", "## 1. Theory", "## 2. Set-up", "## 3. The network",
            "## 4. The contrastive loss", "## 5. Data", "## 6. Training one network",
            "## 7. Evaluation", "## 8. Visualising pair dissimilarity", "## 9. Going further",
            "## 10. Your own images", "## 11. Summary"]
MACHINE_PATH = re.compile(r"(/root/|/home/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\)")
PERSON = re.compile(r"\bs\d{1,2}\b")


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def output_text(output):
    text = output.get("text") or output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


def sections(notebook):
    """The cells grouped by their numbered top-level section: {'7': [cells], ...}."""
    grouped, current = {}, "0"
    for cell in notebook.cells:
        heading = re.match(r"## (\d+)\.", cell.source) if cell.cell_type == "markdown" else None
        current = heading.group(1) if heading else current
        grouped.setdefault(current, []).append(cell)
    return grouped


def has_png(cells):
    return any("image/png" in o.get("data", {})
               for c in cells if c.cell_type == "code" for o in c.outputs)


def test_valid_nbformat(notebook):
    nbformat.validate(notebook)


def test_executed_top_to_bottom(code_cells):
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))


def test_no_error_outputs_stderr_or_progress_bars(code_cells):
    for number, cell in enumerate(code_cells, 1):
        for output in cell.outputs:
            assert output.output_type != "error", f"code cell {number} stores an error"
            assert output.get("name") != "stderr", \
                f"code cell {number} wrote to stderr: {output_text(output)[:200]}"
            assert "\r" not in output_text(output), \
                f"code cell {number} stores carriage-return progress text"


def test_no_machine_paths_in_outputs(code_cells):
    for number, cell in enumerate(code_cells, 1):
        for output in cell.outputs:
            found = MACHINE_PATH.search(output_text(output))
            assert not found, f"code cell {number} shows the machine path {found.group(0)!r}"


def test_figures_are_png_and_every_figure_section_has_one(notebook, code_cells):
    outputs = [output for cell in code_cells for output in cell.outputs]
    assert not [o for o in outputs if "image/svg+xml" in o.get("data", {})], \
        "SVG figures are compared by nbval"
    grouped = sections(notebook)
    for section in ("5", "6", "7", "8", "9", "10"):
        assert has_png(grouped[section]), f"section {section} stores no figure"


def test_figures_are_drawn_readable(code_cells):
    source = "\n".join(cell.source for cell in code_cells)
    dpi = int(re.search(r"^FIGURE_DPI = (\d+)", source, re.MULTILINE).group(1))
    assert dpi >= 100
    sizes = [float(size) for size in re.findall(r"fontsize\"?\s*[=:]\s*(\d+(?:\.\d+)?)", source)]
    assert sizes and min(sizes) >= 8, f"text smaller than 8 pt: {sorted(sizes)[:3]}"


def test_one_parameters_cell_holds_every_knob(code_cells):
    tagged = [cell for cell in code_cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    knobs = {node.targets[0].id for node in ast.parse(tagged[0].source).body
             if isinstance(node, ast.Assign)}
    assert ({"DATA_DIR", "TEST_PEOPLE", "SEED", "OUTPUT_DIR", "EPOCHS", "MARGIN", "FIND_FACES"}
            <= knobs)
    for cell in code_cells:
        if cell is tagged[0]:
            continue
        assigned = {t.id for node in ast.walk(ast.parse(cell.source.replace("%config", "#")))
                    if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
        assert not assigned & knobs, \
            f"a parameter is set outside the parameters cell: {assigned & knobs}"


def test_sections_in_promised_order(notebook):
    headings = [line for cell in notebook.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("#")]
    positions = [next((i for i, h in enumerate(headings) if h.startswith(section)), None)
                 for section in SECTIONS]
    assert None not in positions, \
        f"missing sections: {[s for s, p in zip(SECTIONS, positions) if p is None]}"
    assert positions == sorted(positions)


def test_every_code_cell_follows_markdown_near_it(notebook):
    since_markdown = 0
    for cell in notebook.cells:
        since_markdown = 0 if cell.cell_type == "markdown" else since_markdown + 1
        assert since_markdown <= 2, \
            f"three code cells in a row without explanation, up to:\n{cell.source[:200]}"


def test_every_function_has_a_one_line_docstring(code_cells):
    for cell in code_cells:
        for node in ast.walk(ast.parse(cell.source.replace("%config", "#"))):
            # __init__ needs none: the class says it
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name != "__init__":
                docstring = ast.get_docstring(node)
                assert docstring and "\n" not in docstring.strip(), \
                    f"{node.name} needs a one-line docstring"


def test_machinery_is_collapsed_in_jupyterlab_and_colab_and_nbval_markers_are_tags(code_cells):
    """The machinery cells, and only they, have their source collapsed in JupyterLab
    (source_hidden) and Colab (cellView: form, with a #@title line); nbval markers are tags."""
    for cell in code_cells:
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        first_line = cell.source.splitlines()[0] if cell.source else ""
        assert hidden == is_machinery(cell), first_line
        if is_machinery(cell):
            assert cell.metadata.get("cellView") == "form" and first_line.startswith("#@title"), \
                f"Colab would show this machinery cell open: {first_line}"
    assert 1 <= sum(is_machinery(cell) for cell in code_cells) <= 2
    assert not [c for c in code_cells if "NBVAL" in c.source], \
        "nbval markers belong in the cell tags"
    checked = [c for c in code_cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert len(checked) >= 4 and all(c.outputs for c in checked)


def visible_code_lines(source):
    """The lines of code that are neither blank nor a comment."""
    return sum(1 for line in source.splitlines()
               if line.strip() and not line.strip().startswith("#"))


def test_the_first_forward_pass_comes_early(code_cells):
    first = next(i for i, cell in enumerate(code_cells) if re.search(r"untrained\(", cell.source))
    assert "class SiameseNetwork" in "".join(c.source for c in code_cells[:first])
    # the collapsed parameter check (88 lines) stands before it; 150 were allowed before it was
    assert sum(visible_code_lines(cell.source) for cell in code_cells[:first]) <= 200


def lines_before_training(cells):
    """Visible code lines of cells up to the first loss.backward() (counted up to that line)."""
    counts = []
    for cell in cells:
        source, trains = cell.source.partition("loss.backward()")[:2]
        counts.append(visible_code_lines(source + trains))
        if trains:
            return counts
    raise AssertionError("no cell calls loss.backward()")


def is_machinery(cell):
    """True for a cell tagged as machinery that a first reading may skip."""
    return "machinery" in cell.metadata.get("tags", [])


def test_machinery_cells_are_tagged_exactly_where_the_text_says_so(notebook):
    """A code cell is tagged `machinery` when, and only when, the markdown just before it tells the
    reader that it is machinery to skip on a first reading."""
    for before, cell in zip(notebook.cells, notebook.cells[1:]):
        if cell.cell_type == "code":
            said = before.cell_type == "markdown" and "machinery" in before.source.lower()
            assert said == is_machinery(cell), cell.source.splitlines()[0]


def test_at_most_300_code_lines_come_before_the_first_training_step(code_cells):
    """Every cell counts, collapsed machinery too, up to the first loss.backward()."""
    assert sum(lines_before_training(code_cells)) <= 300


def top_level_definitions(source):
    """The functions and classes a cell defines at its top level."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return [node.name for node in ast.parse("\n".join(lines)).body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def test_the_notebook_is_short_enough_to_read_at_once(notebook, code_cells):
    """The length limits: at most 5,000 markdown words and 50 top-level functions and classes; the
    code lines (every cell, collapsed ones too) may not grow past the 1,092 of the compacted
    notebook. The target of 750 code lines is not met (tests/records/RESULTS.md, "Notebook
    length", says why)."""
    words = sum(len(re.sub(r"<!--.*?-->", "", cell.source, flags=re.DOTALL).split())  # no markers
                for cell in notebook.cells if cell.cell_type == "markdown")
    definitions = [name for cell in code_cells for name in top_level_definitions(cell.source)]
    assert words <= 5000
    assert len(definitions) <= 50, len(definitions)
    assert len(set(definitions)) == len(definitions), "a function is defined twice"
    assert sum(visible_code_lines(cell.source) for cell in code_cells) <= 1092


def progress_bars(cell):
    """The descriptions of the tqdm progress bars a code cell's stored outputs hold."""
    bars = []
    for output in cell.outputs:
        data = output.get("data", {})
        if "application/vnd.jupyter.widget-view+json" in data:
            bars.append(output_text(output).split(":")[0])
    return bars


def test_training_and_the_full_models_networks_store_progress_bars(notebook, code_cells):
    """The stored run shows a progress bar for the core network's training and for each
    network of the full model, as Jupyter widgets whose final state the notebook keeps, and the
    outputs stay small (no lines of bar updates)."""
    bars = [bar for cell in code_cells for bar in progress_bars(cell)]
    assert "training the core network" in bars
    assert sum(bar.startswith("training the ensemble network") for bar in bars) == 4
    assert sum(bar.startswith("training the calibration network") for bar in bars) == 1
    states = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    finished = [model["state"] for model in states.values()
                if model.get("model_name") == "FloatProgressModel"]
    assert len(finished) >= len(bars) and all(s["value"] == s["max"] for s in finished)
    text = sum(len(output_text(o)) for cell in code_cells for o in cell.outputs)
    assert text < 10_000, f"{text} characters of text outputs"


def test_every_stored_bar_shows_its_final_state_as_plain_text():
    """A page that cannot draw widgets (GitHub) prints a bar's plain text: it is the bar's final
    state (tests/run_by_hand/after_execution.py writes it), never the 0 % tqdm wrote at the start,
    and nothing for a bar Jupyter hides once done."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    states = notebook["metadata"]["widgets"][after_execution.WIDGET_STATE]["state"]
    shown = []
    for _, output, model_id in after_execution.bar_outputs(notebook):
        text = "".join(output["data"].get("text/plain", ""))
        assert text == after_execution.final_bar_text(states, model_id), (
            f"{text!r}: run python tests/run_by_hand/after_execution.py after re-executing")
        shown += [text] if text else []
    assert shown and all("100%|" in text and " 0%|" not in text for text in shown)


def test_size_under_5_mib():
    assert NOTEBOOK.stat().st_size < 5 * 2 ** 20


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^TEST_COMMAND=\"(.+)\"$", ci, re.MULTILINE).group(1)
    assert f"\n{command}\n" in readme, \
        "README.md must show the exact test command that .ci/run runs"
    assert shlex.split(command)[:3] == ["python", "-m", "pytest"]


def test_prose_about_a_run_names_only_what_the_stored_outputs_show(notebook):
    """Markdown beside run-dependent results (sections 6 to 9) must not name people or state
    percentages that a rerun could falsify: every person it names appears in a stored output, and
    numbers come from printed cells."""
    grouped = sections(notebook)
    outputs = " ".join(output_text(o)
                       for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    for section in ("6", "7", "8", "9"):
        for cell in grouped[section]:
            if cell.cell_type != "markdown":
                continue
            for person in PERSON.findall(cell.source):
                assert re.search(rf"\b{person}\b", outputs), \
                    f"section {section} names {person}, whom no output shows"
            assert not re.search(r"\d(\.\d+)?\s?%", cell.source), \
                f"section {section} states a percentage in prose"
