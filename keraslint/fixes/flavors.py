"""KER106's fixes: objects of the file's minority Keras implementation are taken from its main
one, by rewriting the import that brings them (`from tf_keras.layers import Dense` →
`from keras.layers import Dense`) or, where no import maps one to one, the use itself
(`tf_keras.layers.Dense` → `keras.layers.Dense`). Only names both packages have under the same
path are rewritten (`COMMON_NAMES`)."""

from __future__ import annotations

import ast
import re

from keraslint.analysis.names import canonical
from keraslint.violations import UNSAFE, AddImport, FixSpec, Replace, Span

# -- the names that exist under both keras and tf_keras (dir() of Keras 3.15.1 ∩ tf_keras 2.21) --
_COMMON_LAYERS = (
    "Activation ActivityRegularization Add AdditiveAttention AlphaDropout Attention Average AveragePooling1D "
    "AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional "
    "CategoryEncoding CenterCrop Concatenate Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D "
    "Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D Convolution1DTranspose Convolution2D "
    "Convolution2DTranspose Convolution3D Convolution3DTranspose Cropping1D Cropping2D Cropping3D Dense "
    "DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense Embedding Flatten GRU GRUCell "
    "GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D "
    "GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D "
    "GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization HashedCrossing Hashing "
    "Identity Input InputLayer IntegerLookup LSTM LSTMCell Lambda Layer LayerNormalization LeakyReLU Masking "
    "MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum Minimum MultiHeadAttention "
    "Multiply Normalization PReLU Permute RNN RandomBrightness RandomContrast RandomCrop RandomFlip "
    "RandomRotation RandomTranslation RandomZoom ReLU RepeatVector Rescaling Reshape Resizing SeparableConv1D "
    "SeparableConv2D SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax "
    "SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells StringLookup "
    "Subtract TextVectorization TimeDistributed UnitNormalization UpSampling1D UpSampling2D UpSampling3D "
    "Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D add average concatenate dot maximum minimum multiply "
    "subtract"
).split()
_COMMON_ACTIVATIONS = "elu exponential gelu hard_sigmoid linear mish relu selu sigmoid softmax softplus softsign swish tanh".split()
_COMMON_INITIALIZERS = (
    "Constant GlorotNormal GlorotUniform HeNormal HeUniform Identity LecunNormal LecunUniform Ones Orthogonal "
    "RandomNormal RandomUniform TruncatedNormal VarianceScaling Zeros"
).split()
_COMMON_REGULARIZERS = "L1 L1L2 L2 l1 l1_l2 l2".split()
COMMON_NAMES = frozenset(
    ["Input", "Model", "Sequential", "models.Model", "models.Sequential"]
    + [f"layers.{n}" for n in _COMMON_LAYERS]
    + [f"activations.{n}" for n in _COMMON_ACTIVATIONS]
    + [f"initializers.{n}" for n in _COMMON_INITIALIZERS]
    + [f"regularizers.{n}" for n in _COMMON_REGULARIZERS]
)
COMMON_MODULES = frozenset({"", "layers", "activations", "initializers", "regularizers", "models"})
BOTH = COMMON_NAMES | COMMON_MODULES


_ROOTS = {"keras": "keras", "tf.keras": "tensorflow.keras", "tf_keras": "tf_keras"}
_FROM_MODULE = re.compile(r"from\s+([A-Za-z_][\w.]*)")


def import_fix(node, side, uses, ctx):
    """Rewrite the import that brings the minority object to the other package."""
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return None
    _, bindings = ctx.index.lookup(root.id, ctx.index.scope_at(root))
    if len(bindings) != 1 or bindings[0].kind != "import":
        return None  # bound more than once, or not by an import
    statement = ctx.index.parents.get(bindings[0].node)
    old, new = ("tf_keras", "keras") if side == "legacy" else ("keras", "tf_keras")
    if side == "keras3" and not any(q.flavor == "tf_keras" for _, q, _ in uses):
        return None  # the main package is tf.keras: no import form maps one to one
    located = _module_span(statement, bindings[0].node, old, ctx)
    if located is None:
        return None
    span, module = located
    if not _maps_one_to_one(statement, module, old, uses, ctx):
        return None  # some name reached through this import does not exist in the other package
    replacement = new + module[len(old):]
    return FixSpec(UNSAFE, f"Import from `{replacement}` instead of `{module}`", (Replace(span, replacement),))


def use_fix(node, qualified, members, main, ctx):
    """Spell this use through the main package when the import cannot be rewritten (a plain
    `import keras`/`import tf_keras`, or a main package the import does not map onto): through
    its module (`tf_keras.layers.Dense` → `keras.layers.Dense`), else the name the file already
    imports from it (`Dense`), else a new `from keras.layers import Dense` next to its kin."""
    flavors = [q.flavor for _, q, side in members if side == main]
    flavor = max(set(flavors), key=flavors.count)
    root = _ROOTS.get(flavor)
    if root is None or not all(q.raw.startswith(root + ".") for _, q, side in members if side == main):
        return None  # the main side is not (only) that package: `tensorflow.python.keras`, a mix
    minority = [q for _, q, side in members if side != main]
    if not all(q.path.startswith("keras.") and q.path[len("keras."):] in COMMON_NAMES for q in minority):
        return None  # a minority object without a counterpart: the model would still mix
    relative = qualified.path[len("keras."):]
    imports = ()
    expression = ctx.names.module_expression(root)
    if expression is not None:
        replacement = f"{expression}.{relative}"
    else:
        replacement = _imported_name(f"keras.{relative}", flavor, node, ctx)
        if replacement is None:
            module, _, name = f"{root}.{relative}".rpartition(".")
            if not ctx.names.is_free(name):
                return None  # the file binds that name to something else
            replacement, imports = name, (AddImport(module, name),)
    title = f"Use `{replacement}` from the file's main Keras package"
    return FixSpec(UNSAFE, title, (Replace(ctx.span(node), replacement), *imports))


def _imported_name(path, flavor, node, ctx):
    """A module-level name the file imports for `path` of the main package, visible at `node`."""
    for name, bindings in ctx.index.module_scope.bindings.items():
        if len(bindings) != 1 or bindings[0].kind != "import":
            continue
        bound = canonical(bindings[0].qualified)
        if bound.path == path and bound.flavor == flavor and ctx.index.lookup(name, ctx.index.scope_at(node))[0] is ctx.index.module_scope:
            return name
    return None


def _module_span(statement, alias, old, ctx):
    """(Span of the module name in the import, the module) when it starts with `old`."""
    if isinstance(statement, ast.Import):
        if alias.asname is None or not (alias.name == old or alias.name.startswith(old + ".")):
            return None  # `import tf_keras` binds the name its uses spell: renaming them is not ours
        line, col = alias.lineno, ctx.char_col(alias.lineno, alias.col_offset)
        if ctx.lines[line - 1][col:col + len(alias.name)] != alias.name:
            return None
        return Span(line, col, line, col + len(alias.name)), alias.name
    if isinstance(statement, ast.ImportFrom) and not statement.level and statement.module:
        module = statement.module
        if not (module == old or module.startswith(old + ".")):
            return None
        line = statement.lineno
        col = ctx.char_col(line, statement.col_offset)
        match = _FROM_MODULE.match(ctx.lines[line - 1], col)
        if match is None or match.group(1) != module:
            return None  # the module name is split over lines or written with spaces
        return Span(line, match.start(1), line, match.end(1)), module
    return None


def _maps_one_to_one(statement, module, old, uses, ctx) -> bool:
    bound = {}
    for alias in statement.names:
        if alias.name == "*":
            return False
        bound[alias.asname or alias.name.split(".")[0]] = alias
    for node, qualified, _ in uses:
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in bound:
            continue
        _, bindings = ctx.index.lookup(root.id, ctx.index.scope_at(root))
        if not bindings or ctx.index.parents.get(bindings[0].node) is not statement:
            continue  # the same name bound by another import elsewhere
        if not qualified.raw.startswith(old + "."):
            return False
        if qualified.raw[len(old) + 1:] not in BOTH:
            return False
    for alias in statement.names if isinstance(statement, ast.ImportFrom) else ():
        relative = f"{module}.{alias.name}"[len(old) + 1:]
        if relative not in BOTH:
            return False
    return True
