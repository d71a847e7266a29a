"""The rule registry: one module per rule, listed here once.

A rule module defines CODE, NAME, MESSAGE, FIX_TITLE (or None), NODE_TYPES (the ast node
classes it looks at), TRIGGERS (words one of which the file must contain for the rule to have
anything to find), DEFAULT_ENABLED, a ruff-style docstring and `check(node, ctx)` yielding
Violations. Rules never open files, read configuration or print.
"""

from keraslint.rules import merge_raw_operand
from keraslint.rules import lambda_captures_value, lambda_late_binding, lambda_returns_function, lambda_names_module_object
from keraslint.rules import lambda_reads_graph_tensor
from keraslint.rules import tf_op_on_symbolic_tensor
from keraslint.rules import removed_backend_function
from keraslint.rules import removed_keras_import
from keraslint.rules import mixed_keras_flavors
from keraslint.rules import helper_recreates_layers
from keraslint.rules import helper_constant_layer_name
from keraslint.rules import clone_model_without_weights
from keraslint.rules import sequential_add_result

ALL_RULES = [
    merge_raw_operand,
    lambda_captures_value,
    lambda_late_binding,
    lambda_returns_function,
    lambda_names_module_object,
    lambda_reads_graph_tensor,
    tf_op_on_symbolic_tensor,
    removed_backend_function,
    removed_keras_import,
    mixed_keras_flavors,
    helper_recreates_layers,
    helper_constant_layer_name,
    clone_model_without_weights,
    sequential_add_result,
]

RULES_BY_CODE = {rule.CODE: rule for rule in ALL_RULES}
DEFAULT_CODES = frozenset(rule.CODE for rule in ALL_RULES if getattr(rule, "DEFAULT_ENABLED", True))
