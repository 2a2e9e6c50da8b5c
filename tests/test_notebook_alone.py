"""The notebook alone, as a hosted notebook service opens it: copied into an empty folder, with the
faces given as the zip, and without the packages such a service may lack (OpenCV, pillow-heif), it
completes and writes only below that folder; asked to find faces without OpenCV, it stops at once
and says what to install."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from notebook_code import NOTEBOOK, ROOT, SHORT_COMMAND_LINE as SHORT



@pytest.fixture(scope="module")
def faces_zip(real_faces, tmp_path_factory):
    """The faces as the downloaded archive holds them: att_faces/sN/M.pgm in a zip."""
    path = tmp_path_factory.mktemp("zip") / "att_faces.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for photo in sorted(real_faces.glob("s*/*.pgm")):
            archive.write(photo, f"att_faces/{photo.parent.name}/{photo.name}")
    return path


@pytest.fixture(scope="module")
def without_optional_packages(tmp_path_factory):
    """A folder to put first on PYTHONPATH, where cv2 and pillow_heif cannot be imported."""
    folder = tmp_path_factory.mktemp("missing")
    for package in ("cv2", "pillow_heif"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text(f"raise ImportError('no {package} here')\n")
    return folder


def run_alone(folder, faces_zip, hidden, *parameters):
    """Run a copy of the notebook alone in folder with papermill; the finished process."""
    folder.mkdir()
    shutil.copy(NOTEBOOK, folder / "notebook.ipynb")
    environment = {
        **os.environ,
        "ATT_FACES_SOURCE": str(faces_zip),
        "PYTHONPATH": os.pathsep.join([str(hidden), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "papermill", "notebook.ipynb", "run.ipynb", *parameters]
    return subprocess.run(
        command, cwd=folder, env=environment, capture_output=True, text=True, timeout=900
    )


def top_level(folder):
    """The names at the top of a folder."""
    return sorted(path.name for path in folder.iterdir())


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


def test_the_notebook_alone_completes_without_opencv_and_writes_only_below_its_folder(
    tmp_path, faces_zip, without_optional_packages
):
    repository_before = top_level(ROOT)
    folder = tmp_path / "hosted"
    result = run_alone(folder, faces_zip, without_optional_packages, *SHORT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert top_level(folder) == ["data", "notebook.ipynb", "outputs", "run.ipynb"]
    assert len(list((folder / "data" / "att_faces").glob("s*/*.pgm"))) == 400
    assert (folder / "outputs" / "metrics.json").is_file()
    assert top_level(ROOT) == repository_before


def test_finding_faces_without_opencv_stops_at_once_saying_what_to_install(
    tmp_path, faces_zip, without_optional_packages
):
    folder = tmp_path / "hosted"
    result = run_alone(folder, faces_zip, without_optional_packages, "-p", "FIND_FACES", "True")
    assert result.returncode != 0
    assert "pip install opencv-python-headless" in result.stderr
    assert not (folder / "data").exists() and not (folder / "outputs").exists()
