"""README: two commands in the quick start, the second being what CI runs; its Results table is
the recorded benchmark report; its links lead somewhere."""
import json
import re

from benchmark_splits import readme_table  # tests/run_by_hand, on the path (conftest)
from notebook_code import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands():
    """The bash commands of README's Quick start section."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_the_quick_start_has_two_commands_and_ci_runs_the_second():
    install_and_run, tests = quick_start_commands()
    assert "pip install -r requirements.txt" in install_and_run
    assert "papermill siames_network_pytorch.ipynb" in install_and_run
    assert f'TEST_COMMAND="{tests}"' in (ROOT / ".ci" / "run").read_text()


def test_the_results_table_is_the_recorded_report():
    report = json.loads((ROOT / "tests" / "records" / "benchmark_report.json").read_text())
    start = README.index("<!-- benchmark table -->")
    end = README.index("<!-- /benchmark table -->") + len("<!-- /benchmark table -->")
    assert README[start:end] == readme_table(report)
    assert len(report["splits"]) == 12 and all(len(s["numbers"]) == 5 for s in report["splits"])


def test_every_local_link_leads_to_a_file():
    for target in re.findall(r"\]\((?!https?://|#)([^)#]+)", README):
        assert (ROOT / target).exists(), target


def test_every_requirement_is_pinned():
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line) for line in lines)
