"""Functions a KER302 fix inserts where no single `keras.ops` call means what a classic
`keras.backend` function meant, whatever the ranks of its operands (which the linter cannot see).

Each is tf_keras 2.21's algorithm written with `keras.ops`; tests/test_ops_tables.py runs it
against tf_keras on random ranks, shapes and arguments like every other row. `{ops}` is the
file's name for `keras.ops`.
"""

from __future__ import annotations

import ast
from typing import Optional

from keraslint.violations import AddHelper

BATCH_DOT = '''
def batch_dot(x, y, axes=None):
    """tf_keras' `K.batch_dot`: per sample, contract axis `axes[0]` of x with axis `axes[1]` of y."""
    x_rank, y_rank = len(x.shape), len(y.shape)
    if axes is None:
        axes = (x_rank - 1, y_rank - 1 if y_rank == 2 else y_rank - 2)
    elif isinstance(axes, int):
        axes = (axes, axes)
    x_axis, y_axis = axes[0] % x_rank, axes[1] % y_rank
    x_letters = ["b"] + [chr(ord("c") + i) for i in range(x_rank - 1)]
    y_letters = ["b"] + [chr(ord("c") + x_rank - 1 + i) for i in range(y_rank - 1)]
    x_letters[x_axis] = y_letters[y_axis] = "a"  # the contracted axis
    kept = [c for c in x_letters[1:] + y_letters[1:] if c != "a"]
    result = {ops}.einsum(f"{{''.join(x_letters)}},{{''.join(y_letters)}}->b{{''.join(kept)}}", x, y)
    return {ops}.expand_dims(result, -1) if x_rank == y_rank == 2 else result
'''

SWITCH = '''
def switch(condition, then_expression, else_expression):
    """tf_keras' `K.switch`: a scalar condition picks a whole branch; a condition of rank 2 or
    more gets the branches' missing axes at its end."""
    condition = {ops}.cast(condition, "bool")
    if {ops}.ndim(condition) == 0:
        return {ops}.cond(
            condition,
            then_expression if callable(then_expression) else lambda: then_expression,
            else_expression if callable(else_expression) else lambda: else_expression,
        )
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    if {ops}.ndim(condition) > 1:
        for _ in range({ops}.ndim(condition), {ops}.ndim(then_expression)):
            condition = {ops}.expand_dims(condition, -1)
    return {ops}.where(condition, then_expression, else_expression)
'''

# for sizes known only at run time (the table's row writes literal sizes as cut indices itself)
TF_SPLIT = '''
def tf_split(value, num_or_size_splits, axis=0):
    """TensorFlow's `tf.split`: a number of equal pieces, or the pieces' sizes (one may be -1)."""
    if isinstance(num_or_size_splits, int):
        return {ops}.split(value, num_or_size_splits, axis=axis)
    sizes = [int(size) for size in num_or_size_splits]
    if -1 in sizes:
        sizes[sizes.index(-1)] = value.shape[axis] - sum(sizes) - 1
    cuts, total = [], 0
    for size in sizes[:-1]:
        total += size
        cuts.append(total)
    return {ops}.split(value, cuts, axis=axis) if cuts else [value]
'''

HELPERS = {"K.batch_dot": ("batch_dot", BATCH_DOT), "K.switch": ("switch", SWITCH), "tf.split": ("tf_split", TF_SPLIT)}


def helper_source(source: str, ops: str) -> Optional[tuple]:
    """(function name, its source) for the row `source`, written with the file's `ops`."""
    if source not in HELPERS:
        return None
    name, text = HELPERS[source]
    return name, text.format(ops=ops).lstrip("\n")


def helper_edits(source: str, text: str, ops: str, ctx) -> Optional[list]:
    """The edits that insert the helper a rewrite `text` calls ([] when it calls none), or None
    when the file uses the helper's name for something else."""
    helper = helper_source(source, ops)
    if helper is None or not text.startswith(helper[0] + "("):
        return []
    name = helper[0]
    if not ctx.names.is_free(name) and not any(
            isinstance(node, ast.FunctionDef) and node.name == name
            and (ast.get_docstring(node) or "") == (ast.get_docstring(ast.parse(helper[1]).body[0]) or "")
            for node in ctx.tree.body):
        return None  # the file has its own `switch` / `batch_dot` (an inserted helper is reused)
    return [AddHelper(*helper)]
