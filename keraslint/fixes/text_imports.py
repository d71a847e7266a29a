"""Where the pipeline adds one import (`pipeline._add_top_level`), on text, for JSON output's
fast path (fixes/text_edits.py): the lines before the edited statement with the import added.

The pipeline works on the file's outline (fixes/outline.py), whose top-level statements are
the imports, a docstring first, and one placeholder per run of other statements. It skips
an import already there, else merges the name into a one-line `from module import a, b`
(sorted if that was) when the line still fits, else inserts the line into the import block:
in sorted order within its group when the file keeps them sorted, else after its kin, else
after its group, else after the block. libcst gives a statement the comment and blank lines
above it ("leading lines"), except the first statement (they are the module's header) and
after a block (its footer may take some): where that matters, `head_with_import` returns
None and the pipeline decides. Several imports are added one after the other, each on the
text the one before left; helper functions and classes then go after the last import
(`head_with_additions`).
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from typing import Callable, List, Optional

from keraslint.fixes.outline import _first_indent
from keraslint.violations import AddHelper, AddImport

_FROM_LINE = re.compile(r"(from[ \t]+([\w.]+)[ \t]+import[ \t]+)(\w+(?:[ \t]*,[ \t]*\w+)*)([ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n)?)\Z")


class _Element:
    """A top-level statement of the outline: a kept one or a placeholder for a run."""

    def __init__(self, nodes: List[ast.stmt], first: int, last: int):
        self.nodes, self.first, self.last = nodes, first, last
        self.is_import = len(nodes) == 1 and isinstance(nodes[0], (ast.Import, ast.ImportFrom))
        self.compound = any(hasattr(node, "body") or isinstance(node, ast.Match) for node in nodes)


def head_with_import(lines: List[str], tree: ast.Module, statement_index: int, item: AddImport, limit: int, newline: str) -> Optional[List[str]]:
    """`lines[:first line of tree.body[statement_index] - 1]` as the pipeline leaves them
    after adding `item` for a fix of that statement; None when the text cannot tell."""
    elements = _elements(tree, statement_index)
    if elements is None or not _written_as_parsed(lines, elements):
        return None
    head_end = _first_line(tree.body[statement_index]) - 1
    position = 0
    for index, element in enumerate(elements):
        if element.is_import or (index == 0 and _is_docstring(element)):
            position = index + 1
    leading = [_leading(lines, elements, index, head_end) for index in range(len(elements) + 1)]
    line = item.render()
    for index, element in enumerate(elements):
        if element.is_import:
            if leading[index] is None:
                return None
            if "".join(leading[index] + lines[element.first - 1 : element.last]).strip() == line:
                return lines[:head_end]  # already imported
    merged = _merged(lines, elements, leading, position, item, limit, head_end)
    if merged is not None:
        return merged or None
    index, before_kin = _import_index(elements[:position], item)
    if leading[index] is None:
        return None
    new_line = [line + newline]
    if before_kin and leading[index] and all(text.strip() == "" for text in leading[index]):
        at = elements[index].first - 1  # it takes the group's blank lines: right before it
    else:
        at = elements[index - 1].last if index > 0 else (elements[0].first - 1 if elements else head_end)
    return lines[:at] + new_line + lines[at:head_end]


def head_with_additions(lines: List[str], tree: ast.Module, statement_index: int, additions: tuple, limit: int, newline: str, indent: Callable[[], str]) -> Optional[List[str]]:
    """`head_with_import` for a fix's imports, one after the other as the pipeline adds
    them (each on the text the one before left), then its helpers (AddHelper, whose names
    the file does not define) as `pipeline._add_top_level` inserts them: after the last
    import before the statement, each after two blank lines, and two blank lines at least
    before what follows. `indent`: gives the file's first indentation. None when the text
    cannot tell."""
    head_end = _first_line(tree.body[statement_index]) - 1
    head = lines[:head_end]
    imports = [e for e in dict.fromkeys(additions) if isinstance(e, AddImport)]
    helpers: List[AddHelper] = []
    for edit in additions:
        if isinstance(edit, AddHelper) and all(edit.name != helper.name for helper in helpers):
            helpers.append(edit)  # the first of each name, in order
    for number, item in enumerate(imports):
        if number:  # the text so far, with a stand-in for the statement
            lines, tree = _stand_in(head, newline)
            if tree is None:
                return None
            statement_index = len(tree.body) - 1
        head = head_with_import(lines, tree, statement_index, item, limit, newline)
        if head is None:
            return None
    if not helpers:
        return head
    if newline != "\n":
        return None  # the helpers' own line endings would stay "\n" in their strings
    printed = [_helper_as_printed(helper.source, indent()) for helper in helpers]
    if None in printed:
        return None
    lines, tree = _stand_in(head, newline)
    if tree is None:
        return None
    elements = _elements(tree, len(tree.body) - 1)
    if elements is None:
        return None
    position = 0
    for index, element in enumerate(elements):
        if element.is_import or (index == 0 and _is_docstring(element)):
            position = index + 1
    if position == 0:
        return None  # at the module's header: left to the pipeline
    leading = _leading(lines, elements, position, len(head))
    if leading is None:
        return None
    at = elements[position - 1].last
    added = [line for text in printed for line in [newline, newline] + text]
    return head[:at] + added + [newline] * max(0, 2 - len(leading)) + head[at:]


def _stand_in(head: List[str], newline: str) -> tuple:
    """(lines, tree) of `head` followed by a one-line statement; tree None if it does not parse."""
    text = "".join(head) + "_ = 0" + newline
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return head, None
    return head + ["_ = 0" + newline], tree


def _helper_as_printed(source: str, indent: str) -> Optional[List[str]]:
    """The lines libcst prints for the statements of `source` inserted into a module whose
    first indentation is `indent`: as written, from the first statement's first line to the
    last one's last line, when `source` is indented like the module (libcst re-indents
    blocks at its default indentation), uses "\n" and has only blank lines after it."""
    if "\r" in source or not source.endswith("\n"):
        return None
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return None
    if not body or (_first_indent(source) or indent) != indent:
        return None
    lines = source.splitlines(keepends=True)
    first, last = _first_line(body[0]), body[-1].end_lineno or body[-1].lineno
    if any(line.strip() for line in lines[last:]) or len(lines) != source.count("\n"):
        return None
    return lines[first - 1 : last]


def _elements(tree: ast.Module, statement_index: int) -> Optional[List[_Element]]:
    elements: List[_Element] = []
    run: List[ast.stmt] = []
    previous_last = 0
    for index, node in enumerate(tree.body[:statement_index]):
        first, last = _first_line(node), node.end_lineno or node.lineno
        if first <= previous_last:
            return None  # statements sharing a line: one libcst line
        previous_last = last
        kept = isinstance(node, (ast.Import, ast.ImportFrom, ast.Match)) or (
            index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        )
        if kept:
            if run:
                elements.append(_Element(run, _first_line(run[0]), run[-1].end_lineno or run[-1].lineno))
                run = []
            elements.append(_Element([node], first, last))
        else:
            run.append(node)
    if run:
        elements.append(_Element(run, _first_line(run[0]), run[-1].end_lineno or run[-1].lineno))
    if statement_index < len(tree.body) and _first_line(tree.body[statement_index]) <= previous_last:
        return None
    return elements


def _leading(lines, elements, index, head_end) -> Optional[List[str]]:
    """libcst's leading lines of element `index` (or of the edited statement after the
    last one): the comment and blank lines right above it; None when unsure."""
    if index == 0:
        return []  # the module's header
    previous = elements[index - 1]
    first = elements[index].first if index < len(elements) else head_end + 1
    gap = lines[previous.last : first - 1]
    if previous.compound and any(line[:1] in (" ", "\t", "\f") for line in gap):
        return None  # the block's footer takes those up to the last one indented like it
    return gap


def _is_docstring(element: _Element) -> bool:
    node = element.nodes[0]
    return len(element.nodes) == 1 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _merged(lines, elements, leading, position, item: AddImport, limit: int, head_end: int):
    """The head with `item.name` merged into a `from module import a, b` line, as
    `pipeline._merge_import`; [] when the text cannot tell; None when it does not merge."""
    if item.name is None or item.alias:
        return None
    for index, element in enumerate(elements[:position]):
        node = element.nodes[0]
        if not element.is_import or not isinstance(node, ast.ImportFrom) or node.level or node.module != item.module:
            continue
        text = "".join(lines[element.first - 1 : element.last])
        if "(" in text.split("#")[0] or any(alias.name == "*" or alias.asname for alias in node.names):
            continue  # parenthesized, `*` or `as`: the pipeline looks further
        match = _FROM_LINE.match(text)
        if match is None or match.group(2) != item.module or leading[index] is None:
            return []  # odd spacing, a continuation, unsure leading lines
        names = [name.strip() for name in match.group(3).split(",")]
        keys = [_name_key(name) for name in names]
        at = len(names)
        if keys == sorted(keys):
            at = next((i for i, key in enumerate(keys) if _name_key(item.name) < key), len(names))
        names.insert(at, item.name)
        new = match.group(1) + ", ".join(names) + match.group(4)
        if any(len(text.rstrip("\r\n")) > limit for text in leading[index] + [new]):
            return None  # too long: the pipeline adds a line instead
        return lines[: element.first - 1] + [new] + lines[element.last : head_end]
    return None


def _name_key(name: str) -> tuple:
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower())


def _import_key(element: _Element) -> tuple:
    node = element.nodes[0]
    if isinstance(node, ast.ImportFrom):
        if node.level or node.module is None:
            return (1, "~")
        return (1, node.module)
    return (0, node.names[0].name)


def _written_as_parsed(lines, elements) -> bool:
    """Every import's module is written without spaces inside (libcst's key is the text)."""
    for element in elements:
        if element.is_import:
            node = element.nodes[0]
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if module and module not in "".join(lines[element.first - 1 : element.last]):
                return False
    return True


def _section(module_name: str) -> int:
    root = module_name.split(".")[0]
    if root == "__future__":
        return 0
    return 1 if root in sys.stdlib_module_names else 2


def _import_index(block: List[_Element], item: AddImport) -> tuple:
    """`pipeline._import_index` on the outline's elements."""
    imports = [(i, _import_key(element)) for i, element in enumerate(block) if element.is_import]
    return import_place(imports, len(block), item)


def import_place(imports: List[tuple], count: int, item: AddImport) -> tuple:
    """(index, whether that index holds an import of the same group) for `item`, given the
    block's `count` statements and its imports as (index, (is a `from` import, module)): in
    sorted order within its group (stdlib or not) when the file keeps them sorted (isort's
    `import` lines before `from` lines, or one order by module), else after its kin (the same
    top package), else after the last import of its group, else after the whole block. The
    pipeline places its imports with it too."""
    if not imports:
        return count, False
    new = (0 if item.name is None else 1, item.module)
    section = [(i, key) for i, key in imports if _section(key[1]) == _section(item.module)]
    if not section:
        later = [i for i, key in imports if _section(key[1]) > _section(item.module)]
        return (later[0], False) if later else (imports[-1][0] + 1, False)
    for sort_key in (lambda key: (key[0], key[1].lower()), lambda key: key[1].lower()):
        keys = [sort_key(key) for _, key in section]
        if keys == sorted(keys):
            for (i, key), existing in zip(section, keys):
                if sort_key(new) < existing:
                    return i, True
            return section[-1][0] + 1, False
    kin = [i for i, key in section if key[1].split(".")[0] == item.module.split(".")[0]]
    return (kin[-1] if kin else section[-1][0]) + 1, False


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
