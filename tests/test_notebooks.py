"""Jupyter notebooks: checked and fixed cell by cell (keraslint/notebooks.py).

Cells are numbered 1-based among all cells of the file; lines are relative to the cell.
The fixture notebooks live in fixtures_notebooks/ (fixtures/ is parametrized over bad.py).
The one test marked `keras` builds the fixed notebook's model with real Keras.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from keraslint import notebooks
from keraslint.cli import main
from keraslint.config import Settings
from keraslint.engine import FixOutcome, check_source

NOTEBOOKS = Path(__file__).resolve().parent.parent / "fixtures_notebooks"
SPREAD = NOTEBOOKS / "ker101_spread.ipynb"
CLEAN = NOTEBOOKS / "clean.ipynb"


def run(capsys, *args):
    code = main(["check", "--no-cache", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def code_cell(source, cell_id, outputs=(), count=None):
    return {"cell_type": "code", "execution_count": count, "id": cell_id, "metadata": {},
            "outputs": list(outputs), "source": source.splitlines(True)}


def markdown_cell(source, cell_id):
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source.splitlines(True)}


def notebook(*cells):
    return {"cells": list(cells), "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


def write(path, document, indent=1, newline="\n", ensure_ascii=False, final="\n"):
    text = json.dumps(document, indent=indent, ensure_ascii=ensure_ascii) + final
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def validate(path):
    """json.loads and nbformat 4 structure, then nbformat's own validator (in the `test`
    extra: a missing nbformat fails the test instead of skipping the validation)."""
    import nbformat

    document = json.loads(Path(path).read_bytes())
    assert document["nbformat"] == 4 and isinstance(document["cells"], list)
    for cell in document["cells"]:
        assert cell["cell_type"] in ("code", "markdown", "raw") and isinstance(cell["source"], (str, list))
    nbformat.validate(nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4))
    return document


def source(cell):
    return "".join(cell["source"])


# -- checking ----------------------------------------------------------------------------------
EXPECTED_SPREAD = [
    "cell 5:3:10: KER101",  # Multiply: SCALE comes from cell 3; `%%time` is line 1 of cell 5
    "cell 5:4:11: KER101 [*]",  # Subtract with a (1, N) constant: the safe fix
    "cell 5:5:12: KER101",  # Concatenate
]


def test_check_reports_the_cell_and_the_line_within_it(capsys):
    code, out, err = run(capsys, SPREAD)
    found = [re.sub(r"^.*?:(cell .*?KER101(?: \[\*\])?).*$", r"\1", line) for line in out.splitlines() if "KER101" in line]
    assert found == EXPECTED_SPREAD
    assert all(line.startswith(f"{SPREAD}:cell ") for line in out.splitlines() if "KER101" in line)
    assert (code, err) == (1, "")


def test_json_output_has_the_cell_and_the_row_within_it(capsys):
    code, out, _ = run(capsys, "--format", "json", SPREAD)
    items = json.loads(out)
    where = [(i["cell"], i["location"]["row"], i["location"]["column"]) for i in items]
    assert where == [(5, 3, 10), (5, 4, 11), (5, 5, 12)]
    # the helper class of the Concatenate fix goes into cell 2, after its imports (5 lines)
    (helper_edit,) = [edit for edit in items[2]["fix"]["edits"] if "class ConstantOperand" in edit["content"]]
    assert (helper_edit["cell"], helper_edit["location"]["row"]) == (2, 6)
    (call_edit,) = [edit for edit in items[2]["fix"]["edits"] if edit is not helper_edit]
    assert (call_edit["cell"], call_edit["location"]["row"]) == (5, 5)


def test_a_constant_from_an_earlier_cell_is_found(tmp_path, capsys):
    imports = "import keras\nimport numpy as np\nC = np.array([0.5, 1.5, 2.0, -1.0])"
    model = "x = keras.Input((4,))\ny = keras.layers.Multiply()([x, C])"
    path = write(tmp_path / "nb.ipynb", notebook(code_cell(imports, "a"), markdown_cell("text", "b"), code_cell(model, "c")))
    _, out, _ = run(capsys, path)
    assert f"{path}:cell 3:2:5: KER101" in out
    # the model cell on its own knows nothing of C: the finding needs the cells joined
    assert check_source("import keras\n" + model, "alone.py", Settings()) == []


def test_noqa_in_a_cell_suppresses(tmp_path, capsys):
    imports = "import keras\nimport numpy as np\nC = np.array([0.5, 1.5, 2.0, -1.0])"
    model = "x = keras.Input((4,))\ny = keras.layers.Multiply()([x, C])  # noqa: KER101"
    code, out, _ = run(capsys, write(tmp_path / "nb.ipynb", notebook(code_cell(imports, "a"), code_cell(model, "b"))))
    assert code == 0 and "All checks passed!" in out


def test_magics_are_skipped_without_moving_lines(tmp_path, capsys):
    cell = textwrap.dedent("""\
        %matplotlib inline
        !pip install keras \\
            numpy
        import keras
        import numpy as np
        files = !ls
        keras.layers.Dense?
        C = np.array([0.5, 1.5, 2.0, -1.0])
        if True:
            %time x = keras.Input((4,))
        y = keras.layers.Multiply()([x, C])""")
    shell = "%%bash\necho keras.layers.Multiply()([x, C])"  # not Python: never reported
    timed = "%%time\nz = keras.layers.Maximum()([x, C])"
    text = "keras.layers.Multiply()([x, C])"
    cells = [code_cell(cell, "a"), code_cell(shell, "b"), code_cell(timed, "c"), markdown_cell(text, "d")]
    path = write(tmp_path / "nb.ipynb", notebook(*cells))
    code, out, err = run(capsys, path)
    assert [line.split(": KER101")[0] for line in out.splitlines() if "KER101" in line] == [f"{path}:cell 1:11:5", f"{path}:cell 3:2:5"]
    assert (code, err) == (1, "")


def test_a_cell_that_does_not_parse_is_reported_and_the_others_are_checked(tmp_path, capsys):
    good = "import keras\nimport numpy as np\nC = np.array([0.5, 1.5, 2.0, -1.0])\nx = keras.Input((4,))"
    broken = "y = keras.layers.Multiply()([x, C]\n"  # unclosed: a kernel would refuse this cell
    later = "z = keras.layers.Multiply()([x, C])"
    path = write(tmp_path / "nb.ipynb", notebook(code_cell(good, "a"), code_cell(broken, "b"), code_cell(later, "c")))
    code, out, err = run(capsys, path)
    assert err.startswith(f"{path}:cell 2:1:") and "E999 SyntaxError" in err and len(err.splitlines()) == 1
    assert f"{path}:cell 3:1:5: KER101" in out
    assert code == 3  # violations (1) and an unprocessable cell (2)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b'{"cells": [', "invalid JSON"),
        (b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}', "nbformat 3"),
        (b'["not", "a", "notebook"]', "no `nbformat` field"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code"}]}', "cell 1 has no"),
        (b"\xff\xfe{}", "cannot decode"),
    ],
)
def test_an_invalid_notebook_gives_one_line_and_exit_bit_2(tmp_path, capsys, content, reason):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    code, out, err = run(capsys, path)
    assert err.splitlines() == [err.strip()] and err.startswith(f"{path}:1:1: E902 not a valid notebook: ")
    assert reason in err and "Traceback" not in err + out
    assert code == 2


def test_folders_include_notebooks_but_not_checkpoints(tmp_path, capsys):
    shutil.copy(SPREAD, tmp_path / "model.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    shutil.copy(SPREAD, tmp_path / ".ipynb_checkpoints" / "model-checkpoint.ipynb")
    _, out, _ = run(capsys, tmp_path)
    assert out.count("model.ipynb:cell 5:") == 3 and "checkpoint" not in out


def test_other_kernels_are_not_checked(tmp_path, capsys):
    document = notebook(code_cell("library(keras)\nlayer_multiply(list(x, c))", "a"))
    document["metadata"] = {"kernelspec": {"language": "R", "name": "ir"}, "language_info": {"name": "R"}}
    code, out, _ = run(capsys, write(tmp_path / "r.ipynb", document))
    assert code == 0 and "All checks passed!" in out


# -- fixing ------------------------------------------------------------------------------------
FIXED_MODEL_CELL = """\
%%time
x = keras.Input((4,))
scaled = keras.layers.Rescaling(scale=SCALE)(x)
centred = keras.layers.Rescaling(1.0, offset=-OFFSET)(scaled)
features = keras.layers.Concatenate()([centred, ConstantOperand(EXTRA)(centred)])
model = keras.Model(x, features)"""


def fix_spread(tmp_path, capsys):
    path = tmp_path / "spread.ipynb"
    shutil.copy(SPREAD, path)
    code, out, err = run(capsys, "--fix", "--unsafe-fixes", path)
    assert (code, err) == (0, ""), out + err
    assert "3 fixed, 0 remaining" in out
    return path


def test_fix_writes_each_cell_back_and_keeps_everything_else(tmp_path, capsys):
    before = json.loads(SPREAD.read_bytes())
    path = fix_spread(tmp_path, capsys)
    after = validate(path)
    assert len(after["cells"]) == len(before["cells"])
    for old, new in zip(before["cells"], after["cells"]):
        for key in set(old) | set(new):  # outputs, metadata, ids, execution counts, key order
            if key != "source":
                assert new.get(key) == old.get(key), (old["id"], key)
        assert list(new) == list(old)
    changed = {old["id"] for old, new in zip(before["cells"], after["cells"]) if old["source"] != new["source"]}
    assert changed == {"setup", "model"}
    cells = {cell["id"]: cell for cell in after["cells"]}
    assert source(cells["model"]) == FIXED_MODEL_CELL
    setup = source(cells["setup"])
    original_setup = source(before["cells"][1])
    assert setup.startswith(original_setup + "\n\n\n@keras.utils.register_keras_serializable")  # magics kept, helper after the imports
    assert setup.count("class ConstantOperand(") == 1 and not setup.endswith("\n")
    assert isinstance(cells["setup"]["source"], list)  # the file's representation of sources


def test_a_fixed_notebook_is_clean_and_fixing_again_changes_nothing(tmp_path, capsys):
    path = fix_spread(tmp_path, capsys)
    once = path.read_bytes()
    code, out, err = run(capsys, "--fix", "--unsafe-fixes", path)
    assert (code, err) == (0, "") and "All checks passed!" in out
    assert path.read_bytes() == once


def test_diff_shows_one_diff_per_changed_cell_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative path: the diff names a/… and b/…
    path = Path("spread.ipynb")
    shutil.copy(SPREAD, path)
    code, out, err = run(capsys, "--diff", "--unsafe-fixes", path)
    headers = [line for line in out.splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == [f"--- a/{path}:cell 2", f"+++ b/{path}:cell 2", f"--- a/{path}:cell 5", f"+++ b/{path}:cell 5"]
    assert "\n-scaled = keras.layers.Multiply()([x, SCALE])\n" in out and "\n+scaled = keras.layers.Rescaling(scale=SCALE)(x)\n" in out
    assert "\n+class ConstantOperand(keras.layers.Layer):\n" in out
    assert path.read_bytes() == SPREAD.read_bytes()
    assert code == 1 and "cell 5:3:10: KER101" in err


def test_stdin_notebook_is_fixed_to_stdout(capsys, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SPREAD.read_bytes())))
    code, out, _ = run(capsys, "--fix", "--unsafe-fixes", "--stdin-filename", "nb.ipynb", "-")
    assert code == 0
    cells = json.loads(out)["cells"]
    assert source(cells[4]) == FIXED_MODEL_CELL


def test_a_notebook_with_nothing_to_fix_is_unchanged_byte_for_byte(tmp_path, capsys):
    path = tmp_path / "clean.ipynb"
    shutil.copy(CLEAN, path)
    mtime = path.stat().st_mtime_ns
    code, out, err = run(capsys, "--fix", "--unsafe-fixes", path)
    assert (code, err) == (0, "") and "All checks passed!" in out
    assert path.read_bytes() == CLEAN.read_bytes() and path.stat().st_mtime_ns == mtime


# A notebook with one single-line fix (no import, no helper), in several JSON layouts: the fixed
# file must equal the original bytes with only that source line replaced.
BAD_LINE = "y = keras.layers.Multiply()([x, C])\n"
FIXED_LINE = "y = keras.layers.Rescaling(scale=C)(x)\n"


def layout_notebook():
    setup = "import keras\nimport numpy as np\nC = np.array([0.5, 1.5, 2.0, -1.0])  # Größe, 모델"
    model = "x = keras.Input((4,))\n" + BAD_LINE + "model = keras.Model(x, y)"
    output = {"name": "stdout", "output_type": "stream", "text": ["ok → 1e-05\n"]}
    cells = [markdown_cell("# Ünïcode títle ✓", "m"), code_cell(setup, "s", [output], 1), code_cell(model, "t", [], 2)]
    metadata = {
        "language_info": {"name": "python"},
        "kernelspec": {"display_name": "Python 3", "name": "python3", "language": "python"},
        "execution": {"timeout": 0.25},  # a float, written back as it was
    }
    return {"nbformat_minor": 5, "nbformat": 4, "metadata": metadata, "cells": cells}  # keys not sorted


@pytest.mark.parametrize(
    "layout",
    [
        {"indent": 1},
        {"indent": 2},
        {"indent": 1, "newline": "\r\n"},
        {"indent": 2, "newline": "\r\n", "final": "\r\n"},
        {"indent": 4, "ensure_ascii": True},
        {"indent": 1, "final": ""},
        {"indent": None},
    ],
    ids=["indent-1", "indent-2", "crlf-indent-1", "crlf-indent-2", "indent-4-ascii", "no-final-newline", "one-line"],
)
def test_fix_keeps_the_json_formatting(tmp_path, capsys, layout):
    path = write(tmp_path / "nb.ipynb", layout_notebook(), **layout)
    original = path.read_bytes()
    ensure_ascii = layout.get("ensure_ascii", False)
    old, new = (json.dumps(line, ensure_ascii=ensure_ascii).encode() for line in (BAD_LINE, FIXED_LINE))
    assert original.count(old) == 1
    code, out, err = run(capsys, "--fix", "--unsafe-fixes", path)
    assert (code, err) == (0, ""), out + err
    assert path.read_bytes() == original.replace(old, new)
    validate(path)


def test_a_layout_json_cannot_reproduce_is_not_written(tmp_path, capsys):
    path = write(tmp_path / "nb.ipynb", layout_notebook(), indent=1)
    original = path.read_bytes().replace(b'"nbformat": 4', b'"nbformat":   4')  # hand-edited spacing
    path.write_bytes(original)
    code, _, err = run(capsys, "--fix", "--unsafe-fixes", path)
    assert err.strip() == f"{path}:1:1: E902 fix not written: cannot reproduce this notebook's JSON formatting exactly"
    assert code == 3 and path.read_bytes() == original


# -- the cell mapping --------------------------------------------------------------------------
def test_fix_is_dropped_when_a_cell_marker_does_not_survive(tmp_path, capsys, monkeypatch):
    path = tmp_path / "spread.ipynb"
    shutil.copy(SPREAD, path)

    def mangling_fix(text, *args, **kwargs):  # a fixer that eats the marker of cell 5
        return FixOutcome(re.sub(r"# keraslint cell 5 \w+\n", "", text), fixed=[], remaining=[])

    monkeypatch.setattr(notebooks, "fix_source", mangling_fix)
    code, out, err = run(capsys, "--fix", "--unsafe-fixes", path)
    assert "E902 fix not written: cannot map the fixed program back to the cells" in err
    assert path.read_bytes() == SPREAD.read_bytes()
    assert out.count("KER101") == 3 and code == 3  # the original findings are still reported


def test_a_moved_magic_line_drops_the_fix():
    document = json.loads(SPREAD.read_bytes())
    cells, _ = notebooks.code_cells(document, "tok")
    program = notebooks.build_program(cells, "tok")
    moved = re.sub(r"(pass  # keraslint magic tok-1\n)(.*?)(# keraslint cell 3 tok\n)", r"\2\3\1", program, flags=re.S)
    assert moved != program
    with pytest.raises(notebooks.MappingError):
        notebooks._apply(document, cells, moved, "tok", "nb.ipynb")


def test_what_a_fix_puts_above_every_cell_becomes_a_new_first_code_cell():
    document = notebook(markdown_cell("# Title", "m"), code_cell("x = 1", "a", count=1), code_cell("y = 2", "b"))
    cells, _ = notebooks.code_cells(document, "tok")
    program = notebooks.build_program(cells, "tok")
    fixed, diff, renumber, _ = notebooks._apply(document, cells, "import numpy as np\n\n\n" + program, "tok", "nb.ipynb")
    assert [c.get("id") for c in fixed["cells"]][0::2] == ["m", "a"]
    new = fixed["cells"][1]
    assert list(new) == list(document["cells"][1]) and new["source"] == ["import numpy as np"]
    assert new["outputs"] == [] and new["execution_count"] is None and new["id"] not in ("m", "a", "b")
    assert "+++ b/nb.ipynb:new cell 2" in diff
    assert (renumber(2), renumber(3), renumber(0)) == (3, 4, 2)  # old cells move down; 0 is the new cell


# -- the fixed notebook runs ---------------------------------------------------------------------
def notebook_code(path) -> str:
    """The code cells joined as a kernel would run them. Deliberately not notebooks.py's own
    magic handling: drop IPython lines (and `%%` cells that are not Python) by hand."""
    parts = []
    for cell in json.loads(Path(path).read_bytes())["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = source(cell).splitlines()
        if lines and lines[0].startswith("%%") and lines[0].split()[0] != "%%time":
            continue
        kept, continued = [], False
        for line in lines:  # the fixture's magics are all at the top level: a blank line will do
            magic = continued or line.lstrip().startswith(("%", "!")) or line.rstrip().endswith("?")
            continued = magic and line.endswith("\\")
            kept.append("" if magic else line)
        parts.append("\n".join(kept))
    return "\n\n".join(parts) + "\n"


CHECK_SPEC = '''\
import numpy as np

TARGET = "keras3"
INPUTS = [(4,)]
PARAMS = (4, 0, 4)  # ConstantOperand holds EXTRA as 4 non-trainable values; Rescaling has none


def intended(x):
    scaled = x * np.array([0.5, 1.5, 2.0, -1.0], dtype="float32")
    centred = scaled - np.array([0.25, -1.0, 3.0, 0.5], dtype="float32")
    extra = np.broadcast_to(np.array([3.0, -2.0, 0.5, 1.0], dtype="float32"), x.shape)
    return np.concatenate([centred, extra], axis=-1)
'''


@pytest.mark.keras
def test_the_fixed_notebook_builds_computes_and_reloads(tmp_path, capsys):
    import model_harness as harness

    path = fix_spread(tmp_path, capsys)
    folder = tmp_path / "KER101_notebook_spread"
    folder.mkdir()
    (folder / "fixed.py").write_text(notebook_code(path) + "\n\ndef build_model():\n    return model\n")
    (folder / "check.py").write_text(CHECK_SPEC)
    # the original notebook is wrong, so these checks can fail: it does not even build
    (folder / "bad.py").write_text(notebook_code(SPREAD) + "\n\ndef build_model():\n    return model\n")
    with pytest.raises(ValueError):  # Keras: "Cannot merge tensors with different batch sizes"
        harness.build(folder, "bad.py")
    assert harness.verify_in_process(folder) == []
    workdir = tmp_path / "work"
    workdir.mkdir()
    # save, then load_model in safe mode in a fresh process that first runs the notebook's code
    reload_problems = harness.verify_reload([folder], "keras3", workdir)
    assert reload_problems == {folder.name: []}
