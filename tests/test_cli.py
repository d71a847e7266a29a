"""The command line: output, exit codes, configuration, noqa, and bad input of every kind."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from keraslint import cli
from keraslint.files import write_atomically

BAD = textwrap.dedent(
    """\
    import keras
    import numpy as np

    C = np.array([0.5, 1.5, 2.0, -1.0])
    ROW = np.array([[0.5, 1.5, 2.0, -1.0]])
    x = keras.Input((4,))
    y = keras.layers.Multiply()([x, C])
    z = keras.layers.Multiply()([x, ROW])
    """
)
CLEAN = "import keras\nx = keras.Input((4,))\ny = keras.layers.Add()([x, x])\n"


def run(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path, text, mode="w", **kwargs):
    with open(path, mode, **kwargs) as handle:
        handle.write(text)
    return str(path)


# -- reports and exit codes ------------------------------------------------------------------
def test_text_output_and_exit_code(project, capsys):
    write("model.py", BAD)
    code, out, _ = run(["check", "model.py"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("model.py:7:5: KER101 `Multiply` gets raw array `C`")
    assert lines[1].startswith("model.py:8:5: KER101 [*] `Multiply` gets raw array `ROW`")  # safe fix
    assert "Found 2 errors." in out


def test_unsafe_fixes_flag_marks_unsafe_fixes_available(project, capsys):
    write("model.py", BAD)
    _, out, _ = run(["check", "model.py", "--unsafe-fixes"], capsys)
    assert out.splitlines()[0].startswith("model.py:7:5: KER101 [*]")


def test_clean_file_exits_zero(project, capsys):
    write("model.py", CLEAN)
    code, out, _ = run(["check", "."], capsys)
    assert code == 0 and "All checks passed!" in out


def test_exit_zero(project, capsys):
    write("model.py", BAD)
    code, _, _ = run(["check", "model.py", "--exit-zero"], capsys)
    assert code == 0


def test_fix_applies_only_safe_fixes(project, capsys):
    write("model.py", BAD)
    code, out, _ = run(["check", "model.py", "--fix"], capsys)
    text = open("model.py").read()
    assert "Rescaling(scale=ROW)(x)" in text
    assert "keras.layers.Multiply()([x, C])" in text  # unsafe: left alone
    assert code == 1 and "1 fixed, 1 remaining" in out


def test_fix_with_unsafe_fixes_fixes_everything(project, capsys):
    write("model.py", BAD)
    code, out, _ = run(["check", "model.py", "--fix", "--unsafe-fixes"], capsys)
    text = open("model.py").read()
    assert "Multiply" not in text
    assert code == 0 and "2 fixed, 0 remaining" in out


def test_diff_writes_nothing(project, capsys):
    write("model.py", BAD)
    code, out, _ = run(["check", "model.py", "--diff", "--unsafe-fixes"], capsys)
    assert open("model.py").read() == BAD
    assert "-y = keras.layers.Multiply()([x, C])" in out
    assert "+y = keras.layers.Rescaling(scale=C)(x)" in out
    assert code == 1


def test_json_format(project, capsys):
    write("model.py", BAD)
    _, out, _ = run(["check", "model.py", "--format", "json"], capsys)
    items = json.loads(out)
    assert [i["code"] for i in items] == ["KER101", "KER101"]
    first = items[0]
    assert set(first) == {"code", "message", "filename", "location", "end_location", "fix"}
    assert first["location"] == {"row": 7, "column": 5}
    assert first["end_location"] == {"row": 7, "column": 36}
    assert first["fix"]["applicability"] == "unsafe"
    assert first["fix"]["edits"][0]["content"] == "y = keras.layers.Rescaling(scale=C)(x)\n"


def test_github_and_sarif_formats(project, capsys):
    write("model.py", BAD)
    _, out, _ = run(["check", "model.py", "--format", "github"], capsys)
    assert out.startswith("::error title=keraslint (KER101),file=model.py,line=7,col=5,")
    _, out, _ = run(["check", "model.py", "--format", "sarif"], capsys)
    document = json.loads(out)
    assert document["version"] == "2.1.0"
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["KER101", "KER101"]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


def test_statistics(project, capsys):
    write("model.py", BAD)
    _, out, _ = run(["check", "model.py", "--statistics"], capsys)
    assert "    2\tKER101\t[*] merge-raw-operand" in out


def test_select_and_ignore(project, capsys):
    write("model.py", BAD)
    assert run(["check", "model.py", "--ignore", "KER1"], capsys)[0] == 0
    assert run(["check", "model.py", "--select", "KER2"], capsys)[0] == 0
    assert run(["check", "model.py", "--select", "ALL", "--ignore", "KER102"], capsys)[0] == 1


def test_rule_and_rules_commands(capsys):
    code, out, _ = run(["rule", "KER101"], capsys)
    assert code == 0 and "## What it does" in out and "## Fix safety" in out
    code, out, _ = run(["rules"], capsys)
    assert code == 0 and "KER101" in out
    code, _, err = run(["rule", "KER999"], capsys)
    assert code == 2 and "unknown rule" in err


# -- noqa ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "comment, reported",
    [
        ("  # noqa", False),
        ("  # noqa: KER101", False),
        ("  # NOQA:KER101,E501", False),
        ("  # noqa: KER1", False),
        ("  # noqa: KER201", True),
        ("  # not a noqa comment", True),
    ],
)
def test_noqa(project, capsys, comment, reported):
    write("model.py", BAD.replace("y = keras.layers.Multiply()([x, C])", "y = keras.layers.Multiply()([x, C])" + comment))
    _, out, _ = run(["check", "model.py", "--select", "KER101"], capsys)
    assert ("model.py:7:5" in out) == reported


def test_noqa_on_the_last_line_of_a_multiline_statement(project, capsys):
    write("model.py", BAD.replace("y = keras.layers.Multiply()([x, C])", "y = keras.layers.Multiply()(\n    [x, C]\n)  # noqa: KER101"))
    _, out, _ = run(["check", "model.py"], capsys)
    assert "model.py:7:" not in out


# -- configuration ---------------------------------------------------------------------------
def test_config_is_found_walking_up(project, capsys):
    write("pyproject.toml", '[tool.keraslint]\nignore = ["KER101"]\n')
    os.mkdir("pkg")
    write("pkg/model.py", BAD)
    assert run(["check", "pkg/model.py"], capsys)[0] == 0


def test_config_per_file_ignores_and_exclude(project, capsys):
    write("pyproject.toml", '[tool.keraslint]\nexclude = ["generated"]\n[tool.keraslint.per-file-ignores]\n"legacy_*.py" = ["KER1"]\n')
    write("legacy_model.py", BAD)
    os.mkdir("generated")
    write("generated/model.py", BAD)
    write("model.py", BAD)
    _, out, _ = run(["check", "."], capsys)
    assert "legacy_model.py" not in out and "generated" not in out
    assert "model.py:7:5" in out


@pytest.mark.parametrize(
    "table, words",
    [
        ('selct = ["KER1"]', "unknown key `selct`"),
        ('select = ["E501"]', "'E501' is not a rule code"),
        ('target = "keras4"', "`target` must be one of"),
        ("select = 3", "`select` must be a list"),
    ],
)
def test_config_errors_name_the_key(project, capsys, table, words):
    write("pyproject.toml", f"[tool.keraslint]\n{table}\n")
    write("model.py", BAD)
    code, _, err = run(["check", "model.py"], capsys)
    assert code == 2 and words in err


# A Keras 2-era file: `pip install keras` runs it on Keras 3, where `tf.abs` on a KerasTensor fails.
KERAS2_ERA = textwrap.dedent(
    """\
    import tensorflow as tf
    from keras.layers import Input
    from keras.layers.core import Dense
    x = Input((4,))
    y = tf.abs(Dense(4)(x))
    """
)


def test_keras2_era_file_gets_the_keras3_findings_in_auto(project, capsys):
    write("old.py", KERAS2_ERA)
    code, out, _ = run(["check", "old.py", "--format", "json"], capsys)
    codes = sorted(item["code"] for item in json.loads(out))
    assert code == 1 and codes == ["KER301", "KER303"]


def test_target_keras2_turns_the_keras3_rules_off(project, capsys):
    write("old.py", KERAS2_ERA)
    assert run(["check", "old.py", "--target", "keras2"], capsys)[0] == 0
    write("pyproject.toml", '[tool.keraslint]\ntarget = "keras2"\n')
    assert run(["check", "old.py"], capsys)[0] == 0
    code, out, _ = run(["check", "old.py", "--target", "auto"], capsys)  # the command line wins
    assert code == 1 and "KER301" in out


def test_help_documents_the_keras2_target(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    assert "keras2" in " ".join(capsys.readouterr().out.split())


def test_unparsable_pyproject(project, capsys):
    write("pyproject.toml", "[tool.keraslint\nselect = \n")
    write("model.py", BAD)
    code, _, err = run(["check", "model.py"], capsys)
    assert code == 2 and "pyproject.toml" in err


# -- bad input: one clear line, the run goes on, files left as they were ---------------------
def test_syntax_error_is_one_line_and_other_files_are_checked(project, capsys):
    write("broken.py", "import keras\ny = keras.layers.Add()([x, \n")
    write("model.py", BAD)
    code, out, err = run(["check", "."], capsys)
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("broken.py:") and "E999 SyntaxError" in err
    assert "model.py:7:5" in out
    assert code == 3  # bit 1: violations, bit 2: a file could not be processed


def test_python2_code(project, capsys):
    write("old.py", "import keras\nprint 'text'\ny = keras.layers.Multiply()([a, b])\n")
    code, _, err = run(["check", "old.py"], capsys)
    assert code == 2 and "E999 SyntaxError" in err


def test_non_utf8_bytes(project, capsys):
    write("latin.py", b"import keras\n# caf\xe9 Multiply\n", mode="wb")
    code, _, err = run(["check", "latin.py"], capsys)
    assert code == 2 and "latin.py:2:1: E902" in err


def test_nul_byte(project, capsys):
    write("nul.py", b"import keras\nx = 1\x00\ny = keras.layers.Multiply()([a, b])\n", mode="wb")
    code, _, err = run(["check", "nul.py"], capsys)
    assert code == 2 and "E999" in err


def test_parse_warnings_do_not_leak_to_the_user(project, capsys):
    write("odd.py", "import keras\nf = 1.0()\ny = keras.layers.Multiply()([a, b])\n")
    _, _, err = run(["check", "odd.py"], capsys)
    assert err == ""


def test_empty_file_and_folder_without_python(project, capsys):
    write("empty.py", "")
    os.mkdir("docs")
    write("docs/readme.txt", "keras Multiply")
    code, out, err = run(["check", "empty.py", "docs"], capsys)
    assert code == 0 and err == "" and "All checks passed!" in out


def test_missing_path_and_dangling_symlink(project, capsys):
    os.symlink("nowhere.py", "dangling.py")
    write("model.py", BAD)
    code, out, err = run(["check", "missing.py", "dangling.py", "model.py"], capsys)
    assert "missing.py:1:1: E902 No such file or directory" in err
    assert "dangling.py:1:1: E902 No such file or directory" in err
    assert "model.py:7:5" in out and code == 3


def test_symlink_loop(project, capsys):
    os.symlink("b.py", "a.py")
    os.symlink("a.py", "b.py")
    os.mkdir("pkg")
    os.symlink("..", "pkg/parent")  # a folder loop: walking must not follow it
    code, _, err = run(["check", "a.py", "pkg"], capsys)
    assert code == 2 and "a.py:1:1: E902 Too many levels of symbolic links" in err


def test_unreadable_file(project, capsys, monkeypatch):
    write("model.py", BAD)
    real_open = open

    def deny(path, *args, **kwargs):
        if str(path).endswith("model.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    code, _, err = run(["check", "model.py"], capsys)
    assert code == 2 and "model.py:1:1: E902 Permission denied" in err


def test_paths_given_twice_are_checked_once(project, capsys):
    write("model.py", BAD)
    _, out, _ = run(["check", "model.py", "./model.py", "."], capsys)
    assert out.count("model.py:7:5") == 1


def test_bom_is_kept(project, capsys):
    write("bom.py", ("\ufeff" + BAD).encode("utf-8"), mode="wb")
    run(["check", "bom.py", "--fix", "--unsafe-fixes"], capsys)
    data = open("bom.py", "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and b"Rescaling(scale=C)" in data


def test_latin1_cookie_is_honoured_and_kept(project, capsys):
    source = "# -*- coding: latin-1 -*-\n" + BAD.replace("import numpy as np\n", "import numpy as np  # café\n")
    write("latin.py", source.encode("latin-1"), mode="wb")
    code, out, _ = run(["check", "latin.py"], capsys)
    assert "latin.py:8:5: KER101" in out
    run(["check", "latin.py", "--fix", "--unsafe-fixes"], capsys)
    data = open("latin.py", "rb").read()
    assert b"caf\xe9" in data and b"Rescaling(scale=C)" in data


def test_crlf_and_mixed_line_endings_are_kept(project, capsys):
    crlf = BAD.replace("\n", "\r\n")
    write("crlf.py", crlf.encode(), mode="wb")
    run(["check", "crlf.py", "--fix", "--unsafe-fixes"], capsys)
    data = open("crlf.py", "rb").read()
    assert b"Rescaling(scale=C)(x)\r\n" in data and data.count(b"\r\n") == data.count(b"\n")
    lines = BAD.splitlines(keepends=True)
    mixed = "".join(line.replace("\n", "\r\n") if i % 2 else line for i, line in enumerate(lines))
    write("mixed.py", mixed.encode(), mode="wb")
    run(["check", "mixed.py", "--fix", "--unsafe-fixes"], capsys)
    fixed = open("mixed.py", "rb").read().decode()
    expected = mixed.replace("keras.layers.Multiply()([x, C])", "keras.layers.Rescaling(scale=C)(x)")
    expected = expected.replace("keras.layers.Multiply()([x, ROW])", "keras.layers.Rescaling(scale=ROW)(x)")
    assert fixed == expected


def test_tabs_and_unicode_columns(project, capsys):
    source = "import keras\nimport numpy as np\nC = np.ones(4)\ndef f(x):\n\tt = '层'; y = keras.layers.Multiply()([x, C])\n"
    write("tabs.py", source)
    _, out, _ = run(["check", "tabs.py"], capsys)
    assert "tabs.py:5:15: KER101" in out  # characters (the UTF-8 byte offset would give 17)
    run(["check", "tabs.py", "--fix", "--unsafe-fixes"], capsys)
    assert "\tt = '层'; y = keras.layers.Rescaling(scale=C)(x)\n" in open("tabs.py", encoding="utf-8").read()


def test_read_only_file_under_fix(project, capsys):
    path = write("model.py", BAD)
    os.chmod(path, 0o444)
    try:
        code, _, err = run(["check", "model.py", "--fix", "--unsafe-fixes"], capsys)
        assert "read-only" in err and code == 3
        assert open(path).read() == BAD
    finally:
        os.chmod(path, 0o644)


def test_fix_keeps_the_file_mode(project, capsys):
    path = write("script.py", BAD)
    os.chmod(path, 0o750)
    run(["check", "script.py", "--fix", "--unsafe-fixes"], capsys)
    assert os.stat(path).st_mode & 0o777 == 0o750


def test_file_changed_between_check_and_write_is_not_overwritten(tmp_path):
    path = write(tmp_path / "model.py", "changed by the user\n")
    problem = write_atomically(path, BAD.encode(), b"fixed\n")
    assert "changed while it was being fixed" in problem
    assert open(path).read() == "changed by the user\n"
    assert os.listdir(tmp_path) == ["model.py"]  # no temporary file left behind


def test_huge_file(project, capsys):
    block = "def f{n}(x):\n    return keras.layers.Dense(4)(x)\n"
    body = "".join(block.format(n=n) for n in range(200_000))
    write("huge.py", "import keras\nimport numpy as np\nC = np.ones(4)\n" + body + "y = keras.layers.Multiply()([x, C])\n")
    assert os.path.getsize("huge.py") > 10_000_000
    code, out, _ = run(["check", "huge.py"], capsys)
    assert code == 1 and "KER101" in out


def test_stdin(project, capsys, monkeypatch):
    code, out, _ = run(["check", "-", "--stdin-filename", "model.py"], capsys, stdin=BAD.encode(), monkeypatch=monkeypatch)
    assert code == 1 and "model.py:7:5: KER101" in out


def test_stdin_fix_prints_the_fixed_source(project, capsys, monkeypatch):
    code, out, err = run(["check", "-", "--fix", "--unsafe-fixes"], capsys, stdin=BAD.encode(), monkeypatch=monkeypatch)
    assert "y = keras.layers.Rescaling(scale=C)(x)" in out and "Found 2 errors" in err


def test_python_dash_m_and_console_script(project):
    write("model.py", BAD)
    result = subprocess.run([sys.executable, "-m", "keraslint", "check", "model.py"], capture_output=True, text=True)
    assert result.returncode == 1 and "model.py:7:5: KER101" in result.stdout


def test_parallel_jobs_report_the_same(project, capsys):
    for n in range(12):
        write(f"model{n}.py", BAD)
    _, serial, _ = run(["check", ".", "--jobs", "1"], capsys)
    _, parallel, _ = run(["check", ".", "--jobs", "2"], capsys)
    assert serial == parallel and serial.count("KER101") == 24


def test_warm_cache_skips_unchanged_files_and_notices_changes(project, capsys, monkeypatch):
    write("model.py", BAD)
    write("clean.py", CLEAN)
    first = run(["check", "."], capsys)
    analysed = []
    real = cli.process_path
    monkeypatch.setattr(cli, "process_path", lambda path, *a, **k: analysed.append(path) or real(path, *a, **k))
    assert run(["check", "."], capsys) == first and analysed == []
    write("model.py", BAD + "\n")
    second = run(["check", "."], capsys)
    assert analysed == ["model.py"] and second[1] == first[1]
    assert run(["check", ".", "--no-cache"], capsys)[1] == first[1] and len(analysed) == 3
    assert os.path.isfile(".keraslint_cache/.gitignore")


def test_cache_is_keyed_by_settings(project, capsys):
    write("model.py", BAD)
    assert run(["check", "."], capsys)[0] == 1
    assert run(["check", ".", "--ignore", "KER101"], capsys)[0] == 0


def test_exclude_matches_names_at_any_depth_and_paths_from_the_root(project, capsys):
    write("pyproject.toml", '[tool.keraslint]\nexclude = ["generated", "pkg/legacy/*.py", "*_pb2.py"]\n')
    for folder in ("pkg/generated", "pkg/legacy", "other/legacy"):
        os.makedirs(folder)
    for path in ("pkg/generated/a.py", "pkg/legacy/b.py", "other/legacy/c.py", "pkg/model_pb2.py", "pkg/model.py"):
        write(path, BAD)
    _, out, _ = run(["check", "."], capsys)
    reported = sorted({line.split(":")[0] for line in out.splitlines() if "KER101" in line})
    assert reported == ["other/legacy/c.py", "pkg/model.py"]


def test_expression_too_deep_for_the_parser_is_one_line(project, capsys):
    write("deep.py", "import keras\ny = keras.layers.Multiply()([a, b])\nz = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n")
    write("model.py", BAD)
    code, out, err = run(["check", "deep.py", "model.py"], capsys)
    assert len(err.strip().splitlines()) == 1 and err.startswith("deep.py:") and "E999" in err
    assert "model.py:7:5" in out and code == 3


def test_kill_during_fix_leaves_every_file_old_or_new(project):
    """kill -9 in the middle of `--fix`: each file is exactly the old or the new text."""
    import signal
    import time
    from collections import Counter

    from keraslint.engine import fix_source

    old = BAD.encode()
    new = fix_source(BAD, unsafe=True).text.encode()
    assert new != old
    for n in range(300):
        write(f"model{n:03}.py", old, mode="wb")
    process = subprocess.Popen([sys.executable, "-m", "keraslint", "check", "--fix", "--unsafe-fixes", "--no-cache", "--jobs", "2", "."],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until some, but not all, files are fixed
        done = sum(open(f"model{n:03}.py", "rb").read() == new for n in range(0, 300, 10))
        if done:
            break
        time.sleep(0.01)
    still_running = process.poll() is None
    os.killpg(process.pid, signal.SIGKILL)  # the workers too
    process.wait()
    time.sleep(0.2)
    assert still_running, "the fix run ended before it was killed: nothing was interrupted"
    contents = [open(f"model{n:03}.py", "rb").read() for n in range(300)]
    assert all(c in (old, new) for c in contents)
    # killed in the middle: some files were written, some were still old
    assert any(c == new for c in contents) and any(c == old for c in contents), Counter(c == new for c in contents)



@pytest.mark.parametrize("command", [["rule", "KER205"], ["rules"]])
def test_documentation_into_a_closed_pipe_ends_quietly(command, tmp_path, monkeypatch):
    """`keraslint rule KER205 | head -1`: the reader has gone; stop with no traceback."""

    class ClosedPipe:
        def __init__(self, fd):
            self.fd = fd

        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def fileno(self):
            return self.fd

    descriptor = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    monkeypatch.setattr(sys, "stdout", ClosedPipe(descriptor))
    try:
        assert cli.main(command) == 0
    finally:
        os.close(descriptor)
