"""Shared fixtures: the notebook's code as a module, and the real AT&T faces to build test folders
from. The marker "slow" is registered here and checked: a test that starts the notebook (papermill,
nbconvert, nbval) without it fails. Under CI=true a skipped test fails the run."""
import contextlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import papermill
import pytest
import torch

from notebook_code import SMALL, att_faces_folder, load_notebook_code

sys.path.insert(1, str(Path(__file__).parent / "run_by_hand"))  # scripts some tests import


@pytest.fixture(scope="session")
def nb():
    """The notebook's functions, classes and parameters."""
    return load_notebook_code()


@pytest.fixture(scope="session")
def real_faces(nb):
    """The folder of the real AT&T faces (s1 ... s40), the one source of them for every test:
    ATT_FACES_SOURCE (the folder, or att_faces.zip unpacked by the notebook's fetch into its
    DATA_DIR), else the notebook's own fetch (notebook_code.att_faces_folder). It fails, never
    skips, when they cannot be had."""
    return att_faces_folder(nb)


@pytest.fixture(scope="session")
def faces_zip(real_faces, tmp_path_factory):
    """The faces as the downloaded archive holds them: att_faces/sN/M.pgm in a zip."""
    path = tmp_path_factory.mktemp("zip") / "att_faces.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for photo in sorted(real_faces.glob("s*/*.pgm")):
            archive.write(photo, f"att_faces/{photo.parent.name}/{photo.name}")
    return path


@pytest.fixture(scope="session")
def without_optional_packages(tmp_path_factory):
    """A folder to put first on PYTHONPATH, where cv2 and pillow_heif cannot be imported, as on a
    hosted notebook service that lacks them."""
    folder = tmp_path_factory.mktemp("missing")
    for package in ("cv2", "pillow_heif"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text(f"raise ImportError('no {package} here')\n")
    return folder


@pytest.fixture(scope="session")
def hosted_environment(faces_zip, without_optional_packages):
    """The environment of a hosted notebook service: the faces given as the zip, and, unless
    optional=True, neither OpenCV nor pillow-heif importable."""
    def environment(optional=False):
        hidden = [] if optional else [str(without_optional_packages)]
        return {**os.environ, "ATT_FACES_SOURCE": str(faces_zip),
                "PYTHONPATH": os.pathsep.join([*hidden, os.environ.get("PYTHONPATH", "")])}
    return environment


@pytest.fixture
def make_faces(real_faces, tmp_path):
    """Build a small face folder (people x images copied from the real data, folders s1, s2, ...)
    under tmp_path."""
    def build(name="faces", people=3, images=3):
        folder = tmp_path / name
        for person in range(1, people + 1):
            (folder / f"s{person}").mkdir(parents=True)
            for image in range(1, images + 1):
                shutil.copyfile(real_faces / f"s{person}" / f"{image}.pgm",
                                folder / f"s{person}" / f"{image}.pgm")
        return folder
    return build


# ---- Under CI, a skipped test fails the run ----------------------------------------------------

CI_SKIP = "CI=true: a skip fails the run, since in CI a skipped test is a test that never ran"


def ci_is_on():
    """True when the environment variable CI says the tests run in CI (CI=true, as CI services
    set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def fail_the_skip(report):
    """Turn a skipped report into a failed one whose message gives the skip's reason."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"{CI_SKIP} ({reason})"


class SkipsFailInCI:
    """Every skip (in a test, a fixture, a notebook cell or a whole module) becomes a failure
    that names the skipped test and says why it was skipped; xfail is left alone."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.skipped and not hasattr(report, "wasxfail"):
            fail_the_skip(report)
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector):
        report = yield
        if report.skipped:
            fail_the_skip(report)
        return report


def pytest_configure(config):
    """Register the marker "slow", and the skip guard as a plugin, so that it also sees the
    notebook's cells (nbval)."""
    config.addinivalue_line("markers", "slow: runs the notebook (papermill, nbconvert or nbval) "
                            "or searches hundreds of photos; -m 'not slow' leaves it out")
    if ci_is_on() and not config.pluginmanager.has_plugin("skips-fail-in-ci"):
        config.pluginmanager.register(SkipsFailInCI(), "skips-fail-in-ci")


@pytest.fixture
def small(nb, monkeypatch):
    """Make the notebook's ARCHITECTURE small (save_checkpoint saves it); return a builder of
    networks of that architecture."""
    monkeypatch.setattr(nb, "ARCHITECTURE", {**nb.ARCHITECTURE, **SMALL})

    def build(seed=0):
        torch.manual_seed(seed)
        return nb.SiameseNetwork(**nb.ARCHITECTURE).eval()
    return build


# ---- A test that starts the notebook carries the marker "slow" -------------------------------

NOTEBOOK_RUNNERS = ("papermill", "nbconvert", "nbval", "nbclient")  # words of a command that
# starts the notebook; "--collect-only" only lists tests, which starts nothing


def pytest_collection_modifyitems(items):
    """nbval's cells of the notebook run it: they are slow."""
    for item in items:
        if Path(str(item.fspath)).suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


def starts_the_notebook(command):
    """True when a command line (a string or a list of words) starts the notebook."""
    words = command if isinstance(command, str) else " ".join(str(word) for word in command)
    return any(runner in words for runner in NOTEBOOK_RUNNERS) and "--collect-only" not in words


@contextlib.contextmanager
def notebook_runs_refused(item):
    """Within it, starting the notebook fails item, unless item is marked slow."""
    if item.get_closest_marker("slow"):
        yield
        return
    message = (f"{item.nodeid} starts the notebook but is not marked slow: add "
               "@pytest.mark.slow (or pytestmark = pytest.mark.slow for a whole file)")
    real_init = subprocess.Popen.__init__

    def checked_init(self, args, *rest, **options):
        if starts_the_notebook(args):
            pytest.fail(message)
        real_init(self, args, *rest, **options)

    def refused(*_, **__):
        pytest.fail(message)

    patches = pytest.MonkeyPatch()
    patches.setattr(subprocess.Popen, "__init__", checked_init)
    patches.setattr(papermill, "execute_notebook", refused)  # notebook_code's runs call it
    try:
        yield
    finally:
        patches.undo()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Fixtures too (a module's papermill run starts in the setup of its first test)."""
    with notebook_runs_refused(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The test itself."""
    with notebook_runs_refused(item):
        return (yield)
