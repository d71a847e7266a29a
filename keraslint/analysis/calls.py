"""Who calls a helper function, how often, with what, and where its results go.

Rules about helpers that build layers (KER102, KER103) ask the same questions: which calls
of this `def` run in one scope (one model, usually), how many times does each run (a call
inside `[helper(i) for i in inputs]` runs once per input), which argument is the tensor,
which `Input(...)` feeds it and with what declared shape, are the other arguments the same,
and are the results combined into one expression. The answers are computed from the source
only; whatever cannot be proven is reported as unknown and the rules stay silent (or report
without a fix).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from keraslint.analysis import values as V
from keraslint.analysis.scopes import COMPREHENSION_NODES, FUNCTION_NODES, all_args

_MODEL_BOUNDARIES = {"keras.Model", "keras.Sequential"}
_APPENDERS = {"append", "extend", "insert"}
_MUTATORS = _APPENDERS | {"pop", "remove", "clear", "reverse", "sort", "__setitem__", "__iadd__"}
MAX_FLOW = 2000  # nodes visited per flow walk: enough for real build functions

PROVEN, SAME_TEXT = "proven", "same-text"


@dataclass(eq=False)
class Site:
    """One call expression of a helper, and how many times it runs."""

    call: ast.Call
    home: ast.AST  # the function or module whose code runs it (comprehensions looked through)
    statement: ast.stmt  # the statement of `home` that holds it
    comprehension: Optional[ast.AST] = None  # the list comprehension it is the element of
    runs: Optional[list] = None  # per run, the expression the loop variable takes (if known)
    loop: Optional[ast.AST] = None  # the innermost `for`/`while` of `home` around it
    loop_runs: Optional[int] = None  # how often that loop runs, when the source says

    @property
    def variable(self) -> Optional[str]:
        """The loop variable whose values `runs` lists."""
        target = self.comprehension.generators[0].target if self.comprehension is not None else getattr(self.loop, "target", None)
        return target.id if isinstance(target, ast.Name) else None

    @property
    def anchor(self) -> ast.stmt:
        """The statement of its block that code meant to run once, before it, must precede."""
        return self.loop if self.comprehension is None and self.loop is not None else self.statement


@dataclass(eq=False)
class Profile:
    """What a helper's own body does with layers."""

    layers: list = field(default_factory=list)  # keras.layers.X(...) constructor calls
    constant_names: list = field(default_factory=list)  # (constructor call, "the_name")
    other_names: bool = False  # a `name=` that is not a constant string
    calls_parameter: bool = False  # a parameter is called: it receives layers or functions
    builds_model: bool = False  # keras.Model / Sequential / applications inside


@dataclass(eq=False)
class Sharing:
    """Calls of one helper that look like towers meant to share weights."""

    sites: list  # Site, in source order
    runs: int  # how many times the helper runs in total
    tensor_key: tuple  # ("pos", i) or ("kw", name): the argument that gets the tensor
    inputs: list  # the `Input(...)` call feeding each run (first one builds the tower)
    proof: str  # PROVEN (shapes and other arguments provably equal) or SAME_TEXT
    arguments: str = PROVEN  # the same for the other arguments alone
    other_tensors: int = 0  # more tensor arguments (`pair(left, right)`): no one-input tower

    @property
    def lines(self) -> list:
        return sorted({site.call.lineno for site in self.sites})


class Calls:
    def __init__(self, index, names, values):
        self.index = index
        self.names = names
        self.values = values
        self._loads: Optional[Dict[str, list]] = None
        self._flows: dict = {}
        self._uses: dict = {}
        self._profiles: dict = {}
        self._calls_by_function: Optional[dict] = None

    # -- who calls a helper -----------------------------------------------------------------
    def calls_of(self, helper: ast.AST) -> List[ast.Call]:
        return self.values.call_sites(helper)

    def sites(self, helper: ast.AST) -> List[Site]:
        """Calls of `helper` outside its own body, with their home scope and repetitions."""
        return [self._site(call) for call in self.calls_of(helper) if helper not in self.index.ancestors(call)]  # not recursion

    def _site(self, call: ast.Call) -> Site:
        scope = self.index.scope_at(call)
        comprehension = None
        if isinstance(scope.node, COMPREHENSION_NODES):
            comprehension = scope.node
            while isinstance(scope.node, COMPREHENSION_NODES):
                scope = scope.parent
        statement = self.index.statement_of(call)
        site = Site(call, scope.node, statement, comprehension)
        if comprehension is not None:
            site.runs = self._comprehension_runs(comprehension, call)
        for ancestor in self.index.ancestors(statement):
            if ancestor is scope.node:
                break
            if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
                site.loop = ancestor
                if isinstance(ancestor, ast.For):
                    count = _range_count(ancestor.iter, self.names)
                    elements = self.elements(ancestor.iter) if count is None else None
                    site.loop_runs = count if count is not None else (len(elements) if elements is not None else None)
                    if comprehension is None and self.index.parents.get(statement) is ancestor and not ancestor.orelse:
                        site.runs = elements if isinstance(ancestor.target, ast.Name) else None  # for t in ITER: ...
                break
        return site

    def _comprehension_runs(self, comprehension, call) -> Optional[list]:
        """[helper(t) for t in ITER]: the expressions `t` takes, when the list is known."""
        if not isinstance(comprehension, (ast.ListComp, ast.GeneratorExp)) or comprehension.elt is not call:
            return None
        if len(comprehension.generators) != 1 or comprehension.generators[0].ifs:
            return None
        generator = comprehension.generators[0]
        if not isinstance(generator.target, ast.Name):
            return None
        return self.elements(generator.iter)

    def elements(self, expr: ast.AST) -> Optional[list]:
        """The elements of a list known from the source: a literal, or a name bound once to a
        literal or to `[E for _ in range(N)]` (E repeated N times, a new object each time)."""
        if isinstance(expr, ast.Name):
            bindings = self.values.name_bindings(expr)
            if len(bindings) != 1 or self._mutated(bindings[0].node):
                return None  # `views.append(...)` elsewhere: the list is not what its literal says
            expr = self.assigned_expression(expr)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return None if any(isinstance(e, ast.Starred) for e in expr.elts) else list(expr.elts)
        if isinstance(expr, ast.ListComp) and len(expr.generators) == 1 and not expr.generators[0].ifs:
            generator = expr.generators[0]
            count = _range_count(generator.iter, self.names)
            if count is None or _mentions(expr.elt, _target_names(generator.target)):
                return None
            return [expr.elt] * count
        return None

    def _mutated(self, target: ast.AST) -> bool:
        for use in self.uses_of(target) if isinstance(target, ast.Name) else ():
            parent = self.index.parents.get(use)
            if isinstance(parent, ast.Attribute) and parent.attr in _MUTATORS:
                return True
            if isinstance(parent, ast.Subscript) and not isinstance(parent.ctx, ast.Load):
                return True
        return False

    def assigned_expression(self, name: ast.Name) -> Optional[ast.AST]:
        """The right-hand side of the one plain assignment that gives `name` its value here."""
        bindings = self.values.name_bindings(name)
        if len(bindings) != 1 or bindings[0].kind != "assign":
            return None
        statement = self.index.parents.get(bindings[0].node)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and statement.targets[0] is bindings[0].node:
            return statement.value
        return None

    # -- what a helper does -----------------------------------------------------------------
    def profile(self, helper: ast.AST) -> Profile:
        if helper not in self._profiles:
            self._profiles[helper] = self._profile(helper)
        return self._profiles[helper]

    def _own_calls(self) -> dict:
        """Function → the calls in its own body (comprehensions included, nested defs and
        classes not), from the index in one pass instead of a walk per function."""
        if self._calls_by_function is None:
            self._calls_by_function = {}
            for call in self.index.nodes(ast.Call):
                scope = self.index.scope_at(call)
                while scope is not None and scope.kind == "comprehension":
                    scope = scope.parent
                if scope is not None and scope.kind == "function":
                    self._calls_by_function.setdefault(scope.node, []).append(call)
        return self._calls_by_function

    def _profile(self, helper: ast.AST) -> Profile:
        profile = Profile()
        parameters = {a.arg for a in all_args(helper.args)}
        for node in self._own_calls().get(helper, ()):
            path = self.names.path(node.func)
            if isinstance(node.func, ast.Name) and node.func.id in parameters:
                profile.calls_parameter = True
            if path in _MODEL_BOUNDARIES or (path or "").startswith(("keras.applications.", "keras.models.")):
                profile.builds_model = True
            if not (path or "").startswith("keras.layers.") or not path.rsplit(".", 1)[1][:1].isupper():
                continue
            profile.layers.append(node)
            for keyword in node.keywords:
                if keyword.arg == "name":
                    if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                        if self._guarded_by_parameter(node, helper, parameters):
                            continue  # `if block_id == 0: Conv2D(name="stem")`: made on one call only
                        profile.constant_names.append((node, keyword.value.value))
                    elif not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
                        profile.other_names = True
        profile.layers.sort(key=_position)
        profile.constant_names.sort(key=lambda pair: _position(pair[0]))
        return profile

    def _guarded_by_parameter(self, node, helper, parameters) -> bool:
        """`node` runs only when a test on one of the helper's parameters holds."""
        for parent in self.index.ancestors(node):
            if parent is helper:
                return False
            if isinstance(parent, (ast.If, ast.IfExp, ast.While)) and _mentions(parent.test, parameters):
                return True
        return False

    # -- where results go -------------------------------------------------------------------
    def flow(self, start: ast.AST) -> set:
        """Expressions the value of `start` flows into: its enclosing expressions, and through
        plain assignments and `list.append` the later uses of those names (same scope). The
        walk stops at `keras.Model(...)`/`Sequential(...)`: a sub-model is its own graph."""
        if start in self._flows:
            return self._flows[start]
        result, seen, todo = set(), set(), [start]
        while todo and len(seen) < MAX_FLOW:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            current, parent = node, self.index.parents.get(node)
            while parent is not None and not isinstance(parent, ast.stmt):
                if isinstance(parent, (*FUNCTION_NODES, ast.Attribute)) or self._is_boundary(parent):
                    parent = None  # a method or attribute of it (`m.predict(...)`) is another value
                    break
                if isinstance(parent, ast.Call) and current is not parent.func and _appends(parent):
                    todo.extend(self._later_uses(parent.func.value, parent))
                result.add(parent)
                current, parent = parent, self.index.parents.get(parent)
            if isinstance(parent, (ast.Assign, ast.AnnAssign)) and current is parent.value:
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            todo.extend(self.uses_of(name))
        self._flows[start] = result
        return result

    def _is_boundary(self, node) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            return True
        return self.names.path(node.func) in _MODEL_BOUNDARIES

    def _loads_named(self, name: str) -> list:
        if self._loads is None:
            self._loads = {}
            for node in self.index.nodes(ast.Name):
                if isinstance(node.ctx, ast.Load):
                    self._loads.setdefault(node.id, []).append(node)
        return self._loads.get(name, [])

    def uses_of(self, target: ast.Name) -> list:
        """Loads of the name that `target` (a store) binds, which see that binding."""
        if target not in self._uses:
            loads = self._loads_named(target.id)
            self._uses[target] = [use for use in loads if any(b.node is target for b in self.values.name_bindings(use))]
        return self._uses[target]

    def _later_uses(self, container, call) -> list:
        if not isinstance(container, ast.Name):
            return []
        bindings = self.values.name_bindings(container)
        after = (call.lineno, call.col_offset)
        return [
            use for use in self._loads_named(container.id)
            if (use.lineno, use.col_offset) > after and self.values.name_bindings(use) == bindings
        ]

    def combined(self, sites: List[Site]) -> bool:
        """The runs' results meet in one call or arithmetic expression (a Merge layer, a
        distance, a list passed on)."""
        if len(sites) == 1:
            site = sites[0]
            if site.comprehension is not None:
                return any(isinstance(n, ast.Call) for n in self.flow(site.comprehension))
            if site.loop is not None:  # collected in the loop, passed on after it
                return any(isinstance(n, ast.Call) and site.loop not in set(self.index.ancestors(n)) for n in self.flow(site.call))
            return False
        if any(site.comprehension is not None or site.loop is not None for site in sites):
            return False
        common = set.intersection(*(self.flow(site.call) for site in sites))
        return any(isinstance(n, (ast.Call, ast.BinOp)) for n in common)

    def chained(self, sites: List[Site]) -> bool:
        """One run's result feeds another run (`x = block(x); x = block(x)`)."""
        calls = {site.call for site in sites}
        return any(calls & (self.flow(site.call) - {site.call}) for site in sites)

    def loop_feeds_itself(self, site: Site) -> bool:
        """A call in a loop whose runs end up in one graph: `x = helper(x)` (each run feeds
        the next) or `outputs.append(helper(t))` (the runs are collected)."""
        parent = self.index.parents.get(site.call)
        if isinstance(parent, ast.Call) and _appends(parent) and site.call in parent.args:
            return True
        statement = site.statement
        if isinstance(statement, ast.Assign) and statement.value is site.call:
            targets = set().union(*(_target_names(t) for t in statement.targets))
            arguments = [*site.call.args, *(k.value for k in site.call.keywords)]
            return any(_mentions(a, targets) for a in arguments)
        return False

    # -- what code inserted before a statement would see ---------------------------------------
    def seen_before(self, name: str, statement: ast.stmt) -> list:
        """The bindings of `name` that code placed just before `statement` would see."""
        scope = self.index.scope_at(statement)
        owner, bindings = self.index.lookup(name, scope)
        if owner is scope:
            before = [b for b in bindings if b.position < (statement.lineno, statement.col_offset)]
            return before[-1:]
        return list(bindings)

    def visible_before(self, name: ast.Name, statement: ast.stmt) -> bool:
        """`name`, copied to just before `statement`, means what it means where it is."""
        seen = self.seen_before(name.id, statement)
        return bool(seen) and seen == self.values.name_bindings(name)

    def defined_before(self, function: ast.AST, statement: ast.stmt) -> bool:
        seen = self.seen_before(function.name, statement)
        return len(seen) == 1 and seen[0].node is function

    # -- towers that should share weights -----------------------------------------------------
    def sharing(self, helper: ast.AST) -> List[Sharing]:
        """Per scope, the calls of `helper` that run it at least twice on distinct `Input`s of
        the same declared shape, with the same other arguments, whose results are combined."""
        groups: Dict[ast.AST, list] = {}
        for site in self.sites(helper):
            groups.setdefault(site.home, []).append(site)
        return [s for s in (self._sharing(sites) for sites in groups.values()) if s is not None]

    def _sharing(self, sites: List[Site]) -> Optional[Sharing]:
        if len(sites) == 1 and sites[0].runs is None:
            return None  # called once
        if len(sites) > 1 and any(site.comprehension is not None for site in sites):
            return None  # mixed forms: not analysed
        if any(site.loop is not None and (len(sites) > 1 or site.comprehension is not None) for site in sites):
            return None  # inside a loop: the runs are not known one by one
        if not all(self._returns_tensors(site.call) for site in sites):
            return None  # the helper does not return a tensor (or a tuple of them) here
        arguments = [_arguments(site.call) for site in sites]
        if any(a is None for a in arguments) or len({tuple(a) for a in arguments}) != 1:
            return None  # starred arguments, or different argument lists
        runs = self._runs(sites, arguments)
        if runs is None or len(runs[1]) < 2:
            return None  # not a tensor from `Input(...)` in every run, or a single run
        tensor_key, inputs, derived, more = runs
        if len(more) == 1 and any(self.values.of(site.call).kind != V.SYMBOLIC for site in sites):
            return None  # a tuple from a one-tensor helper: not analysed
        for _, runs_inputs in more:
            if len({(id(node), number) for node, number in runs_inputs}) != len(runs_inputs):
                return None  # the same tensor twice: identical towers would be pointless
        proof = self._same_arguments(sites, arguments, {key for key, _ in more})
        if proof is None:
            return None  # different per-call arguments: separate towers are intended
        shape_proofs = [self._same_shapes([node for node, _ in runs_inputs]) for _, runs_inputs in more]
        if None in shape_proofs:
            return None  # different (or unknowable) shapes
        shape_proof = _weakest(shape_proofs)
        if not self.combined(sites):
            return None  # results never meet
        # a stem's output has the stem's shape, not the Input's: the tower reads it from the tensor
        overall = PROVEN if proof == shape_proof == PROVEN and not derived else SAME_TEXT
        return Sharing(sites, len(inputs), tensor_key, [node for node, _ in inputs], overall, proof, other_tensors=len(more) - 1)

    def _runs(self, sites, arguments):
        """(tensor argument key, [(Input call, copy number)] per run, whether the tensors are
        a shared stem's outputs, [(key, its runs)] for every tensor argument), or None."""
        if sites[0].runs is not None:
            site = sites[0]
            variable = site.variable
            if variable is None:
                return None
            keys = [k for k, node in arguments[0].items() if isinstance(node, ast.Name) and node.id == variable]
            others = [node for k, node in arguments[0].items() if k not in keys]
            if len(keys) != 1 or any(_mentions(node, {variable}) for node in others):
                return None
            inputs = [self.input_of(element) for element in site.runs]
            if None in inputs:
                return None
            # a call evaluated once per run (`[Input(s) for _ in range(6)]`) is a new tensor each time
            fresh = [(node, run if isinstance(element, ast.Call) else 0) for run, (node, element) in enumerate(zip(inputs, site.runs))]
            return keys[0], fresh, False, [(keys[0], fresh)]
        symbolic = [k for k, node in arguments[0].items() if self.values.of(node).kind == V.SYMBOLIC]
        if not symbolic:
            return None  # no tensor argument
        if len(symbolic) > 1:  # `pair(left, right)`: every tensor argument from its own Inputs
            more = [(key, [self.input_of(args[key]) for args in arguments]) for key in symbolic]
            if any(None in inputs for _, inputs in more):
                return None
            more = [(key, [(node, 0) for node in inputs]) for key, inputs in more]
            return symbolic[0], more[0][1], False, more
        inputs = [self.input_of(args[symbolic[0]]) for args in arguments]
        derived = False
        if None in inputs:  # the outputs of one shared stem on distinct inputs: same shape too
            stems = [self._stem_output(args[symbolic[0]]) for args in arguments]
            if None in stems or len({id(layer) for layer, _ in stems}) != 1:
                return None
            inputs, derived = [source for _, source in stems], True
        runs = [(node, 0) for node in inputs]
        return symbolic[0], runs, derived, [(symbolic[0], runs)]

    def input_of(self, expr: ast.AST) -> Optional[ast.Call]:
        """The `keras.Input(...)` call whose tensor `expr` is."""
        value = self.values.of(expr)
        origin = value.origin
        if value.kind == V.SYMBOLIC and isinstance(origin, ast.Call) and self.names.path(origin.func) == "keras.Input":
            return origin
        return None

    def _returns_tensors(self, call: ast.Call) -> bool:
        value = self.values.of(call)
        if value.kind == V.SYMBOLIC:
            return True
        return value.kind == V.SEQUENCE and bool(value.elements) and all(e.kind == V.SYMBOLIC for e in value.elements)

    def _stem_output(self, expr: ast.AST):
        """(the layer, its `keras.Input(...)` call) when `expr` is one shared layer or model
        called on an `Input` tensor (`stem(left)`, `stem = Dense(8)` bound once), else None."""
        value = self.values.of(expr)
        call = value.origin
        if value.kind != V.SYMBOLIC or not isinstance(call, ast.Call) or len(call.args) != 1 or call.keywords:
            return None
        if not isinstance(call.func, ast.Name):
            return None  # `Dense(8)(x)` makes a new layer each time: nothing is shared
        bindings = self.values.name_bindings(call.func)
        layer = self.values.of(call.func)
        if len(bindings) != 1 or bindings[0].kind != "assign" or layer.kind not in (V.LAYER, V.MODEL):
            return None
        source = self.input_of(call.args[0])
        return None if source is None else (layer.origin, source)

    def _same_arguments(self, sites, arguments, tensor_keys) -> Optional[str]:
        proofs = [PROVEN]
        for key in arguments[0]:
            if key in tensor_keys:
                continue
            nodes = [args[key] for args in arguments]
            if len({ast.dump(n) for n in nodes}) != 1:
                return None
            proofs += [self.compare(nodes[0], other) for other in nodes[1:]]
        return _weakest(proofs)

    def compare(self, first: ast.AST, second: ast.AST) -> Optional[str]:
        """Two expressions with the same text: PROVEN the same value (literals, names that see
        the same single binding, attributes and subscripts of those), SAME_TEXT when something
        may differ (a call, a name bound several times), None when a name sees different
        bindings (`shape` reassigned between the two)."""
        if _literal(first) is not _NOT_LITERAL:
            return PROVEN
        proof = PROVEN
        for a, b in zip(ast.walk(first), ast.walk(second)):
            if isinstance(a, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
                proof = SAME_TEXT
            elif isinstance(a, ast.Name):
                bindings_a, bindings_b = self.values.name_bindings(a), self.values.name_bindings(b)
                if bindings_a != bindings_b:
                    return None
                if len(bindings_a) != 1 or bindings_a[0].kind not in ("assign", "param", "import", "def"):
                    proof = SAME_TEXT
        return proof

    def _same_shapes(self, inputs: List[ast.Call]) -> Optional[str]:
        """How sure it is that every `Input(...)` has the same arguments (except `name=`)."""
        keyed = [_input_arguments(call) for call in inputs]
        if len({tuple(sorted((k, ast.dump(v)) for k, v in args.items())) for args in keyed}) != 1:
            return None
        for node in keyed[0].values():
            if _mentions_loop_variable(node, self.index):
                return None  # the shape changes from one run to the next
        return _weakest([PROVEN] + [self.compare(keyed[0][key], node) for args in keyed[1:] for key, node in args.items()])


def _weakest(proofs) -> Optional[str]:
    if None in proofs:
        return None
    return SAME_TEXT if SAME_TEXT in proofs else PROVEN


# -- small helpers -----------------------------------------------------------------------------
_NOT_LITERAL = object()


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_LITERAL


def _arguments(call: ast.Call) -> Optional[dict]:
    arguments = {}
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return None
        arguments[("pos", position)] = arg
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        arguments[("kw", keyword.arg)] = keyword.value
    return arguments


def _input_arguments(call: ast.Call) -> dict:
    arguments = {("pos", i): arg for i, arg in enumerate(call.args)}
    arguments.update({("kw", k.arg): k.value for k in call.keywords if k.arg != "name"})
    return arguments


def _range_count(expr, names) -> Optional[int]:
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "range":
        if names.index.lookup("range", names.index.scope_at(expr))[1]:
            return None  # a local `range`
        if len(expr.args) == 1 and not expr.keywords:
            count = _literal(expr.args[0])
            if isinstance(count, int) and not isinstance(count, bool):
                return count
    return None


def _target_names(target) -> set:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _mentions(node, names: set) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _mentions_loop_variable(node, index) -> bool:
    for name in ast.walk(node):
        if isinstance(name, ast.Name):
            _, bindings = index.lookup(name.id, index.scope_at(name))
            if any(b.kind == "loop" for b in bindings):
                return True
    return False


def _position(node) -> tuple:
    return (node.lineno, node.col_offset)


def _appends(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in _APPENDERS

