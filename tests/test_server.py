"""`keraslint server` end to end: a real LSP client (pytest-lsp) talks to `python -m keraslint
server` over stdio, opens documents, reads the published diagnostics, requests code actions
and applies their edits the way an editor would."""

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SERVER_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}

MODEL = textwrap.dedent(
    """\
    import keras
    import numpy as np

    ROW = np.ones((1, 4))
    C = np.ones(4)
    x = keras.Input((4,))
    y = keras.layers.Multiply()([x, ROW])
    z = keras.layers.Multiply()([x, C])
    """
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "keraslint", "server"], server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params):  # the server asks to watch pyproject.toml files
        lsp_client.registrations = getattr(lsp_client, "registrations", []) + list(params.registrations)

    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


# -- client-side helpers: what an editor does ----------------------------------------------------
class Document:
    def __init__(self, client: LanguageClient, path: Path, text: str):
        self.client, self.path, self.text, self.version = client, path, text, 1
        self.uri = path.as_uri()
        path.write_text(text, encoding="utf-8")
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=self.uri, language_id="python", version=1, text=text)))

    def change(self, text: str) -> None:
        self.text, self.version = text, self.version + 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def diagnostics(self):
        return self.client.diagnostics.get(self.uri)

    async def wait(self, predicate, timeout: float = 20):
        """Until the published diagnostics of this document satisfy `predicate`."""
        async def loop():
            while self.diagnostics() is None or not predicate(self.diagnostics()):
                await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        await asyncio.wait_for(loop(), timeout)
        return self.diagnostics()

    async def actions(self, line: int, only=None):
        """What an editor asks for with the cursor at the start of `line`: the diagnostics there."""
        at_line = [d for d in self.diagnostics() or [] if d.range.start.line <= line <= d.range.end.line]
        cursor = types.Position(line=line, character=0)
        return await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri),
            range=types.Range(start=cursor, end=cursor),
            context=types.CodeActionContext(diagnostics=at_line, only=only),
        )) or []

    def apply(self, action: types.CodeAction) -> None:
        """Apply the action's edits to our text (UTF-16 positions, as an editor does) and send it."""
        text = self.text
        for change in action.edit.document_changes:
            assert change.text_document.uri == self.uri and change.text_document.version == self.version
            for edit in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
                text = text[: offset(text, edit.range.start)] + edit.new_text + text[offset(text, edit.range.end):]
        self.change(text)


def offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        units += len(char.encode("utf-16-le")) // 2
    return start + len(line.rstrip("\r\n"))


def codes(diagnostics):
    return sorted((d.range.start.line, d.code) for d in diagnostics)


# -- tests --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_diagnostics_on_open(client: LanguageClient, tmp_path):
    document = Document(client, tmp_path / "model.py", MODEL)
    diagnostics = await document.wait(lambda d: len(d) == 2)
    assert codes(diagnostics) == [(6, "KER101"), (7, "KER101")]
    first = min(diagnostics, key=lambda d: d.range.start.line)
    assert first.source == "keraslint"
    assert first.severity == types.DiagnosticSeverity.Warning
    assert first.message.startswith("`Multiply` gets raw array `ROW`")
    # `y = keras.layers.Multiply()([x, ROW])`: the Merge-layer call, columns 4 to the end
    assert first.range == types.Range(start=types.Position(line=6, character=4), end=types.Position(line=6, character=37))


@pytest.mark.asyncio
async def test_ranges_count_utf16_code_units(client: LanguageClient, tmp_path):
    prefix = 's = "😀 中文"; z = '
    line = prefix + "keras.layers.Multiply()([x, C])"
    text = MODEL.replace("z = keras.layers.Multiply()([x, C])", line)
    document = Document(client, tmp_path / "model.py", text)
    diagnostics = await document.wait(lambda d: len(d) == 2)
    [found] = [d for d in diagnostics if d.range.start.line == 7]
    # 16 characters (23 UTF-8 bytes) before the call; the emoji is 2 UTF-16 code units, each CJK character 1
    assert len(prefix) == 16 and len(prefix.encode("utf-8")) == 23
    assert found.range.start == types.Position(line=7, character=17)
    assert found.range.end == types.Position(line=7, character=17 + len("keras.layers.Multiply()([x, C])"))


@pytest.mark.asyncio
async def test_quick_fix_removes_the_diagnostic(client: LanguageClient, tmp_path):
    document = Document(client, tmp_path / "model.py", MODEL)
    await document.wait(lambda d: len(d) == 2)
    actions = await document.actions(6)
    titles = [a.title for a in actions]
    assert "Disable KER101 for this line" in titles
    [fix] = [a for a in actions if a.is_preferred]  # the safe fix for the (1, N) constant
    assert not fix.title.endswith("(unsafe)")
    assert fix.kind == types.CodeActionKind.QuickFix
    document.apply(fix)
    diagnostics = await document.wait(lambda d: len(d) == 1)
    assert codes(diagnostics) == [(7, "KER101")]
    assert "keras.layers.Rescaling(scale=ROW)(x)" in document.text

    unsafe = [a for a in await document.actions(7) if a.title.endswith("(unsafe)")]
    assert len(unsafe) == 1 and not unsafe[0].is_preferred
    document.apply(unsafe[0])
    assert not await document.wait(lambda d: not d)


@pytest.mark.asyncio
async def test_fix_all_applies_only_safe_fixes(client: LanguageClient, tmp_path):
    document = Document(client, tmp_path / "model.py", MODEL)
    await document.wait(lambda d: len(d) == 2)
    [fix_all] = await document.actions(0, only=["source.fixAll"])
    assert fix_all.kind == "source.fixAll.keraslint"
    document.apply(fix_all)
    diagnostics = await document.wait(lambda d: len(d) == 1)
    assert codes(diagnostics) == [(7, "KER101")]  # the unsafe one stays
    assert "keras.layers.Rescaling(scale=ROW)(x)" in document.text


@pytest.mark.asyncio
async def test_noqa_action_adds_and_merges(client: LanguageClient, tmp_path):
    text = MODEL.replace("z = keras.layers.Multiply()([x, C])", "z = keras.layers.Multiply()([x, C])  # noqa: KER999")
    document = Document(client, tmp_path / "model.py", text)
    await document.wait(lambda d: len(d) == 2)
    [on_y] = [a for a in await document.actions(6) if a.title == "Disable KER101 for this line"]
    document.apply(on_y)
    await document.wait(lambda d: len(d) == 1)
    assert "y = keras.layers.Multiply()([x, ROW])  # noqa: KER101\n" in document.text
    [on_z] = [a for a in await document.actions(7) if a.title == "Disable KER101 for this line"]
    document.apply(on_z)
    assert not await document.wait(lambda d: not d)
    assert "z = keras.layers.Multiply()([x, C])  # noqa: KER999, KER101\n" in document.text


@pytest.mark.asyncio
async def test_syntax_error_while_typing_then_fixed(client: LanguageClient, tmp_path):
    document = Document(client, tmp_path / "model.py", MODEL)
    await document.wait(lambda d: len(d) == 2)
    document.change(MODEL + "w = keras.layers.Add()([x, \n")  # mid-typing
    diagnostics = await document.wait(lambda d: any(x.code == "E999" for x in d))
    assert [d.code for d in diagnostics] == ["E999"]
    assert diagnostics[0].range.start.line == 8
    document.change(MODEL + "w = keras.layers.Add()([x, x])\n")
    assert codes(await document.wait(lambda d: all(x.code != "E999" for x in d))) == [(6, "KER101"), (7, "KER101")]


@pytest.mark.asyncio
async def test_hover_shows_the_rule_documentation(client: LanguageClient, tmp_path):
    document = Document(client, tmp_path / "model.py", MODEL)
    await document.wait(lambda d: len(d) == 2)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=document.uri), position=types.Position(line=7, character=10)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "# KER101" in hover.contents.value and "## Why is this bad?" in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=document.uri), position=types.Position(line=0, character=2)))
    assert nothing is None


@pytest.mark.asyncio
async def test_settings_come_from_the_nearest_pyproject_and_follow_its_changes(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nignore = ["KER101"]\n')
    package = tmp_path / "pkg"
    package.mkdir()
    document = Document(client, package / "model.py", MODEL)
    assert not await document.wait(lambda d: True)
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nignore = ["KER105"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(tmp_path / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)]))
    assert codes(await document.wait(lambda d: len(d) == 2)) == [(6, "KER101"), (7, "KER101")]


@pytest.mark.asyncio
async def test_notebook_cells_are_one_program(client: LanguageClient, tmp_path):
    cells = ["import keras\nimport numpy as np", "# Title", "C = np.ones(4)\nx = keras.Input((4,))", "y = keras.layers.Multiply()([x, C])"]
    notebook_uri = (tmp_path / "model.ipynb").as_uri()
    cell_uris = [f"{notebook_uri}#cell{i}" for i in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(uri=notebook_uri, notebook_type="jupyter-notebook", version=1, cells=[
            types.NotebookCell(kind=types.NotebookCellKind.Markup if text.startswith("#") else types.NotebookCellKind.Code, document=uri)
            for uri, text in zip(cell_uris, cells)]),
        cell_text_documents=[
            types.TextDocumentItem(uri=uri, language_id="markdown" if text.startswith("#") else "python", version=1, text=text)
            for uri, text in zip(cell_uris, cells)]))

    async def published():
        while cell_uris[3] not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(published(), 20)
    [finding] = client.diagnostics[cell_uris[3]]
    assert finding.code == "KER101" and finding.range.start == types.Position(line=0, character=4)
    assert not client.diagnostics.get(cell_uris[2])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=cell_uris[3]),
        range=finding.range, context=types.CodeActionContext(diagnostics=[finding])))
    assert "Disable KER101 for this line" in [a.title for a in actions]
    # the fix is computed on the whole program and split back: each edit names its own cell
    [fix] = [a for a in actions if a.title.endswith("(unsafe)")]
    edited = {change.text_document.uri: "".join(e.new_text for e in change.edits) for change in fix.edit.document_changes}
    assert edited == {cell_uris[3]: "y = keras.layers.Rescaling(scale=C)(x)"}  # the cell keeps having no final newline


def test_without_pygls_the_server_says_how_to_install_it():
    blocker = "import sys; sys.modules['pygls'] = None; sys.modules['lsprotocol'] = None; from keraslint.cli import main; sys.exit(main(['server']))"
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, env=SERVER_ENV, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ['keraslint: error: `keraslint server` needs pygls: pip install "keraslint[server]"']
