"""Every shell command in README.md and in the notebook's markdown runs as written on a fresh clone,
in the order a reader meets it: output folders are created by the command, the parameters it sets
exist, and the files it names are there. The papermill commands are run, with short settings, each
in a fresh temporary copy of the repository."""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from notebook_code import NOTEBOOK, ROOT, SHORT_COMMAND_LINE as SHORT
from phone_photos import phone_like_tree

OWN_PHOTOS = "my_photos"  # the folder of the reader's own photos that the examples name


def shell_commands(text):
    """The commands of a text: each line of its bash blocks (joined at trailing backslashes), and
    inline code that starts with papermill, python -m or mkdir."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        commands += [
            line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()
        ]
    for inline in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text):
        if inline.startswith(("papermill ", "python -m papermill", "mkdir -p ")):
            commands.append(inline)
    return [" ".join(command.split()) for command in commands]


def all_commands():
    """(where, command) for README.md, then the notebook's markdown, in reading order."""
    found = [("README.md", c) for c in shell_commands((ROOT / "README.md").read_text("utf-8"))]
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.cell_type == "markdown":
            found += [("notebook", command) for command in shell_commands(cell.source)]
    return found


def papermill_parts(step):
    """(input, output, {parameter: value}) of one papermill step, or None for another command."""
    words = shlex.split(step)
    if words[:3] == ["python", "-m", "papermill"]:
        words = words[2:]
    if words[:1] != ["papermill"]:
        return None
    positional, parameters, k = [], {}, 1
    while k < len(words):
        if words[k] == "-p":
            parameters[words[k + 1]] = words[k + 2]
            k += 3
        elif words[k] == "-y":
            parameters.update(yaml.safe_load(words[k + 1]))
            k += 2
        else:
            positional.append(words[k])
            k += 1
    return positional[0], positional[1], parameters


def problems_of(command, parameter_names):
    """What would make a command fail as written on a fresh clone."""
    problems, folders = [], {"."}
    for step in command.split("&&"):
        words = shlex.split(step)
        if words[:2] == ["mkdir", "-p"]:
            folders.update(os.path.normpath(folder) for folder in words[2:])
        elif "-r" in words:
            requirements = words[words.index("-r") + 1]
            if not (ROOT / requirements).is_file():
                problems.append(f"{requirements} does not exist")
        parts = papermill_parts(step)
        if parts is None:
            continue
        source, output, parameters = parts
        if not (ROOT / source).is_file():
            problems.append(f"the notebook {source} does not exist")
        if os.path.normpath(os.path.dirname(output) or ".") not in folders:
            problems.append(f"nothing creates the folder of {output}")
        problems += [
            f"{name} is not a parameter" for name in parameters if name not in parameter_names
        ]
    return problems


COMMANDS = all_commands()


def test_the_readme_and_the_notebook_show_their_commands():
    where = [w for w, _ in COMMANDS]
    assert where.count("README.md") >= 4 and where.count("notebook") >= 2
    assert sum(papermill_parts(c.split("&&")[-1]) is not None for _, c in COMMANDS) >= 4


@pytest.mark.parametrize("where, command", COMMANDS)
def test_every_command_is_runnable_as_written(nb, where, command):
    assert problems_of(command, set(nb.PARAMETER_SCHEMA["properties"])) == []


@pytest.mark.parametrize(
    "command, problem",
    [
        ("papermill siames_network_pytorch.ipynb outputs/run.ipynb", "nothing creates the folder"),
        (
            "mkdir -p out && papermill siames_network_pytorch.ipynb outputs/x.ipynb",
            "nothing creates",
        ),
        (
            "mkdir -p outputs && papermill siames_network_pytorch.ipynb outputs/x.ipynb -p EPOCH 5",
            "EPOCH is not a parameter",
        ),
        (
            "mkdir -p o && papermill siames_network_pytorch.ipynb o/x.ipynb "
            "-y 'TEST_SUBJECTS: [1, 2]'",
            "TEST_SUBJECTS is not a parameter",
        ),
        ("mkdir -p o && papermill siamese.ipynb o/x.ipynb", "does not exist"),
        ("python -m pip install -r requirement.txt", "does not exist"),
    ],
)
def test_the_check_finds_what_would_fail(nb, command, problem):
    found = problems_of(command, set(nb.PARAMETER_SCHEMA["properties"]))
    assert any(problem in one for one in found)


def notebook_alone(folder):
    """A folder that holds the notebook alone, as a hosted notebook service has it (and as a fresh
    clone has it, less the files no command reads)."""
    folder.mkdir()
    shutil.copy(NOTEBOOK, folder / "siames_network_pytorch.ipynb")
    return folder


def top_level(folder):
    """The names at the top of a folder."""
    return sorted(path.name for path in Path(folder).iterdir())


def distinct_papermill_commands(commands):
    """The papermill commands, each once (python -m papermill and papermill are the same)."""
    distinct = {}
    for _, command in commands:
        if papermill_parts(command.split("&&")[-1]) is not None:
            distinct.setdefault(command.replace("python -m papermill", "papermill"), command)
    return list(distinct.values())


PAPERMILL_COMMANDS = distinct_papermill_commands(COMMANDS)


@pytest.mark.parametrize("command", PAPERMILL_COMMANDS)
@pytest.mark.slow
def test_papermill_commands_run_with_short_settings(
    command, tmp_path, real_faces, hosted_environment
):
    """Each command runs in a folder with the notebook alone, the faces given as the zip; without
    OpenCV and pillow-heif unless it finds faces. It writes only below that folder: its output
    notebook, OUTPUT_DIR and the fetched faces."""
    repository_before = top_level(ROOT)
    folder = notebook_alone(tmp_path / "alone")
    steps = [step.strip() for step in command.split("&&") if "pip install" not in step]
    source, output, parameters = papermill_parts(steps[-1])
    if parameters.get("DATA_DIR") == OWN_PHOTOS:
        phone_like_tree(
            real_faces, folder / OWN_PHOTOS, people=range(1, 9), seed=0, photos_per_person=5
        )
    steps[-1] += " " + shlex.join(SHORT)
    environment = hosted_environment(optional=parameters.get("FIND_FACES") == "True")
    result = subprocess.run(
        " && ".join(steps),
        shell=True,
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (folder / output).is_file()
    output_dir = parameters.get("OUTPUT_DIR", "outputs")
    data_dir = parameters.get("DATA_DIR", "data/att_faces")
    written = folder / output_dir
    assert (written / "metrics.json").is_file() and (written / "siamese_checkpoint.pt").is_file()
    tops = {source, Path(output).parts[0], Path(output_dir).parts[0], Path(data_dir).parts[0]}
    assert top_level(folder) == sorted(tops)
    if "DATA_DIR" not in parameters:
        assert len(list((folder / data_dir).glob("s*/*.pgm"))) == 400
    assert top_level(ROOT) == repository_before
