"""What an expression is: a symbolic tensor, a layer, a model, a raw value, or unknown.

The answers follow assignments in the same scope (the last binding before the use), tuple
unpacking, closures and module globals (every binding must agree), lists and dicts filled by
`append`/`d[k] = ...`, and helpers: a parameter is what every call passes, or symbolic when at
least one call passes a symbolic tensor (the value's `site` names that call); a helper's result
is symbolic at a call only when that call passes one (or the helper makes its own tensors).
Methods of plain classes, `self.attr` and backward evidence (a value proven symbolic by where
it goes: `keras.Model(...)`, a layer call) come from `keraslint.analysis.flow`. Cycles (a
helper called in a loop on its own result) are solved by re-running the outermost query while
it proves more. Unknown is a real answer: rules stay silent on it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Optional

from keraslint.analysis.names import Names
from keraslint.analysis.scopes import Binding, TreeIndex, own_returns

SYMBOLIC = "symbolic"  # a KerasTensor: Input, layer/model call, keras.ops on a symbolic tensor
LAYER = "layer"
_MODEL_CLASSES = {"keras.Layer", "keras.Model", "keras.models.Model", "keras.Sequential", "keras.models.Sequential"}
MODEL = "model"
RAW = "raw"  # a constant, array, tensor or variable that is not part of the graph
FUNCTION = "function"  # a def or lambda
IMPORTED = "imported"  # a module or an object bound by an import
SEQUENCE = "sequence"  # a tuple/list whose elements are known one by one
SYMBOLIC_LIST = "symbolic_list"  # a list of symbolic tensors of unknown length ([Input(...) for ...])
UNKNOWN = "unknown"

# raw kinds
ARRAY, TENSOR, VARIABLE, NUMBER, LIST = "array", "tensor", "variable", "number", "list"

_NUMPY_CREATORS = {
    "array", "asarray", "asanyarray", "ascontiguousarray", "ones", "zeros", "full", "empty", "eye",
    "identity", "arange", "linspace", "ones_like", "zeros_like", "full_like", "float32", "float64",
    "random.rand", "random.randn", "random.random", "random.normal", "random.uniform", "load",
}
_TF_TENSOR_CREATORS = {
    "constant", "convert_to_tensor", "ones", "zeros", "fill", "eye", "range", "random.normal",
    "random.uniform", "ones_like", "zeros_like",
}
# numpy functions that do not return host data (objects, None, dtypes, generators)
_NUMPY_NOT_ARRAYS = {
    "random.seed", "random.shuffle", "random.default_rng", "random.RandomState", "random.Generator", "testing",
    "save", "savez", "savez_compressed", "savetxt", "set_printoptions", "printoptions", "errstate", "seterr",
    "dtype", "finfo", "iinfo", "vectorize", "frompyfunc", "memmap",
    "shape", "ndim", "size", "isscalar", "issubdtype", "allclose", "array_equal", "ndarray", "nditer", "ndindex",
}
# TensorFlow ops that keep a constant a constant when every positional argument is one
_TF_TRANSFORMS = {
    "tile", "stack", "concat", "reshape", "cast", "transpose", "expand_dims", "broadcast_to", "linspace",
    "one_hot", "squeeze", "math.sqrt", "sqrt", "exp", "math.exp", "linalg.diag", "meshgrid",
}
_KERAS_RAW_CREATORS = {
    "keras.Variable": VARIABLE,
    "keras.backend.variable": VARIABLE,
    "keras.backend.constant": TENSOR,
    "keras.backend.ones": VARIABLE,
    "keras.backend.zeros": VARIABLE,
    "keras.ops.convert_to_tensor": TENSOR,
    "keras.ops.array": TENSOR,
    "keras.ops.ones": TENSOR,
    "keras.ops.zeros": TENSOR,
    "keras.ops.full": TENSOR,
    "keras.ops.eye": TENSOR,
    "keras.ops.arange": TENSOR,
}
_SHAPE_FROM_FIRST_ARG = {"ones", "zeros", "empty", "full", "fill"}
_SHAPE_FROM_ARGS = {"random.rand", "random.randn"}
_COPIES_SHAPE = {
    "array", "asarray", "asanyarray", "ascontiguousarray", "constant", "convert_to_tensor",
    "ones_like", "zeros_like", "full_like", "float32", "float64",
}
_ARRAY_REDUCTIONS = {"mean", "std", "var", "sum", "min", "max", "prod"}
_MODEL_FACTORIES = {"keras.Model", "keras.Sequential", "keras.models.load_model", "keras.models.clone_model",
                     "keras.saving.load_model", "keras.models.model_from_json", "keras.models.model_from_yaml",
                     "keras.models.model_from_config"}
_OUTPUT_ATTRS = {"output", "input", "outputs", "inputs"}
_MAX_ROUNDS = 4  # passes of the outermost query over cycles
# expressions whose unknown value a later use may prove symbolic (keraslint.analysis.flow)
_EVIDENCE_NODES = (ast.Name, ast.Call, ast.Subscript, ast.Attribute)


@dataclass(frozen=True)
class Value:
    kind: str
    raw_kind: Optional[str] = None
    shape: Optional[tuple] = None  # known shape of a raw value; None when unknown
    elements: tuple = field(default=())  # for SEQUENCE
    origin: Optional[ast.AST] = field(default=None, compare=False)  # expression that made it
    # for a symbolic tensor that is symbolic because a helper's call passes one: that call
    site: Optional[ast.Call] = field(default=None, compare=False)

    @property
    def is_raw(self) -> bool:
        return self.kind == RAW

    @property
    def is_symbolic(self) -> bool:
        return self.kind == SYMBOLIC


UNKNOWN_VALUE = Value(UNKNOWN)


class Values:
    def __init__(self, index: TreeIndex, names: Names):
        self.index = index
        self.names = names
        self._cache: dict = {}
        self._forward_cache: dict = {}
        self._forward_only = False
        self._cuts = 0  # cycles cut so far
        self._provisional: dict = {}
        self._in_progress: set = set()
        self._calls_of: Optional[dict] = None
        self._loads: Optional[dict] = None
        self._flow = None

    # -- public -----------------------------------------------------------------------------
    def of(self, expr: ast.AST) -> Value:
        """What `expr` is: forward (from how it is made), then, when that is unknown, backward
        (a use that proves it symbolic: see keraslint.analysis.flow)."""
        if self._in_progress:
            return self._of(expr)
        # the outermost query: a fixpoint. A cycle (a helper called in a loop on its own
        # result) is cut on the first pass; what that pass proved is kept, and the query runs
        # again while it keeps proving more.
        for _ in range(_MAX_ROUNDS):
            cuts, known = self._cuts, len(self._cache) + len(self._forward_cache)
            value = self._of(expr)
            self._provisional.clear()
            if value.kind != UNKNOWN or self._cuts == cuts or len(self._cache) + len(self._forward_cache) == known:
                break
        return value

    def _of(self, expr: ast.AST) -> Value:
        forward_only = self._forward_only
        cache = self._forward_cache if forward_only else self._cache
        key = (forward_only, id(expr))
        cached = cache.get(id(expr))
        if cached is not None:
            return cached
        if forward_only:
            # backward evidence only ever turns unknown into symbolic: any other answer of
            # the full analysis is the forward answer too
            cached = self._cache.get(id(expr))
            if cached is not None and cached.kind not in (SYMBOLIC, UNKNOWN, SEQUENCE, SYMBOLIC_LIST):
                return cached
        cached = self._provisional.get(key)
        if cached is not None:
            self._cuts += 1  # what is built on it is provisional too
            return cached
        if key in self._in_progress:
            self._cuts += 1
            return UNKNOWN_VALUE  # a cycle (x = f(x) through helpers): give up here
        self._in_progress.add(key)
        cuts = self._cuts
        try:
            value = self._classify(expr)
            if value.kind == UNKNOWN and not forward_only and isinstance(expr, _EVIDENCE_NODES):
                if self.flow.proves_symbolic(expr):
                    value = Value(SYMBOLIC, origin=expr)
        finally:
            self._in_progress.discard(key)
        if value.kind != UNKNOWN or self._cuts == cuts:
            cache[id(expr)] = value
        else:
            # unknown because a cycle was cut: it may be known on the next pass of the
            # outermost query; kept until then, so no expression is analysed twice per pass
            self._provisional[key] = value
        return value

    def forward(self, expr: ast.AST) -> Value:
        """What `expr` is from how it is made only (no backward evidence)."""
        previous, self._forward_only = self._forward_only, True
        try:
            return self.of(expr)
        finally:
            self._forward_only = previous

    @property
    def flow(self):
        if self._flow is None:
            from keraslint.analysis.flow import Flow

            self._flow = Flow(self)
        return self._flow

    def of_binding(self, binding: Binding) -> Value:
        """The value a single binding gives its name."""
        if binding.kind == "import":
            return Value(IMPORTED)
        if binding.kind in ("def",):
            return Value(FUNCTION, origin=binding.node)
        if binding.kind == "param":
            return self._param_value(binding)
        if binding.kind == "loop":
            return self._loop_value(binding.node)
        if binding.kind != "assign":
            return UNKNOWN_VALUE
        return self._assigned_value(binding.node)

    def is_symbolic_like(self, value: Value) -> bool:
        """A symbolic tensor, or a list/tuple that holds one."""
        if value.kind in (SYMBOLIC, SYMBOLIC_LIST):
            return True
        return value.kind == SEQUENCE and any(self.is_symbolic_like(e) for e in value.elements)

    def call_sites(self, function: ast.AST) -> list:
        """Calls of a module-level or nested `def`, by its name, anywhere in the file; for a
        method of a plain class, its `self.method(...)` calls inside that class."""
        direct = self.direct_call_sites(function)
        # `def make_layer(x, block): block(x)` called as `make_layer(x, basic_block)`
        through = [call for call in self._calls_through_parameters if self._names_function(call.func, function)]
        return direct + through if through else direct

    def direct_call_sites(self, function) -> list:
        """Calls of `function` by its own name (or `self.method(...)`): cheap, no values."""
        if self._calls_of is None:
            self._calls_of, self._calls_through_parameters = {}, []
            for call in self.index.nodes(ast.Call):
                if isinstance(call.func, ast.Name):
                    _, bindings = self.index.lookup(call.func.id, self.index.scope_at(call))
                    if len(bindings) == 1 and bindings[0].kind == "def":
                        self._calls_of.setdefault(bindings[0].node, []).append(call)
                    elif len(bindings) == 1 and bindings[0].kind == "param":
                        self._calls_through_parameters.append(call)
        return self._calls_of.get(function) or self.flow.method_calls(function)

    def _names_function(self, name: ast.Name, function) -> bool:
        value = self.of(name)
        return value.kind == FUNCTION and value.origin is function

    def _param_value(self, binding: Binding) -> Value:
        """A parameter's value where every call of its function in the file agrees on it; else
        a symbolic tensor when at least one call passes one (`site` names that call): the
        body then runs on a KerasTensor there. Methods of plain classes count through their
        `self.method(...)` calls."""
        arguments = self.index.parents.get(binding.node)
        function = self.index.parents.get(arguments)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return UNKNOWN_VALUE  # lambda parameters: Keras passes them at run time
        shift = 0
        if isinstance(self.index.parents.get(function), ast.ClassDef):
            if self.flow.plain_class_of(function) is None:
                return UNKNOWN_VALUE  # a Keras class's method, a static/class method: called by others
            positional = list(function.args.posonlyargs) + list(function.args.args)
            if binding.node is positional[0]:
                return UNKNOWN_VALUE  # `self`
            shift = 1
        key = ("param", id(binding.node))
        if key in self._in_progress:
            self._cuts += 1
            return UNKNOWN_VALUE
        self._in_progress.add(key)
        try:
            sites = self.call_sites(function)
            values = [self._argument_value(call, function.args, binding.node, shift) for call in sites]
        finally:
            self._in_progress.discard(key)
        agreed = _agreement(values)
        if agreed.kind != UNKNOWN or not sites:
            return replace(agreed, site=sites[0]) if agreed.kind in (SYMBOLIC, SYMBOLIC_LIST) else agreed
        for call, value in zip(sites, values):
            if value.kind in (SYMBOLIC, SYMBOLIC_LIST):
                return Value(value.kind, origin=binding.node, site=call)
        return UNKNOWN_VALUE

    def _argument_value(self, call: ast.Call, arguments: ast.arguments, parameter: ast.arg, shift: int = 0) -> Value:
        positional = list(arguments.posonlyargs) + list(arguments.args)
        if parameter in positional:
            position = positional.index(parameter) - shift
            if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
                return UNKNOWN_VALUE
            if position < len(call.args):
                return self.of(call.args[position])
        for keyword in call.keywords:
            if keyword.arg == parameter.arg:
                return self.of(keyword.value)
        return UNKNOWN_VALUE  # a default value, *args or **kwargs: not followed

    def _loop_value(self, target: ast.Name) -> Value:
        """`for t in inputs` where every element of `inputs` is symbolic; `zip` is followed."""
        parent = self.index.parents.get(target)
        position = None
        if isinstance(parent, ast.Tuple):
            position = parent.elts.index(target)
            parent = self.index.parents.get(parent)
        if not isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
            return UNKNOWN_VALUE
        iterable = parent.iter
        if position is not None:
            if not (isinstance(iterable, ast.Call) and self.names.path(iterable.func) is None
                    and isinstance(iterable.func, ast.Name) and iterable.func.id == "zip"
                    and position < len(iterable.args)):
                return UNKNOWN_VALUE
            iterable = iterable.args[position]
        source = self.of(iterable)
        if source.kind == SYMBOLIC_LIST:
            return Value(SYMBOLIC, origin=target)
        if source.kind == SEQUENCE and source.elements:
            return _agreement(list(source.elements))
        if source.kind == RAW and source.raw_kind == LIST and isinstance(source.origin, (ast.List, ast.Tuple)):
            return _agreement([self.of(e) for e in source.origin.elts])
        return UNKNOWN_VALUE

    def name_bindings(self, name: ast.Name) -> list:
        """The bindings that can give `name` its value at this use."""
        scope = self.index.scope_at(name)
        owner, bindings = self.index.lookup(name.id, scope)
        if not bindings:
            return []
        if owner is scope and owner.kind == "comprehension":
            return list(bindings)  # `[f(v) for v in vs]`: the target is written after its use
        if owner is scope:
            # same scope: the last binding before this use (straight-line code)
            use = (name.lineno, name.col_offset)
            before = [b for b in bindings if b.position < use and not self._is_inside(name, b)]
            return before[-1:] if before else []
        return list(bindings)  # a closure or global: it runs later, all bindings count

    # -- classification ---------------------------------------------------------------------
    def _classify(self, expr: ast.AST) -> Value:
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool):
                return Value(RAW, NUMBER, (), origin=expr)
            return UNKNOWN_VALUE
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            inner = self.of(expr.operand)
            return Value(inner.kind, inner.raw_kind, inner.shape, origin=expr, site=inner.site) if inner.kind in (RAW, SYMBOLIC) else UNKNOWN_VALUE
        if isinstance(expr, (ast.List, ast.Tuple)):
            return self._sequence(expr)
        if isinstance(expr, ast.Name):
            return self._name(expr)
        if isinstance(expr, ast.Call):
            return self._call(expr)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr)
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr)
        if isinstance(expr, ast.BinOp):
            return self._binop(expr)
        if isinstance(expr, ast.Lambda):
            return Value(FUNCTION, origin=expr)
        if isinstance(expr, ast.ListComp):
            element = self.of(expr.elt)
            return Value(SYMBOLIC_LIST, origin=expr) if self.is_symbolic_like(element) else UNKNOWN_VALUE
        if isinstance(expr, ast.NamedExpr):
            return self.of(expr.value)
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.ops[0], (ast.Lt, ast.Gt, ast.LtE, ast.GtE)):
            # `x > y` on a KerasTensor is `ops.greater(x, y)`: symbolic too
            if SYMBOLIC in (self.of(expr.left).kind, self.of(expr.comparators[0]).kind):
                return Value(SYMBOLIC, origin=expr)
        return UNKNOWN_VALUE

    def _sequence(self, expr) -> Value:
        elements = tuple(self.of(e) for e in expr.elts)
        if elements and all(e.kind == RAW and e.raw_kind in (NUMBER, LIST) for e in elements):
            shapes = {e.shape for e in elements}
            shape = (len(elements),) + shapes.pop() if len(shapes) == 1 and None not in shapes else None
            return Value(RAW, LIST, shape, origin=expr)
        return Value(SEQUENCE, elements=elements, origin=expr)

    def _name(self, name: ast.Name) -> Value:
        bindings = self.name_bindings(name)
        if not bindings:
            return UNKNOWN_VALUE
        values = {self._strip(self.of_binding(b)) for b in bindings}
        if len(values) != 1:
            kinds = {v.kind for v in values}
            if len(kinds) == 1 and kinds.pop() in (SYMBOLIC, LAYER, MODEL):
                return Value(next(iter(values)).kind)
            return UNKNOWN_VALUE
        return self.of_binding(bindings[-1])

    @staticmethod
    def _strip(value: Value) -> Value:
        return Value(value.kind, value.raw_kind, value.shape, value.elements)

    def _assigned_value(self, target: ast.Name) -> Value:
        parents = self.index.parents
        path = []  # positions inside nested tuple targets
        node = target
        parent = parents.get(node)
        while isinstance(parent, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in parent.elts):
                return UNKNOWN_VALUE
            path.append(parent.elts.index(node))
            node, parent = parent, parents.get(parent)
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is not None:
            if not path and _empty_container(parent.value):
                return self._filled_container(target)
            value = self.of(parent.value)
        else:
            return UNKNOWN_VALUE
        for position in reversed(path):
            if value.kind == SYMBOLIC:
                return Value(SYMBOLIC, origin=target, site=value.site)  # `a, b = tf.split(x, 2)`: each piece is symbolic
            if value.kind != SEQUENCE and value.kind == RAW and value.raw_kind == LIST:
                value = self._sequence(value.origin) if isinstance(value.origin, (ast.List, ast.Tuple)) else UNKNOWN_VALUE
            if value.kind != SEQUENCE or position >= len(value.elements):
                return UNKNOWN_VALUE
            value = value.elements[position]
        return value

    def _filled_container(self, target: ast.Name) -> Value:
        """`outs = []` then `outs.append(t)` / `d = {}` then `d[k] = t`: a list of symbolic
        tensors when everything put in it (in the same scope) is one."""
        stored = []
        for use in self._loads_of(target):
            parent = self.index.parents.get(use)
            grand = self.index.parents.get(parent)
            if isinstance(parent, ast.Attribute) and isinstance(grand, ast.Call) and grand.func is parent:
                if parent.attr in ("append", "extend") and len(grand.args) == 1:
                    stored.append(self.of(grand.args[0]))
                elif parent.attr == "insert" and len(grand.args) == 2:
                    stored.append(self.of(grand.args[1]))
            elif isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
                statement = self.index.parents.get(parent)
                if isinstance(statement, ast.Assign) and parent in statement.targets:
                    stored.append(self.of(statement.value))
                else:
                    return UNKNOWN_VALUE
        if stored and all(self.is_symbolic_like(v) for v in stored):
            return Value(SYMBOLIC_LIST, origin=target)
        return UNKNOWN_VALUE if stored else self.of(self.index.parents.get(target).value)

    def _loads_of(self, target: ast.Name) -> list:
        """Loads of the name `target` binds that see that binding (same scope)."""
        if self._loads is None:
            self._loads = {}
            for node in self.index.nodes(ast.Name):
                if isinstance(node.ctx, ast.Load):
                    self._loads.setdefault(node.id, []).append(node)
        scope = self.index.scope_at(target)
        return [use for use in self._loads.get(target.id, ())
                if self.index.scope_at(use) is scope and any(b.node is target for b in self.name_bindings(use))]

    def _call(self, call: ast.Call) -> Value:
        func = call.func
        path = self.names.path(func)
        if path is not None:
            return self._library_call(call, path)
        if isinstance(func, ast.Name) and self._layer_class(func):
            return Value(LAYER, origin=call)  # `Gate(8)`: an instance of this file's Layer subclass
        callee = self.of(func)
        if callee.kind in (LAYER, MODEL):
            # symbolic only when fed a symbolic tensor: `model(images)` on data is eager
            return self._symbolic_call(call)
        if callee.kind == FUNCTION and isinstance(callee.origin, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._helper_result(callee.origin, call)
        if isinstance(func, ast.Attribute):
            return self._method_call(call, func)
        return UNKNOWN_VALUE

    def _layer_class(self, name: ast.Name) -> bool:
        """`name` is a class of this file deriving from a Keras layer or model (its only binding)."""
        _, bindings = self.index.lookup(name.id, self.index.scope_at(name))
        return len(bindings) == 1 and bindings[0].kind == "class" and self._derives_from_layer(bindings[0].node, set())

    def _derives_from_layer(self, cls: ast.ClassDef, seen: set) -> bool:
        if id(cls) in seen:
            return False
        seen.add(id(cls))
        for base in cls.bases:
            path = self.names.path(base)
            if path and (path.startswith("keras.layers.") or path in _MODEL_CLASSES):
                return True
            if path is None and isinstance(base, ast.Name):
                _, bindings = self.index.lookup(base.id, self.index.scope_at(base))
                if len(bindings) == 1 and bindings[0].kind == "class" and self._derives_from_layer(bindings[0].node, seen):
                    return True
        return False

    def _library_call(self, call: ast.Call, path: str) -> Value:
        if path == "keras.Input":
            return Value(SYMBOLIC, origin=call)
        if path in _MODEL_FACTORIES or path.startswith("keras.applications."):
            return Value(MODEL, origin=call)
        if path in _KERAS_RAW_CREATORS and not self._any_symbolic(call):
            return Value(RAW, _KERAS_RAW_CREATORS[path], self._raw_shape(call, path.rsplit(".", 1)[1]), origin=call)
        if path.startswith("keras.layers.") and path.rsplit(".", 1)[1][:1].isupper():
            return Value(LAYER, origin=call)
        if path.startswith(("keras.ops.", "keras.backend.", "keras.activations.")):
            return self._symbolic_call(call)
        if path.startswith("numpy."):
            short = path[len("numpy."):]
            if short in _NUMPY_CREATORS:
                return Value(RAW, ARRAY, self._raw_shape(call, short), origin=call)
            if short.split(".")[0] in _NUMPY_NOT_ARRAYS or short in _NUMPY_NOT_ARRAYS or self._any_symbolic(call):
                return UNKNOWN_VALUE
            return Value(RAW, ARRAY, None, origin=call)  # np.stack, np.broadcast_to, np.dot...: host data
        if path.startswith("tensorflow."):
            short = path[len("tensorflow."):]
            if short == "Variable":
                return Value(RAW, VARIABLE, self._raw_shape(call, "Variable"), origin=call)
            if short in _TF_TENSOR_CREATORS and not self._any_symbolic(call):
                return Value(RAW, TENSOR, self._raw_shape(call, short), origin=call)
            if short in _TF_TRANSFORMS and call.args and all(self.of(a).kind == RAW for a in call.args):
                return Value(RAW, TENSOR, None, origin=call)  # tf.tile(constant, ...): still a constant
            return self._symbolic_call(call)
        return UNKNOWN_VALUE

    def _symbolic_call(self, call: ast.Call) -> Value:
        """Symbolic when an argument is; it keeps the helper call site that made it so."""
        for argument in list(call.args) + [k.value for k in call.keywords]:
            value = self.of(argument)
            if self.is_symbolic_like(value):
                return Value(SYMBOLIC, origin=call, site=_site_of(value))
        return UNKNOWN_VALUE

    def _any_symbolic(self, call: ast.Call) -> bool:
        return any(self.is_symbolic_like(self.of(arg)) for arg in list(call.args) + [k.value for k in call.keywords])

    def _method_call(self, call: ast.Call, func: ast.Attribute) -> Value:
        owner = self.of(func.value)
        if owner.kind == MODEL and func.attr == "get_layer":
            return Value(LAYER, origin=call)
        if owner.kind == RAW and owner.raw_kind == ARRAY and func.attr in _ARRAY_REDUCTIONS:
            return Value(RAW, ARRAY, None, origin=call)  # data.mean(axis=0): still an array
        if owner.kind == RAW and func.attr in ("reshape", "astype", "copy"):
            shape = _int_tuple(call.args) if func.attr == "reshape" else owner.shape
            if func.attr == "reshape" and shape and -1 in shape:
                shape = None
            return Value(RAW, owner.raw_kind if owner.raw_kind != LIST else ARRAY, shape, origin=call)
        return UNKNOWN_VALUE

    def _helper_result(self, helper: ast.AST, call: ast.Call) -> Value:
        key = ("helper", id(helper))
        if key in self._in_progress:
            self._cuts += 1
            return UNKNOWN_VALUE  # recursion
        self._in_progress.add(key)
        try:
            results = [self.of(r.value) for r in own_returns(helper) if r.value is not None]
        finally:
            self._in_progress.discard(key)
        if results and all(r.kind == SYMBOLIC for r in results):
            if not self._any_symbolic(call) and not self.flow.makes_tensors(helper):
                return UNKNOWN_VALUE  # symbolic only through its parameters, and this call passes none
            return Value(SYMBOLIC, origin=call, site=self._symbolic_call(call).site)
        if len(results) == 1 and results[0].kind in (SEQUENCE, LAYER, MODEL):
            return results[0]
        if len(results) > 1 and len({r.kind for r in results}) == 1 and results[0].kind in (LAYER, MODEL):
            return Value(results[0].kind, origin=call)  # `load_model(...)` or `model_from_json(...)`: a model either way
        if results and all(r.kind == RAW and r.raw_kind in (ARRAY, TENSOR) for r in results):
            # `def gains(n): return np.geomspace(1, 8, n)`: data, of a shape the call decides
            return Value(RAW, results[0].raw_kind if len({r.raw_kind for r in results}) == 1 else ARRAY, None, origin=call)
        return UNKNOWN_VALUE

    def _attribute(self, expr: ast.Attribute) -> Value:
        own = self.flow.self_attribute(expr)
        if own is not None:
            return own  # `self.x` in a plain class: what its `self.x = ...` bindings agree on
        if expr.attr in _OUTPUT_ATTRS:
            owner = self.of(expr.value)
            if owner.kind in (MODEL, LAYER):
                return Value(SYMBOLIC, origin=expr)
        path = self.names.path(expr)
        if path is not None:
            return Value(IMPORTED)
        return UNKNOWN_VALUE

    def _subscript(self, expr: ast.Subscript) -> Value:
        owner = self.of(expr.value)
        if owner.kind == SYMBOLIC:
            return Value(SYMBOLIC, origin=expr, site=owner.site)
        if owner.kind == RAW:
            return Value(RAW, owner.raw_kind if owner.raw_kind != LIST else LIST, None, origin=expr)
        if owner.kind == SYMBOLIC_LIST:
            return Value(SYMBOLIC, origin=expr)
        if owner.kind == SEQUENCE:
            index = expr.slice
            if isinstance(index, ast.Constant) and isinstance(index.value, int) and -len(owner.elements) <= index.value < len(owner.elements):
                return owner.elements[index.value]
            if owner.elements and all(e.kind == SYMBOLIC for e in owner.elements):
                return Value(SYMBOLIC, origin=expr)
            return UNKNOWN_VALUE
        # model.layers[i] is a layer; model.outputs[i] is symbolic (handled via _attribute)
        if isinstance(expr.value, ast.Attribute) and expr.value.attr == "layers":
            if self.of(expr.value.value).kind == MODEL:
                return Value(LAYER, origin=expr)
        return UNKNOWN_VALUE

    def _binop(self, expr: ast.BinOp) -> Value:
        left, right = self.of(expr.left), self.of(expr.right)
        if SYMBOLIC in (left.kind, right.kind):
            return Value(SYMBOLIC, origin=expr, site=left.site or right.site)
        if left.kind == RAW and right.kind == RAW:
            if left.raw_kind == LIST or right.raw_kind == LIST:
                return UNKNOWN_VALUE  # list + list concatenates, list * n repeats
            kinds = {left.raw_kind, right.raw_kind}
            raw_kind = next((k for k in (VARIABLE, TENSOR, ARRAY) if k in kinds), NUMBER)
            shape = _broadcast(left.shape, right.shape)
            return Value(RAW, raw_kind, shape, origin=expr)
        return UNKNOWN_VALUE

    def _raw_shape(self, call: ast.Call, short: str) -> Optional[tuple]:
        if short in _COPIES_SHAPE or short in ("Variable", "variable", "constant", "array", "convert_to_tensor"):
            if call.args:
                source = self.of(call.args[0])
                shape_kw = _keyword(call, "shape")
                if shape_kw is not None:
                    return _int_tuple([shape_kw])
                return source.shape if source.kind == RAW else None
            return None
        if short in _SHAPE_FROM_FIRST_ARG:
            first = call.args[0] if call.args else _keyword(call, "shape") or _keyword(call, "dims")
            return _int_tuple([first]) if first is not None else None
        if short in _SHAPE_FROM_ARGS:
            return _int_tuple(call.args)
        return None

    def _is_inside(self, use: ast.AST, binding: Binding) -> bool:
        # `x = f(x)`: the use on the right is not bound by its own assignment
        stmt = self.index.statement_of(binding.node)
        return stmt is not None and stmt is self.index.statement_of(use)


def _empty_container(node) -> bool:
    return (isinstance(node, ast.List) and not node.elts) or (isinstance(node, ast.Dict) and not node.keys)


def _site_of(value: Value):
    if value.site is not None or value.kind != SEQUENCE:
        return value.site
    return next((e.site for e in value.elements if e.site is not None), None)


def _agreement(values) -> Value:
    """The value every candidate agrees on, else unknown (also when there is none)."""
    if not values:
        return UNKNOWN_VALUE
    stripped = {Value(v.kind, v.raw_kind, v.shape, v.elements) for v in values}
    if len(stripped) == 1:
        return values[0]
    kinds = {v.kind for v in values}
    if len(kinds) == 1 and next(iter(kinds)) in (SYMBOLIC, LAYER, MODEL):
        return Value(next(iter(kinds)))
    return UNKNOWN_VALUE



def _keyword(call: ast.Call, name: str) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _int_tuple(nodes) -> Optional[tuple]:
    """(1, 4) from `(1, 4)`, `[1, 4]`, `4` or the arguments `1, 4`; None if not literal ints."""
    items = []
    for node in nodes:
        if isinstance(node, (ast.Tuple, ast.List)):
            inner = _int_tuple(node.elts)
            if inner is None:
                return None
            items.extend(inner)
        elif isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            items.append(node.value)
        else:
            return None
    return tuple(items)


def _broadcast(a: Optional[tuple], b: Optional[tuple]) -> Optional[tuple]:
    if a is None or b is None:
        return None
    if a == ():
        return b
    if b == ():
        return a
    return a if a == b else None
