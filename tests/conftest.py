"""Shared fixtures: the notebook's code as a module, and a few real face images to build test folders from."""
import os
import shutil
from pathlib import Path

import pytest

from notebook_code import ROOT, load_notebook_code


@pytest.fixture(scope="session")
def nb():
    """The notebook's functions, classes and parameters."""
    return load_notebook_code()


@pytest.fixture(scope="session")
def real_faces(nb):
    """A folder holding the real AT&T faces (s1 ... s40): ATT_FACES_SOURCE if it is a folder, else the notebook's
    DATA_DIR, filled the way the notebook fills it."""
    source = os.environ.get("ATT_FACES_SOURCE")
    if source and Path(source).is_dir():
        return Path(source)
    data_dir = ROOT / nb.DATA_DIR
    nb.fetch_att_faces(data_dir, source, nb.ATT_FACES_URL, nb.ATT_FACES_MD5, nb.OLIVETTI_FALLBACK)
    return data_dir


@pytest.fixture
def make_faces(real_faces, tmp_path):
    """Build a small face folder (people x images copied from the real data, folders s1, s2, ...) under tmp_path."""
    def build(name="faces", people=3, images=3):
        folder = tmp_path / name
        for person in range(1, people + 1):
            (folder / f"s{person}").mkdir(parents=True)
            for image in range(1, images + 1):
                shutil.copyfile(real_faces / f"s{person}" / f"{image}.pgm", folder / f"s{person}" / f"{image}.pgm")
        return folder
    return build
