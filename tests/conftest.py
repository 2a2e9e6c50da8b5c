"""Shared fixtures: the notebook's code as a module, and folders built from the AT&T faces. The
marker "slow" goes on every test that starts the notebook. Under CI=true a skipped test fails."""
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from notebook_code import NOTEBOOK, faces_source, load_notebook_code

sys.path.insert(1, str(Path(__file__).parent / "run_by_hand"))  # the scripts some tests import


@pytest.fixture(scope="session")
def nb():
    """The notebook's imports, constants, functions and classes."""
    return load_notebook_code(NOTEBOOK)


@pytest.fixture(scope="session")
def faces():
    """The unpacked AT&T faces (s1 ... s40)."""
    return faces_source()


@pytest.fixture(scope="session")
def faces_zip(faces, tmp_path_factory):
    """The faces as the download holds them: att_faces/sN/M.pgm in a zip."""
    path = tmp_path_factory.mktemp("zip") / "att_faces.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for photo in sorted(faces.glob("s*/*.pgm")):
            archive.write(photo, f"att_faces/{photo.parent.name}/{photo.name}")
    return path


@pytest.fixture
def make_tree(faces, tmp_path):
    """A one-folder-per-person tree of AT&T photos: people x photos, in a format of choice."""
    def build(people=6, photos=3, suffix=".pgm", name="tree"):
        root = tmp_path / name
        for person in range(1, people + 1):
            (root / f"p{person}").mkdir(parents=True)
            for photo in range(1, photos + 1):
                source = faces / f"s{person}" / f"{photo}.pgm"
                if suffix == ".pgm":
                    shutil.copyfile(source, root / f"p{person}" / f"{photo}.pgm")
                else:
                    from PIL import Image
                    Image.open(source).save(root / f"p{person}" / f"{photo}{suffix}")
        return root
    return build


@pytest.fixture
def small_network(nb):
    """A seeded, untrained network of the notebook's architecture, in evaluation mode."""
    def build(seed=0, normalise=True):
        torch.manual_seed(seed)
        return nb.SiameseNetwork(normalise).eval()
    return build


def pytest_configure(config):
    """Register the marker "slow"; under CI=true, make every skip a failure."""
    config.addinivalue_line("markers", "slow: starts the notebook (papermill or nbval)")
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        config.pluginmanager.register(SkipsFail(), "skips-fail")


class SkipsFail:
    """In CI a skipped test is a test that never ran: report it as failed, with its reason."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.skipped and not hasattr(report, "wasxfail"):
            report.outcome = "failed"
            report.longrepr = f"CI=true: a skip fails the run ({report.longrepr})"
        return report


def pytest_collection_modifyitems(items):
    """nbval's cells run the notebook: they are slow."""
    for item in items:
        if str(item.fspath).endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)
