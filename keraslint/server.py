"""`keraslint server`: the Language Server Protocol glue (pygls), over stdio. No rule logic.

Every document is checked by the engine the CLI uses (`check_source`), fixed by the same fix
pipeline (`fix_source` for "fix all", `apply_fixes` for one finding) and configured from the
nearest pyproject.toml, exactly as `keraslint check` would see that file. What this module adds
is only what an editor needs:

- positions: the engine counts characters (code points) on lines split at \\r\\n, \\r and \\n,
  like LSP does; LSP counts UTF-16 code units unless the client negotiated another encoding;
- debouncing: a change is checked 0.05 s after the last one (changes that arrive while a check
  runs are coalesced too), open and save at once;
- edits: a fixed text is turned into line-level TextEdits against the document;
- notebooks: the code cells are one program (as in `keraslint check`), diagnostics go back to
  the cell they belong to.

The pygls and lsprotocol imports fail without the `server` extra; `keraslint.cli` turns that
into one line that says how to install it.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from keraslint import __version__
from keraslint.config import ConfigError, Settings, find_config, load_settings
from keraslint.engine import SourceError, applicable, check_source, fix_source
from keraslint.notebooks import CodeCell, build_program, code_cells, split_program, to_cells
from keraslint.violations import SAFE, Violation

SOURCE = "keraslint"
FIX_ALL_KIND = "source.fixAll.keraslint"
DEBOUNCE_SECONDS = 0.05
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # where LSP (and the engine) break lines
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NOQA_CODES = re.compile(r"#\s*noqa:\s?[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!:)", re.IGNORECASE)
log = logging.getLogger(__name__)


# -- what one check of a document found -----------------------------------------------------
@dataclass
class Checked:
    """A document as last checked: its text and what the engine said, in its own lines."""

    uri: str
    text: str
    path: str  # the file system path (reported names, per-file-ignores, config lookup)
    settings: Settings
    violations: List[Violation] = field(default_factory=list)
    error: Optional[SourceError] = None

    @property
    def lines(self) -> List[str]:
        return _LINE_BREAK.split(self.text)


@dataclass
class CheckedNotebook:
    """A notebook's code cells checked as one program; violations are per cell document."""

    cells: List[CodeCell]
    uris: Dict[int, str]  # cell number (1-based among all cells) -> cell document uri
    program: str
    token: str
    path: str
    settings: Settings
    by_uri: Dict[str, List[Violation]] = field(default_factory=dict)
    program_violations: List[Violation] = field(default_factory=list)


class KeraslintServer(LanguageServer):
    def __init__(self):
        super().__init__(
            "keraslint",
            __version__,
            # full sync: pygls applies incremental changes on str.splitlines() lines, which
            # also break at \f and \u2028 and would silently corrupt our copy of such a file
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    notebook="jupyter-notebook", cells=[types.NotebookCellLanguage(language="python")],
                )],
                save=True,
            ),
        )
        self.checked: Dict[str, Checked] = {}  # uri -> last check (Python files and cells)
        self.notebooks: Dict[str, CheckedNotebook] = {}  # notebook uri -> last check
        self.pending: Dict[str, asyncio.TimerHandle] = {}
        self.settings_cache: Dict[Path, Tuple[tuple, object]] = {}  # pyproject -> (stamp, Settings | ConfigError)
        self.reported_config_errors: set = set()

    # -- positions ---------------------------------------------------------------------------
    def units(self, text: str) -> int:
        """Length of `text` in the client's position units (UTF-16 code units by default)."""
        return self.workspace.position_codec.client_num_units(text)

    def position(self, lines: List[str], line: int, col: int) -> types.Position:
        """Engine position (1-based line, character column) -> LSP position."""
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return types.Position(line=line - 1, character=self.units(text[:col]))

    def column(self, lines: List[str], position: types.Position) -> int:
        """LSP position -> character column on its line."""
        text = lines[position.line] if position.line < len(lines) else ""
        counted = 0
        for index, char in enumerate(text):
            if counted >= position.character:
                return index
            counted += self.units(char)
        return len(text)

    def range_of(self, lines: List[str], violation: Violation) -> types.Range:
        span = violation.span
        return types.Range(start=self.position(lines, span.line, span.col), end=self.position(lines, span.end_line, span.end_col))

    def text_edits(self, old: str, new: str) -> List[types.TextEdit]:
        """Line-level edits that turn `old` into `new` (positions in `old`, never overlapping)."""
        old_lines, new_lines = _LINE_WITH_END.findall(old), _LINE_WITH_END.findall(new)
        breaks = len(old_lines) if old.endswith(("\n", "\r")) else max(len(old_lines) - 1, 0)

        def start_of(index: int) -> types.Position:
            if index <= breaks:
                return types.Position(line=index, character=0)
            return types.Position(line=breaks, character=self.units(old_lines[-1]))  # after an unterminated last line

        edits = []
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                edits.append(types.TextEdit(range=types.Range(start=start_of(i1), end=start_of(i2)), new_text="".join(new_lines[j1:j2])))
        return edits

    # -- settings -----------------------------------------------------------------------------
    def settings_for(self, path: Optional[str]) -> Settings:
        """The settings `keraslint check PATH` would use; re-read when the pyproject.toml changes."""
        if not path:
            return Settings()
        pyproject = find_config([path])
        if pyproject is None:
            return Settings(root=os.path.dirname(path))
        try:
            status = pyproject.stat()
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            return Settings()
        cached = self.settings_cache.get(pyproject)
        if cached is None or cached[0] != stamp:
            try:
                cached = (stamp, load_settings(pyproject))
            except ConfigError as error:
                cached = (stamp, error)
            self.settings_cache[pyproject] = cached
        value = cached[1]
        if isinstance(value, ConfigError):
            if (pyproject, stamp) not in self.reported_config_errors:
                self.reported_config_errors.add((pyproject, stamp))
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"keraslint: {value}; using the default settings"))
            return Settings()
        return value

    # -- checking ---------------------------------------------------------------------------------
    def check_document(self, uri: str) -> None:
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        if notebook is not None:
            return self.check_notebook(notebook.uri)
        document = self.workspace.get_text_document(uri)
        if not is_python(document.uri, document.language_id):
            return
        path = to_fs_path(uri) or ""
        checked = Checked(uri, document.source, path, self.settings_for(path))
        try:
            checked.violations = check_source(checked.text, path or uri, checked.settings)
        except SourceError as error:
            checked.error = error
        except RecursionError:
            checked.error = SourceError("E999", "SyntaxError: code too deeply nested to analyse")
        self.checked[uri] = checked
        self.publish(checked, document.version)

    def publish(self, checked: Checked, version: Optional[int] = None) -> None:
        lines = checked.lines
        diagnostics = [self.diagnostic(lines, v) for v in checked.violations]
        if checked.error is not None:
            error = checked.error
            start = self.position(lines, error.line, error.col)
            diagnostics.append(types.Diagnostic(
                range=types.Range(start=start, end=types.Position(line=start.line, character=start.character + 1)),
                message=error.message, severity=types.DiagnosticSeverity.Error, code=error.code, source=SOURCE,
            ))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=checked.uri, version=version, diagnostics=diagnostics))

    def diagnostic(self, lines: List[str], violation: Violation) -> types.Diagnostic:
        return types.Diagnostic(
            range=self.range_of(lines, violation),
            message=violation.message,
            severity=types.DiagnosticSeverity.Warning,
            code=violation.code,
            source=SOURCE,
        )

    def check_notebook(self, notebook_uri: str) -> None:
        notebook = self.workspace.get_notebook_document(notebook_uri=notebook_uri)
        if notebook is None:
            return
        path = to_fs_path(notebook.uri) or notebook.uri
        texts, uris, document = [], {}, {"cells": []}
        for number, cell in enumerate(notebook.cells, 1):
            source = self.workspace.get_text_document(cell.document).source
            kind = "code" if cell.kind == types.NotebookCellKind.Code else "markdown"
            document["cells"].append({"cell_type": kind, "source": source})
            uris[number] = cell.document
            texts.append(source)
        token = hashlib.sha1("\0".join(texts).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        cells, _ = code_cells(document, token)  # a cell that does not parse is left out, as in the CLI
        program = build_program(cells, token)
        checked = CheckedNotebook(cells, uris, program, token, path, self.settings_for(path))
        try:
            checked.program_violations = check_source(program, path, checked.settings)
        except (SourceError, RecursionError):
            checked.program_violations = []
        _, _, starts = split_program(program, cells, token)
        for violation in to_cells(checked.program_violations, starts):
            checked.by_uri.setdefault(uris[violation.cell], []).append(violation)
        self.notebooks[notebook.uri] = checked
        for number, uri in uris.items():
            cell = Checked(uri, self.workspace.get_text_document(uri).source, path, checked.settings, checked.by_uri.get(uri, []))
            self.checked[uri] = cell
            self.publish(cell)

    def check_later(self, uri: str) -> None:
        """Debounce: check `uri` once typing pauses for DEBOUNCE_SECONDS."""
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_event_loop()
        self.pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self._check_now, uri)

    def _check_now(self, uri: str) -> None:
        self.pending.pop(uri, None)
        try:
            if uri in self.workspace.notebook_documents:
                self.check_notebook(uri)
            elif uri in self.workspace.text_documents:
                self.check_document(uri)
        except Exception:  # a bug must not take the editor's server down
            log.exception("keraslint failed to check %s", uri)

    def recheck_all(self) -> None:
        for uri in list(self.workspace.notebook_documents):
            self.check_notebook(uri)
        for uri in list(self.workspace.text_documents):
            if self.workspace.get_notebook_document(cell_uri=uri) is None:
                self.check_document(uri)

    # -- code actions ---------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        uri = params.text_document.uri
        checked = self.checked.get(uri)
        document = self.workspace.get_text_document(uri)
        if checked is None or checked.text != document.source:
            return []  # stale: a check is on its way
        only = params.context.only
        wanted = lambda kind: not only or any(kind == k or kind.startswith(k + ".") for k in only)  # noqa: E731
        lines = checked.lines
        actions = []
        # the findings under the cursor, and those whose diagnostics the client sends along
        sent = {(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) for d in params.context.diagnostics}
        at_cursor = []
        for violation in checked.violations:
            where = self.range_of(lines, violation)
            key = (violation.code, where.start.line, where.start.character, where.end.line, where.end.character)
            if key in sent or _overlaps(where, params.range):
                at_cursor.append(violation)
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        for violation in at_cursor:
            diagnostic = self.diagnostic(lines, violation)
            if wanted(types.CodeActionKind.QuickFix) and violation.fix is not None:
                edit = self.fix_edit(checked, violation, notebook)
                if edit is not None:
                    title = violation.fix.title if violation.fix.applicability == SAFE else f"{violation.fix.title} (unsafe)"
                    actions.append(types.CodeAction(
                        title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                        is_preferred=violation.fix.applicability == SAFE, edit=edit,
                    ))
            if wanted(types.CodeActionKind.QuickFix):
                actions.append(types.CodeAction(
                    title=f"Disable {violation.code} for this line", kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic], edit=self.noqa_edit(checked, violation),
                ))
        if wanted(FIX_ALL_KIND) and notebook is None and any(applicable(v, False) for v in checked.violations):
            outcome = fix_source(checked.text, checked.path or uri, checked.settings, unsafe=False)
            if outcome.text != checked.text:
                actions.append(types.CodeAction(
                    title="keraslint: fix all safely fixable problems", kind=FIX_ALL_KIND,
                    edit=self.workspace_edit(uri, self.text_edits(checked.text, outcome.text)),
                ))
        return actions

    def workspace_edit(self, uri: str, edits: List[types.TextEdit]) -> types.WorkspaceEdit:
        version = self.workspace.get_text_document(uri).version
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits,
        )])

    def fix_edit(self, checked: Checked, violation: Violation, notebook) -> Optional[types.WorkspaceEdit]:
        from keraslint.fixes.pipeline import fixed_each  # libcst only when a fix is offered

        if notebook is not None:
            return self.notebook_fix_edit(notebook, violation)
        [fixed] = fixed_each(checked.text, [violation])  # what `--format json` shows as its edits
        if fixed is None or fixed == checked.text:
            return None
        return self.workspace_edit(checked.uri, self.text_edits(checked.text, fixed))

    def notebook_fix_edit(self, notebook, violation: Violation) -> Optional[types.WorkspaceEdit]:
        """The fix applied to the whole program, split back into cells: one edit per changed
        cell. A fix that would need a new cell (LSP cannot add one) is not offered."""
        from keraslint.fixes.pipeline import apply_fixes
        from keraslint.notebooks import MappingError, restore_magics

        checked = self.notebooks.get(notebook.uri)
        if checked is None:
            return None
        original = next((v for v in checked.program_violations if v.code == violation.code and v.message == violation.message
                         and self.checked_cell_matches(checked, v, violation)), None)
        if original is None:
            return None
        result = apply_fixes(checked.program, [original])
        if not result.applied:
            return None
        try:
            new_cell, texts, _ = split_program(result.text, checked.cells, checked.token)
            if new_cell.strip():
                return None
            changes = []
            for cell in checked.cells:
                if texts[cell.number] == cell.text:
                    continue
                new_source = restore_magics(texts[cell.number], cell)
                if not cell.source.endswith(("\n", "\r")):
                    new_source = new_source.rstrip("\r\n")
                uri = checked.uris[cell.number]
                changes.append(types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=self.workspace.get_text_document(uri).version),
                    edits=self.text_edits(cell.source, new_source),
                ))
        except MappingError:
            return None
        return types.WorkspaceEdit(document_changes=changes) if changes else None

    @staticmethod
    def checked_cell_matches(checked: CheckedNotebook, program_violation: Violation, cell_violation: Violation) -> bool:
        _, _, starts = split_program(checked.program, checked.cells, checked.token)
        [mapped] = to_cells([program_violation], starts)
        return mapped.cell == cell_violation.cell and mapped.span == cell_violation.span

    def noqa_edit(self, checked: Checked, violation: Violation) -> types.WorkspaceEdit:
        """`# noqa: CODE` at the end of the reported line, merged into a noqa comment already there."""
        lines = checked.lines
        text = lines[violation.line - 1]
        existing = _NOQA_CODES.search(text)
        if existing:
            new_text = text[: existing.end()] + f", {violation.code}" + text[existing.end():]
        elif _BARE_NOQA.search(text):
            new_text = text  # a bare noqa already silences every code on this line
        else:
            new_text = text.rstrip() + f"  # noqa: {violation.code}"
        edit = types.TextEdit(
            range=types.Range(start=types.Position(line=violation.line - 1, character=0), end=types.Position(line=violation.line - 1, character=self.units(text))),
            new_text=new_text,
        )
        return self.workspace_edit(checked.uri, [edit])

    # -- hover --------------------------------------------------------------------------------
    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        from keraslint.cli import rule_documentation

        checked = self.checked.get(params.text_document.uri)
        if checked is None:
            return None
        lines = checked.lines
        point = types.Range(start=params.position, end=params.position)
        found = [v for v in checked.violations if _overlaps(self.range_of(lines, v), point, inclusive=True)]
        if not found:
            return None
        parts = []
        for violation in found:
            parts.append(f"**{violation.code}**: {violation.message}\n\n{rule_documentation(violation.code) or ''}")
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=self.range_of(lines, found[0]),
        )


def is_python(uri: str, language_id: Optional[str]) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


def _overlaps(a: types.Range, b: types.Range, inclusive: bool = True) -> bool:
    start = lambda r: (r.start.line, r.start.character)  # noqa: E731
    end = lambda r: (r.end.line, r.end.character)  # noqa: E731
    if inclusive:  # a cursor touching either end of a finding counts
        return start(a) <= end(b) and start(b) <= end(a)
    return start(a) < end(b) and start(b) < end(a)


def create_server() -> KeraslintServer:
    server = KeraslintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: KeraslintServer, params: types.InitializedParams) -> None:
        # re-check open documents when a pyproject.toml changes, where the client can watch files
        watched = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="keraslint-pyproject", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]),
            )]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: KeraslintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.recheck_all()  # the settings cache notices the new mtime

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KeraslintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls._check_now(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KeraslintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KeraslintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls._check_now(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KeraslintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.checked.pop(uri, None)
        handle = ls.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_opened(ls: KeraslintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls._check_now(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_changed(ls: KeraslintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.check_later(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_saved(ls: KeraslintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls._check_now(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_closed(ls: KeraslintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.notebooks.pop(params.notebook_document.uri, None)
        for cell in params.cell_text_documents:
            ls.checked.pop(cell.uri, None)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell.uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: KeraslintServer, params: types.CodeActionParams):
        return ls.code_actions(params) or None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: KeraslintServer, params: types.HoverParams):
        return ls.hover(params)

    return server


def start() -> int:
    """Serve over stdin/stdout until the client says exit."""
    create_server().start_io()
    return 0
