"""The test suite itself: tests/ keeps the tests by subject, at most four support modules, the
hand-run scripts in run_by_hand/ and the records in records/, all named in tests/README.md; the
results page stays one page; every hand-run script imports; and the marker "slow" is on every test
that starts the notebook, so that -m "not slow" runs the fast tests alone."""
import json
import re
import subprocess
import sys

import pytest

from notebook_code import NOTEBOOK, ROOT


HARNESS_SCRIPTS = sorted(path.name for path in (ROOT / "tests" / "run_by_hand").glob("*.py"))


@pytest.mark.parametrize("script", HARNESS_SCRIPTS)
def test_harness_script_imports(script):
    """Each script of run_by_hand/ imports cleanly (ruff does not see a name imported from a
    module that no longer has it)."""
    result = subprocess.run([sys.executable, "-c", f"import {script.removesuffix('.py')}"],
                            cwd=ROOT / "tests" / "run_by_hand", capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def collected(*arguments):
    """The test ids pytest collects, in another process, for these arguments."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
                             "siames_network_pytorch.ipynb", "tests/", *arguments],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_the_fast_selection_leaves_out_every_run_of_the_notebook():
    """-m "not slow" collects no cell of the notebook (nbval) and no test marked slow; a test that
    starts the notebook unmarked fails by itself (conftest.py), so everything that starts the
    notebook is in the slow selection."""
    fast, slow = collected("-m", "not slow"), collected("-m", "slow")
    assert fast and not fast & slow
    assert not any(".ipynb::" in test for test in fast)
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code_cells = sum(cell["cell_type"] == "code" for cell in cells)
    assert sum(".ipynb::" in test for test in slow) == code_cells  # nbval: one item per cell
    assert any("test_papermill_commands_run_with_short_settings" in test for test in slow)


def test_starting_the_notebook_in_an_unmarked_test_fails_it():
    """This test is not marked slow: the guard of conftest.py refuses papermill, in this process
    or another, before any notebook starts."""
    import papermill

    with pytest.raises(pytest.fail.Exception, match="not marked slow"):
        papermill.execute_notebook("siames_network_pytorch.ipynb", "never.ipynb")
    with pytest.raises(pytest.fail.Exception, match="not marked slow"):
        subprocess.run([sys.executable, "-m", "papermill", "--help"], capture_output=True)
    assert subprocess.run([sys.executable, "-c", "print(1)"], capture_output=True).returncode == 0


SUPPORT_MODULES_AT_MOST = 4


def test_tests_keep_tests_scripts_and_records_apart():
    """Directly in tests/: conftest.py, the test_*.py files and at most four support modules; the
    hand-run scripts in run_by_hand/, the records in records/."""
    loose = [p.name for p in (ROOT / "tests").glob("*.py")
             if p.name != "conftest.py" and not p.name.startswith("test_")]
    assert len(loose) <= SUPPORT_MODULES_AT_MOST, loose
    for module in loose:  # a support module is imported by a test file or conftest.py
        name = module.removesuffix(".py")
        assert any(re.search(rf"^(from|import) {name}\b", p.read_text(encoding="utf-8"), re.M)
                   for p in (ROOT / "tests").glob("*.py")), f"{module} is imported by no test"
    scripts = list((ROOT / "tests" / "run_by_hand").glob("*.py"))
    assert scripts and all('if __name__ == "__main__":' in p.read_text() for p in scripts)
    assert (ROOT / "tests" / "records" / "RESULTS.md").is_file()


def test_the_tests_readme_names_every_file_and_folder_of_tests():
    guide = (ROOT / "tests" / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "tests").rglob("*")):
        relative = path.relative_to(ROOT / "tests")
        if any(part.startswith((".", "__pycache__")) for part in relative.parts):
            continue
        shown = relative.as_posix() + ("/" if path.is_dir() else "")
        assert f"`{shown}`" in guide or f"`{path.name}`" in guide, f"tests/README.md: {shown}"


def test_the_results_page_is_one_page_and_links_its_history():
    page = (ROOT / "tests" / "records" / "RESULTS.md").read_text(encoding="utf-8")
    assert len(page.splitlines()) <= 300
    assert "](history.md" in page and (ROOT / "tests" / "records" / "history.md").is_file()
    for heading in ("Rules for honest reporting", "Split-seed ledger"):
        assert f"## {heading}\n" in page, heading
