"""Flow facts that `values` asks for when an expression's own shape says too little.

Three questions, each answered lazily (only when a rule asks about a value the forward
analysis could not name) and once per file:

- **Methods of plain classes.** `class Builder: def build(self): self.x = Input(...)`: which
  `def`s are methods of a class that does not derive from Keras (their bodies run while the
  model is built), where `self.method(...)` calls them, and what `self.attr` holds (every
  `self.attr = ...` in the class must agree).
- **Does a helper make tensors of its own?** A helper whose result is symbolic only through
  its parameters gives an unknown result at a call that passes no symbolic tensor.
- **Backward evidence.** Whatever reaches `keras.Model(inputs=..., outputs=...)`, passes
  through a layer call whose result is symbolic, or sits in a Merge-layer list next to a
  symbolic tensor is a symbolic tensor itself, whatever made it (a third-party callable, a
  `model.output` of an unknown model). The evidence walks back through assignments in the
  same scope, layer calls, a single-return helper, and a TensorFlow/`keras.ops` op or an
  arithmetic expression when exactly one operand is not plain data.

Unknown stays unknown: every step needs a proof, and nothing here guesses from names.
"""

from __future__ import annotations

import ast
from typing import Dict, Optional, Set

from keraslint.analysis.context import _derives_from_keras
from keraslint.analysis.scopes import FUNCTION_NODES, own_returns

_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
_MERGE_FUNCTIONS = {name.lower() for name in _MERGE}
_OUTPUT_ATTRS = {"output", "outputs", "input", "inputs"}
# keyword arguments of an op that carry its tensor (others are options: axis=, name=, ...)
_TENSOR_KEYWORDS = {"x", "y", "a", "b", "input", "inputs", "tensor", "values", "logits", "features", "value"}
_NOT_METHODS = {"staticmethod", "classmethod", "property"}
# ops whose arguments are sizes, shapes or fill values (never where a graph tensor comes in)
_CREATORS = {"range", "ones", "zeros", "fill", "eye", "constant", "linspace", "random.normal", "random.uniform",
             "arange", "full", "one_hot", "sequence_mask"}
_DATA = object()  # a walk back that ends in plain data
MAX_EVIDENCE = 4000  # nodes; a bound on pathological files


class Flow:
    def __init__(self, values):
        self.values = values
        self.index = values.index
        self.names = values.names
        self._plain: Dict[ast.ClassDef, bool] = {}
        self._method_calls: Optional[dict] = None
        self._self_assignments: Dict[ast.ClassDef, dict] = {}
        self._makes: Dict[ast.AST, bool] = {}
        self._builders: Dict[ast.AST, bool] = {}
        self._evidence: Optional[Set[int]] = None
        self._proven_bindings: Set[int] = set()

    # -- methods of plain classes -----------------------------------------------------------
    def plain_class_of(self, function: ast.AST) -> Optional[ast.ClassDef]:
        """The class of a method with a `self` parameter, when the class is not derived from a
        Keras class (its methods are ordinary model-building code); else None."""
        owner = self.index.parents.get(function)
        if not isinstance(owner, ast.ClassDef) or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        if not (function.args.posonlyargs or function.args.args):
            return None
        if any(isinstance(d, ast.Name) and d.id in _NOT_METHODS for d in function.decorator_list):
            return None
        if owner not in self._plain:
            self._plain[owner] = not owner.bases or not _derives_from_keras(owner, self.index, self.names, set())
        return owner if self._plain[owner] else None

    def _self_name(self, function) -> str:
        positional = list(function.args.posonlyargs) + list(function.args.args)
        return positional[0].arg

    def _enclosing_method(self, node) -> Optional[ast.AST]:
        """The plain-class method whose body holds `node` directly (no nested def between)."""
        for parent in self.index.ancestors(node):
            if isinstance(parent, FUNCTION_NODES):
                return parent if self.plain_class_of(parent) is not None else None
        return None

    def _is_self(self, expr) -> Optional[ast.ClassDef]:
        """The plain class when `expr` is the `self` parameter of one of its methods (read in
        that method's own body, not rebound there)."""
        if not isinstance(expr, ast.Name):
            return None
        owner, bindings = self.index.lookup(expr.id, self.index.scope_at(expr))
        if len(bindings) != 1 or bindings[0].kind != "param":
            return None  # not a parameter, or rebound
        function = self.index.parents.get(self.index.parents.get(bindings[0].node))
        if owner is None or owner.node is not function:
            return None  # a parameter of an enclosing function (a closure)
        positional = list(function.args.posonlyargs) + list(function.args.args) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
        if not positional or positional[0] is not bindings[0].node:
            return None
        return self.plain_class_of(function)

    def method_calls(self, function) -> list:
        """`self.name(...)` calls of this method from methods of its own class."""
        cls = self.plain_class_of(function)
        if cls is None:
            return []
        if self._method_calls is None:
            self._method_calls = {}
            for call in self.index.nodes(ast.Call):
                func = call.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    owner = self._is_self(func.value)
                    if owner is not None:
                        self._method_calls.setdefault((owner, func.attr), []).append(call)
        return self._method_calls.get((cls, function.name), [])

    def self_attribute(self, expr: ast.Attribute):
        """The value of `self.attr` in a plain class's method (None: not such an expression).
        A method of the class is a function; otherwise every `self.attr = ...` of the class
        must give the same kind of value."""
        if not isinstance(expr.ctx, ast.Load):
            return None
        cls = self._is_self(expr.value)
        if cls is None:
            return None
        from keraslint.analysis import values as V

        methods = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == expr.attr]
        assignments = self._assignments(cls).get(expr.attr, [])
        if methods:
            return V.Value(V.FUNCTION, origin=methods[-1]) if len(methods) == 1 and not assignments else V.UNKNOWN_VALUE
        if not assignments:
            return V.UNKNOWN_VALUE
        return V._agreement([self.values.of(value) for value in assignments])

    def _assignments(self, cls) -> dict:
        """attr -> the value expressions of `self.attr = value` in the class's methods (an
        augmented or unpacking assignment makes the attribute unknown: None among them)."""
        if cls not in self._self_assignments:
            found: dict = {}
            for node in ast.walk(cls):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and self._is_self(node.value) is cls:
                    parent = self.index.parents.get(node)
                    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is not None and node in _targets(parent):
                        found.setdefault(node.attr, []).append(parent.value)
                    else:
                        found.setdefault(node.attr, []).append(ast.Constant(value=None))  # unknown
            self._self_assignments[cls] = found
        return self._self_assignments[cls]

    # -- helpers ----------------------------------------------------------------------------
    def makes_tensors(self, helper) -> bool:
        """The helper's body makes symbolic tensors without its parameters: an `Input(...)`,
        a model's `.output`, a symbolic `self.attr` or global."""
        if helper not in self._makes:
            self._makes[helper] = False  # recursion guard
            self._makes[helper] = self._makes_tensors(helper)
        return self._makes[helper]

    def _makes_tensors(self, helper) -> bool:
        for node in ast.walk(helper):
            if isinstance(node, ast.Call) and self.names.path(node.func) == "keras.Input":
                return True
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                if node.attr in _OUTPUT_ATTRS:
                    return True
                if self._is_self(node.value) is not None and self.values.forward(node).kind == "symbolic":
                    return True
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                owner, bindings = self.index.lookup(node.id, self.index.scope_at(node))
                if owner is not None and owner.node is not helper and not isinstance(owner.node, FUNCTION_NODES + (ast.ClassDef,)):
                    if any(b.kind == "assign" for b in bindings) and self.values.forward(node).kind == "symbolic":
                        return True  # a module-level tensor
        return False

    # -- backward evidence ------------------------------------------------------------------
    def proves_symbolic(self, expr: ast.AST) -> bool:
        evidence = self._compute_evidence()
        if id(expr) in evidence:
            return True
        if isinstance(expr, ast.Name) and isinstance(expr.ctx, ast.Load):
            bindings = self.values.name_bindings(expr)
            return bool(bindings) and all(id(b.node) in self._proven_bindings for b in bindings)
        return False

    def _compute_evidence(self) -> Set[int]:
        if self._evidence is not None:
            return self._evidence
        self._evidence = evidence = set()
        seeds = []
        for call in self.index.nodes(ast.Call):
            seeds.extend(self._seeds(call))
        for seed in seeds:
            if len(evidence) >= MAX_EVIDENCE:
                break
            found, bindings = self._walk_back(seed, evidence)
            if found is not None:
                evidence.update(found)
                self._proven_bindings.update(bindings)
        return evidence

    def _walk_back(self, seed, known: Set[int]):
        """The nodes one seed proves symbolic, and the bindings among them; (None, None) when
        the walk meets plain data fed to a layer or an op (`Dense(2)(np.ones(...))` runs
        eagerly: whatever that seed reached is not a graph tensor)."""
        found: Set[int] = set()
        bindings: Set[int] = set()
        todo = [seed]
        while todo:
            node = todo.pop()
            if id(node) in found or id(node) in known:
                continue
            if isinstance(node, ast.Name) and not self._local_assignment(node):
                continue  # a parameter, a global, a loop variable: comes from elsewhere, stays unknown
            found.add(id(node))
            if isinstance(node, (ast.List, ast.Tuple)):
                todo.extend(e.value if isinstance(e, ast.Starred) else e for e in node.elts)
            elif isinstance(node, ast.Name):
                values = self._assigned_from(node, bindings)
                todo.extend(values)
            elif isinstance(node, ast.Subscript):
                todo.append(node.value)
            elif isinstance(node, ast.UnaryOp):
                todo.append(node.operand)
            elif isinstance(node, ast.BinOp):
                sides = [side for side in (node.left, node.right) if not self._is_data(side)]
                if not sides:
                    return None, None
                if len(sides) == 1:
                    todo.append(sides[0])
            elif isinstance(node, ast.Call):
                inputs = self._call_inputs(node, self.values.forward)
                if inputs is _DATA:
                    return None, None
                todo.extend(inputs)
        return found, bindings

    def _seeds(self, call: ast.Call) -> list:
        func = call.func
        if isinstance(func, ast.Call):
            word = _last_word(func.func)
            if word is None or not word[:1].isupper():
                return []  # cheap test first: `Conv2D(...)(t)`, `Add()([...])`
        else:
            word = _last_word(func) or ""
            if not (word[:1].isupper() or word in _MERGE_FUNCTIONS):
                return []  # `Model(...)` (also under another name), `layers.add([...])`
        path = self.names.path(func)
        if path == "keras.Model":
            found = list(call.args[:2]) + [k.value for k in call.keywords if k.arg in ("inputs", "outputs")]
            return [n for n in found if not isinstance(n, ast.Constant)]
        merge = None
        if isinstance(func, ast.Call):
            inner = self.names.path(func.func) or ""
            if inner.startswith("keras.layers.") and inner[len("keras.layers."):] in _MERGE:
                merge = call.args[0] if call.args else None
            elif _is_layer_class(inner) and call.args and not isinstance(call.args[0], ast.Starred) and self._builder_code(call):
                # `Conv2D(8, 3)(t)`, `Concatenate()([a, b])`: a layer made to be wired into a graph here
                if isinstance(call.args[0], (ast.List, ast.Tuple)):
                    elements = [e for e in call.args[0].elts if not isinstance(e, ast.Starred)]
                    tensors = [e for e in elements if not self._is_data(e)]
                    return tensors if len(tensors) == len(elements) else []
                if not self._is_data(call.args[0]):
                    return [call.args[0]]
        elif path and path.startswith("keras.layers.") and path[len("keras.layers."):] in _MERGE_FUNCTIONS:
            merge = call.args[0] if call.args else None
        if isinstance(merge, (ast.List, ast.Tuple)):
            forward = [self.values.forward(e) for e in merge.elts]
            if any(v.kind == "symbolic" for v in forward):
                return [e for e, v in zip(merge.elts, forward) if v.kind not in ("symbolic", "raw", "imported", "function")
                        and not isinstance(e, (ast.Constant, ast.Starred))]
        return []

    def _local_assignment(self, name: ast.Name) -> bool:
        bindings = self.values.name_bindings(name)
        scope = self.index.scope_at(name)
        return bool(bindings) and all(b.kind == "assign" and self.index.scope_at(b.node) is scope for b in bindings)

    def _builder_code(self, node) -> bool:
        """`node` runs as model-building code: at module level, or in a function this file
        calls directly (a `def` never called here may be a Lambda's or a map's function)."""
        function = next((p for p in self.index.ancestors(node) if isinstance(p, FUNCTION_NODES)), None)
        if function is None:
            return True
        if isinstance(function, ast.Lambda):
            return False
        if self.values.direct_call_sites(function):
            return True
        # called from other files: a builder when everything it returns comes out of a layer
        # (a Lambda's or a map's function returns what its ops compute)
        if function not in self._builders:
            returns = [r.value for r in own_returns(function) if r.value is not None]
            self._builders[function] = bool(returns) and all(self._layer_output(value) for value in returns)
        return self._builders[function]

    def _layer_output(self, expr) -> bool:
        if isinstance(expr, ast.BinOp):
            # `(1 - gate) * x + gate * y` with `gate` a layer's output: computed from that output
            return self._layer_output(expr.left) or self._layer_output(expr.right)
        if isinstance(expr, ast.UnaryOp):
            return self._layer_output(expr.operand)
        if isinstance(expr, ast.Name):
            bindings = self.values.name_bindings(expr)
            statements = [self.index.parents.get(b.node) for b in bindings if b.kind == "assign"]
            return bool(bindings) and len(statements) == len(bindings) and all(
                isinstance(s, ast.Assign) and len(s.targets) == 1 and s.targets[0] is b.node and self._layer_output(s.value)
                for s, b in zip(statements, bindings))
        if not isinstance(expr, ast.Call):
            return False
        if isinstance(expr.func, ast.Call):
            return _is_layer_class(self.names.path(expr.func.func) or "")
        path = self.names.path(expr.func) or ""
        return path.startswith("keras.layers.") and path[len("keras.layers."):] in _MERGE_FUNCTIONS

    def _assigned_from(self, name: ast.Name, proven: Set[int]) -> list:
        """The value expressions that give this use of a name its value, in its own scope."""
        found = []
        scope = self.index.scope_at(name)
        for binding in self.values.name_bindings(name):
            if binding.kind != "assign" or self.index.scope_at(binding.node) is not scope:
                continue
            parent = self.index.parents.get(binding.node)
            if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is not None:
                if binding.node in _targets(parent):
                    proven.add(id(binding.node))
                    found.append(parent.value)
        return found

    def _call_inputs(self, call: ast.Call, forward) -> list:
        """What a call proven symbolic must have been given a symbolic tensor through."""
        func = call.func
        if isinstance(func, ast.Call):  # Dense(8)(x): a layer made and called at once
            path = self.names.path(func.func) or ""
            if path.startswith("keras.layers.") and path.rsplit(".", 1)[1][:1].isupper():
                return self._layer_inputs(call)
            return []
        callee = forward(func)
        if callee.kind in ("layer", "model"):
            return self._layer_inputs(call)
        if callee.kind == "function" and isinstance(callee.origin, (ast.FunctionDef, ast.AsyncFunctionDef)):
            returns = [r for r in own_returns(callee.origin) if r.value is not None]
            return [returns[0].value] if len(returns) == 1 else []
        path = self.names.path(func) or ""
        if path.split(".", 1)[-1] in _CREATORS:
            return []  # `tf.range(0, n)`, `tf.ones(shape)`: sizes and shapes, not tensors of the graph
        if path.startswith(("tensorflow.", "keras.ops.", "keras.backend.")):
            candidates = list(call.args) + [k.value for k in call.keywords if k.arg in _TENSOR_KEYWORDS]
            tensors = [c for c in candidates if not self._is_data(c)]
            if call.args and not tensors:
                return _DATA  # an op on plain data
            if len(tensors) == 1 and not isinstance(tensors[0], ast.Starred):
                return tensors
        return []

    def _layer_inputs(self, call: ast.Call):
        if call.args and not isinstance(call.args[0], ast.Starred):
            inputs = [call.args[0]]
        else:
            inputs = [k.value for k in call.keywords if k.arg == "inputs"]
        if inputs and self._is_data(inputs[0]):
            return _DATA  # a layer run on plain data: eager
        return inputs

    def _is_data(self, expr) -> bool:
        """A constant, a raw value, a module object or a function: not a tensor of the graph."""
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, (ast.List, ast.Tuple)):
            return all(self._is_data(e) for e in expr.elts)
        return self.values.forward(expr).kind in ("raw", "imported", "function")


def _last_word(func):
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_layer_class(path: str) -> bool:
    return path.startswith("keras.layers.") and path.rsplit(".", 1)[1][:1].isupper() and path not in _NOT_WIRING


_NOT_WIRING = {"keras.layers.Input", "keras.layers.InputLayer", "keras.layers.Layer"}


def _targets(statement) -> list:
    return statement.targets if isinstance(statement, ast.Assign) else [statement.target]
