"""The notebook alone, as a hosted notebook service opens it, without the packages such a
service may lack (OpenCV, pillow-heif): asked to find faces without OpenCV, it stops at once and
says what to install. That it completes there, writing only below its folder, is shown by the
README's own command (tests/test_commands.py runs every papermill command in a folder that holds
the notebook alone)."""

import os
import shutil
import subprocess
import sys

import pytest

from notebook_code import NOTEBOOK


def test_the_hidden_packages_really_cannot_be_imported(without_optional_packages):
    environment = {**os.environ, "PYTHONPATH": str(without_optional_packages)}
    for package in ("cv2", "pillow_heif"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {package}"],
            env=environment,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0 and "ImportError" in result.stderr


@pytest.mark.slow
def test_finding_faces_without_opencv_stops_at_once_saying_what_to_install(
    tmp_path, hosted_environment
):
    folder = tmp_path / "hosted"
    folder.mkdir()
    shutil.copy(NOTEBOOK, folder / "notebook.ipynb")
    command = [sys.executable, "-m", "papermill", "notebook.ipynb", "run.ipynb",
               "-p", "FIND_FACES", "True"]
    result = subprocess.run(
        command, cwd=folder, env=hosted_environment(), capture_output=True, text=True, timeout=900
    )
    assert result.returncode != 0
    assert "pip install opencv-python-headless" in result.stderr
    assert not (folder / "data").exists() and not (folder / "outputs").exists()
