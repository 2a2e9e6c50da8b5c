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
    """A folder holding the real AT&T faces: ATT_FACES_SOURCE if it is a folder, else the notebook's DATA_DIR."""
    source = os.environ.get(nb.LOCAL_COPY_ENV_VAR)
    if source and Path(source).is_dir():
        return Path(source)
    data_dir = ROOT / nb.DATA_DIR
    nb.fetch_att_faces(data_dir, source, nb.DATA_URL, nb.DATA_MD5, nb.OLIVETTI_FALLBACK)
    return data_dir


@pytest.fixture
def make_faces(real_faces, tmp_path):
    """Build a small face folder (subjects x images copied from the real data) under tmp_path."""
    def build(name="faces", subjects=3, images=3):
        folder = tmp_path / name
        for subject in range(1, subjects + 1):
            (folder / f"s{subject}").mkdir(parents=True)
            for image in range(1, images + 1):
                target = folder / f"s{subject}" / f"{image}.pgm"
                shutil.copyfile(real_faces / f"s{subject}" / f"{image}.pgm", target)
        return folder
    return build
