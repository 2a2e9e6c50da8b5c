"""Shared fixtures: the notebook's code as a module, and the real AT&T faces to build test folders
from."""
import shutil

import pytest

from notebook_code import att_faces_folder, load_notebook_code


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
