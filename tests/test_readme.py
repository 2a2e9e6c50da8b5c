"""README is a front page: short, opens with the notebook's own figure and the result, shows the two
set-up commands, and every link in it, in the notebook, in tests/README.md and in the records
resolves. No text in the
repository talks about how it was made rather than about the project."""
import json
import re
import shlex

from notebook_code import ROOT
from after_execution import FIGURE, section_figure

README = (ROOT / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def github_anchor(heading):
    """The anchor GitHub gives a markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown):
    return {github_anchor(line.lstrip("#")) for line in markdown.splitlines()
            if re.match(r"#{1,6} ", line)}


def test_readme_is_short_and_opens_with_the_figure_and_the_result():
    lines = README.splitlines()
    assert len(lines) <= 250
    opening = "\n".join(lines[:20])
    assert "](.figures/pairs_with_dissimilarity.png)" in opening
    assert re.search(r"\*\*Result\.\*\*.*AUC", opening, re.DOTALL)


def test_readme_figure_is_the_notebooks_current_figure():
    assert FIGURE.read_bytes() == section_figure(), \
        "run python tests/run_by_hand/after_execution.py after re-executing the notebook"


def test_set_up_has_two_commands_that_run_the_notebook_and_the_tests():
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", setup, re.DOTALL)
    assert len(commands) == 2
    install_and_run, tests = commands
    assert ("pip install -r requirements.txt" in install_and_run
            and "papermill siames_network_pytorch.ipynb" in install_and_run)
    assert (shlex.split(tests)[:3] == ["python", "-m", "pytest"]
            and "siames_network_pytorch.ipynb" in tests)


def documents_with_links():
    """(path, text) of README, data/README, tests/README, the records, and the notebook's prose."""
    paths = [ROOT / "README.md", ROOT / "data" / "README.md", ROOT / "tests" / "README.md",
             *sorted((ROOT / "tests" / "records").glob("*.md"))]
    documents = [(path, path.read_text(encoding="utf-8")) for path in paths]
    cells = json.loads((ROOT / "siames_network_pytorch.ipynb").read_text(encoding="utf-8"))["cells"]
    prose = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return documents + [(ROOT / "siames_network_pytorch.ipynb", prose)]


def test_every_link_and_anchor_resolves():
    for document, text in documents_with_links():
        for match in LINK.finditer(text):
            target = match.group(1) or match.group(2)
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            assert linked.exists(), f"{document.name} links to missing {target}"
            if anchor:
                assert anchor in anchors(linked.read_text(encoding="utf-8")), \
                    f"{document.name}: no anchor #{anchor}"


def test_no_words_about_how_the_project_was_made():
    how_it_was_made = re.compile(r"\b(work )?(session|sitting)s?\b|\bissue \d+|\btime budget"
                                 r"|\bbudget\b", re.IGNORECASE)
    notebook = (ROOT / "siames_network_pytorch.ipynb").read_text(encoding="utf-8")
    texts = {"README.md": README, "notebook": notebook,
             "data/README.md": (ROOT / "data" / "README.md").read_text()}
    texts.update({p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
                  for p in (ROOT / "tests").rglob("*.*")
                  if p.suffix in (".py", ".md") and p.name != "test_readme.py"
                  and "__pycache__" not in p.parts})
    for name, text in texts.items():
        # pytest's word for one test run
        found = how_it_was_made.search(text.replace('scope="session"', ""))
        assert not found, f"{name} speaks of how it was made: {found.group(0)!r}"
