"""The committed notebook is what a reader on the web sees: executed in order, clean, small, complete."""
import json
import re
import shlex

import nbformat
import pytest

from notebook_code import NOTEBOOK, ROOT

SECTIONS = ["# Siamese networks with PyTorch", "## 1. Theory", "## 2. Set-up", "## 3. Data", "## 4. The network",
            "## 5. The contrastive loss in code", "## 6. Training", "## 7. Evaluation",
            "## 8. Visualising pair dissimilarity", "## 9. Using the network on your own images",
            "## 10. Summary, exercises, quiz and references"]
MACHINE_PATH = re.compile(r"(/root/|/home/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\)")


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def output_text(output):
    text = output.get("text") or output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


def test_valid_nbformat(notebook):
    nbformat.validate(notebook)


def test_executed_top_to_bottom(code_cells):
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))


def test_no_error_outputs_or_stderr(code_cells):
    for number, cell in enumerate(code_cells, 1):
        for output in cell.outputs:
            assert output.output_type != "error", f"code cell {number} stores an error"
            assert output.get("name") != "stderr", f"code cell {number} wrote to stderr: {output_text(output)[:200]}"


def test_no_machine_paths_in_outputs(code_cells):
    for number, cell in enumerate(code_cells, 1):
        for output in cell.outputs:
            found = MACHINE_PATH.search(output_text(output))
            assert not found, f"code cell {number} shows the machine path {found.group(0)!r}"


def test_figures_are_png(code_cells):
    outputs = [output for cell in code_cells for output in cell.outputs]
    assert not [o for o in outputs if "image/svg+xml" in o.get("data", {})], "SVG figures are compared by nbval"
    pngs = sum("image/png" in o.get("data", {}) for o in outputs)
    assert pngs >= 15, f"expected the tutorial's figures (at least 15 PNGs), found {pngs}"


def test_promised_figures_are_stored(code_cells):
    def has_png(fragment):
        return any(fragment in cell.source and any("image/png" in o.get("data", {}) for o in cell.outputs)
                   for cell in code_cells)
    for fragment in ("draw_siamese_diagram()", 'show_pairs(example_a', 'history["step_loss"]',
                     "plot_distance_histograms(test_distances", "ROC on held-out people", "TSNE(",
                     "show_pairs(test_images[first_index]", "left-out people (calibration)",
                     "plot_distance_matrix(test_distances", "hardest_pairs(test_distances, test_genuine, PAIRS_TO_SHOW",
                     "strongest = max("):
        assert has_png(fragment), f"no stored figure for the cell containing {fragment!r}"


def test_parameters_cell(code_cells):
    tagged = [cell for cell in code_cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("DATA_DIR", "TEST_SUBJECTS", "SEED", "OUTPUT_DIR", "EPOCHS", "MARGIN", "LEARNING_RATE"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.MULTILINE), f"{name} is not in the parameters cell"


def test_sections_in_promised_order(notebook):
    headings = [line for cell in notebook.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("#")]
    positions = [next((i for i, h in enumerate(headings) if h.startswith(section)), None) for section in SECTIONS]
    assert None not in positions, f"missing sections: {[s for s, p in zip(SECTIONS, positions) if p is None]}"
    assert positions == sorted(positions)


def test_every_code_cell_follows_markdown_near_it(notebook):
    since_markdown = 0
    for cell in notebook.cells:
        since_markdown = 0 if cell.cell_type == "markdown" else since_markdown + 1
        assert since_markdown <= 4, f"four code cells in a row without explanation, up to:\n{cell.source[:200]}"


def test_label_convention_stated(notebook):
    text = "\n".join(cell.source for cell in notebook.cells)
    assert r"(1 - Y)\,\tfrac{1}{2}\,D^2 \;+\; Y\,\tfrac{1}{2}\,\max(0,\; m - D)^2" in text
    assert "$Y = 0$ for a **genuine** pair" in text and "$Y = 1$ for an **impostor** pair" in text


def test_size_under_5_mib():
    assert NOTEBOOK.stat().st_size < 5 * 2 ** 20


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^TEST_COMMAND=\"(.+)\"$", ci, re.MULTILINE).group(1)
    assert f"\n{command}\n" in readme, "README.md must show the exact test command that .ci/run runs"
    assert shlex.split(command)[:3] == ["python", "-m", "pytest"]


def test_network_appears_well_before_the_middle_of_the_code(code_cells):
    lines = [len([line for line in cell.source.splitlines() if line.strip()]) for cell in code_cells]
    network_cell = next(i for i, cell in enumerate(code_cells) if "class SiameseNetwork(nn.Module)" in cell.source)
    assert sum(lines[:network_cell]) < 0.4 * sum(lines), "the data machinery crowds out the network"


def test_machinery_cells_are_collapsed(code_cells):
    hidden = [cell.source for cell in code_cells if cell.metadata.get("jupyter", {}).get("source_hidden")]
    for definition in ("def check_parameters(", "def fetch_att_faces(", "class IdentityFolder("):
        assert any(definition in source for source in hidden), f"{definition} should sit in a collapsed cell"
