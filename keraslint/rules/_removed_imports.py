"""What Keras 3 no longer has, measured against keras 3.15.1 and tf_keras 2.21 (KER303).

`MOVED[old_module]` lists the names a Keras 2 module held that Keras 3 has under another
module (`new_module` for each name). Every row is checked by tests/test_removed_imports.py:
the old import fails on Keras 3, the new one works and names a class or function with the
same name as the object tf_keras has for the old path. `GONE_MODULES` and `GONE_NAMES` have
no Keras 3 counterpart under the same name: they are reported with a hint, never fixed.
The `tensorflow.keras.` spellings fail the same way on Keras 3 (except where `TF_KERAS_OK`).
"""

_LAYERS = "keras.layers"


def _row(module: str, names: str) -> dict:
    return {name: module for name in names.split()}


_ENGINE = {**_row(_LAYERS, "Layer InputSpec Input InputLayer"), **_row("keras.models", "Model Sequential")}
_POOLING = "AveragePooling1D AveragePooling2D AveragePooling3D MaxPooling1D MaxPooling2D MaxPooling3D"

MOVED = {
    "keras.engine": _ENGINE,
    "keras.engine.topology": {**_ENGINE, **_row("keras.utils", "get_source_inputs")},
    "keras.engine.base_layer": _ENGINE,
    "keras.engine.input_layer": _ENGINE,
    "keras.engine.training": _ENGINE,
    "keras.engine.sequential": _ENGINE,
    "keras.engine.functional": _ENGINE,
    "keras.engine.network": _ENGINE,
    "keras.layers.merge": _row(_LAYERS, "Add Subtract Multiply Average Maximum Minimum Concatenate Dot "
                                        "add subtract multiply average maximum minimum concatenate dot"),
    # Keras 2's core.py also imported Layer and InputSpec from the engine
    "keras.layers.core": _row(_LAYERS, "Masking Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D Activation "
                                       "Reshape Permute Flatten RepeatVector Lambda Dense ActivityRegularization "
                                       "Layer InputSpec"),
    "keras.layers.convolutional": _row(_LAYERS, "Conv1D Conv2D Conv3D SeparableConv1D SeparableConv2D DepthwiseConv2D "
                                                "Conv2DTranspose Conv3DTranspose Convolution1D Convolution2D Convolution3D "
                                                "Cropping1D Cropping2D Cropping3D UpSampling1D UpSampling2D UpSampling3D "
                                                "ZeroPadding1D ZeroPadding2D ZeroPadding3D " + _POOLING),  # Keras 2 re-exported pooling
    "keras.layers.recurrent": _row(_LAYERS, "RNN SimpleRNN GRU LSTM SimpleRNNCell GRUCell LSTMCell StackedRNNCells"),
    "keras.layers.normalization": _row(_LAYERS, "BatchNormalization LayerNormalization"),
    "keras.layers.pooling": _row(_LAYERS, " ".join(
        f"{kind}{d}D" for kind in ("MaxPooling", "AveragePooling", "GlobalMaxPooling", "GlobalAveragePooling",
                                   "MaxPool", "AvgPool", "GlobalMaxPool", "GlobalAvgPool") for d in (1, 2, 3))),
    "keras.layers.embeddings": _row(_LAYERS, "Embedding"),
    "keras.layers.advanced_activations": _row(_LAYERS, "LeakyReLU PReLU ELU Softmax ReLU"),
    "keras.layers.wrappers": _row(_LAYERS, "Wrapper TimeDistributed Bidirectional"),
    "keras.layers.noise": _row(_LAYERS, "GaussianNoise GaussianDropout AlphaDropout"),
    "keras.layers.convolutional_recurrent": _row(_LAYERS, "ConvLSTM2D"),
    "keras.layers.experimental.preprocessing": _row(_LAYERS, "Rescaling Normalization Resizing CenterCrop RandomFlip "
                                                             "RandomRotation RandomZoom RandomTranslation RandomContrast "
                                                             "RandomCrop TextVectorization StringLookup IntegerLookup "
                                                             "CategoryEncoding Discretization Hashing"),
    "keras.utils.np_utils": _row("keras.utils", "to_categorical normalize"),
    "keras.utils.generic_utils": _row("keras.utils", "get_custom_objects custom_object_scope CustomObjectScope "
                                                     "serialize_keras_object deserialize_keras_object Progbar"),
    "keras.utils.data_utils": _row("keras.utils", "get_file"),
    "keras.utils.vis_utils": _row("keras.utils", "plot_model model_to_dot"),
    "keras.utils.layer_utils": _row("keras.utils", "get_source_inputs"),
    "keras.objectives": _row("keras.losses", "mean_squared_error mean_absolute_error binary_crossentropy "
                                             "categorical_crossentropy sparse_categorical_crossentropy kl_divergence "
                                             "hinge squared_hinge categorical_hinge poisson cosine_similarity"),
}

# names an existing module lost that Keras 3 has in another module (`from keras.models import
# Input`), and the names of the old modules the new one also has, as the same objects: an import
# whose every name is in one of the two moves as a whole
NAME_MOVES = {
    "keras.models": {"Input": "keras"},
    "keras.layers": {"activations": "keras"},
}
ALSO_IN = {"keras": {"keras.models": {"Model", "Sequential"}, "keras.layers": {"Layer", "Input", "InputSpec"}}}

# Keras 2 aliases Keras 3 dropped, with the class they named: Keras 2's convolutional.py had
# `Deconvolution2D = Deconv2D = Conv2DTranspose` (3D alike), its constraints.py `maxnorm = MaxNorm`
# (nonneg, unitnorm alike). Fixed as `from ... import Conv2DTranspose as Deconv2D`
_DECONV = {"Deconv2D": "Conv2DTranspose", "Deconvolution2D": "Conv2DTranspose",
           "Deconv3D": "Conv3DTranspose", "Deconvolution3D": "Conv3DTranspose"}
RENAMED = {
    "keras.layers": _DECONV,
    "keras.layers.convolutional": _DECONV,  # their home: keras.layers, as for the module's other names
    "keras.constraints": {"maxnorm": "MaxNorm", "nonneg": "NonNeg", "unitnorm": "UnitNorm"},
}

# Keras 1/2 names whose Keras 3 counterpart is another class or function doing the same work,
# imported under the old name (`from keras.layers import GRU as CuDNNGRU`): old module ->
# {old name: (new module, new name)}. CuDNNGRU is the GRU with `reset_after=True` and a sigmoid
# recurrent activation (Keras 3's defaults): same weights, same math. Keras 1's `plot` is
# `plot_model`, which leaves layer names out unless told (the fix passes
# `show_layer_names=True`, Keras 1's default). tests/test_removed_imports.py builds both sides.
REPLACED = {
    "keras.layers": {"CuDNNGRU": ("keras.layers", "GRU"), "CuDNNLSTM": ("keras.layers", "LSTM")},
    "keras.utils.visualize_util": {"plot": ("keras.utils", "plot_model")},
}
# why a replacement is an unsafe fix: it changes the numbers or the parameter count
REPLACED_UNSAFE = {
    "CuDNNLSTM": "Keras 3's LSTM has one bias vector where CuDNNLSTM had two (4 × units fewer parameters; "
                 "the same outputs when the two biases are summed)",
}

# Keras 2's preprocessing APIs that Keras 3 keeps only in the `tf.keras` it provides for
# TensorFlow (`tensorflow.keras.preprocessing.image.ImageDataGenerator` is Keras 3's port of
# Keras 2's class, keras.src.legacy): every public name of those modules, each checked by
# tests/test_removed_imports.py. An import of them moves there when all its names are here.
TF_KERAS_BUNDLE = {
    "keras.preprocessing.image": set((
        "DirectoryIterator ImageDataGenerator Iterator NumpyArrayIterator apply_affine_transform apply_brightness_shift "
        "apply_channel_shift array_to_img img_to_array load_img random_brightness random_channel_shift random_rotation "
        "random_shear random_shift random_zoom save_img smart_resize").split()),
    "keras.preprocessing.text": {"Tokenizer", "hashing_trick", "one_hot", "text_to_word_sequence", "tokenizer_from_json"},
    "keras.preprocessing.sequence": {"TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"},
}

# a star import of a gone module that the new module's star import replaces, with the names
# only the old one gave (Keras 2's short loss aliases, its `Reduction`, and the modules its
# losses.py imported): fixed when the file reads none of them
STAR_MOVES = {
    "keras.objectives": ("keras.losses", set((
        "KLD MAE MAPE MSE MSLE Reduction kld kullback_leibler_divergence logcosh mae mape mse msle cosine "
        "cosine_proximity huber_loss K six deserialize_keras_object serialize_keras_object losses_utils").split())),
}

_MERGE_HINT = "use the Merge layer for the mode: `Add`, `Multiply`, `Concatenate`, `Average`, `Maximum`, `Dot`, `Subtract`"
_SKLEARN_HINT = "use `keras.wrappers.SKLearnClassifier`/`SKLearnRegressor` (a different API) or scikeras"
_CUDNN_HINT = "use `LSTM`/`GRU`: they run on cuDNN when they can"

# modules (and everything under them) that Keras 3 does not have, with a hint
GONE_MODULES = {
    "keras.engine": "import its classes from `keras.layers` / `keras.models`",
    "keras.layers.merge": "import its layers from `keras.layers`",
    "keras.layers.core": "import its layers from `keras.layers`",
    "keras.layers.convolutional": "import its layers from `keras.layers`",
    "keras.layers.recurrent": "import its layers from `keras.layers`",
    "keras.layers.normalization": "import its layers from `keras.layers`",
    "keras.layers.pooling": "import its layers from `keras.layers`",
    "keras.layers.embeddings": "import `Embedding` from `keras.layers`",
    "keras.layers.advanced_activations": "import its layers from `keras.layers`",
    "keras.layers.wrappers": "import its layers from `keras.layers`",
    "keras.layers.noise": "import its layers from `keras.layers`",
    "keras.layers.convolutional_recurrent": "import its layers from `keras.layers`",
    "keras.layers.experimental": "the preprocessing layers are in `keras.layers`; `SyncBatchNormalization` is `BatchNormalization(synchronized=True)`",
    "keras.layers.local": "Keras 3 has no LocallyConnected layers",
    "keras.layers.cudnn_recurrent": _CUDNN_HINT,
    "keras.utils.np_utils": "use `keras.utils`",
    "keras.utils.generic_utils": "use `keras.utils` / `keras.saving`",
    "keras.utils.data_utils": "use `keras.utils`",
    "keras.utils.vis_utils": "use `keras.utils.plot_model`",
    "keras.utils.layer_utils": "use `keras.utils`",
    "keras.utils.conv_utils": "an internal module; Keras 3 has no public counterpart",
    "keras.utils.io_utils": "`HDF5Matrix` is gone; read the data with h5py or tf.data",
    "keras.utils.multi_gpu_utils": "use `tf.distribute.MirroredStrategy`",
    "keras.utils.visualize_util": "use `keras.utils.plot_model`",
    "keras.legacy.layers": "Keras 1 compatibility code, removed",
    "keras.legacy.interfaces": "Keras 1 compatibility code, removed",
    "keras.wrappers.scikit_learn": _SKLEARN_HINT,
    "keras.preprocessing.text": "use `keras.layers.TextVectorization`",
    "keras.backend.tensorflow_backend": "use `keras.backend` or `keras.ops`",
    "keras.objectives": "use `keras.losses`",
    "keras.initializations": "use `keras.initializers`",
    "keras.backend.common": "use `keras.backend` (`epsilon`, `floatx`, `image_data_format`)",
    "keras.experimental": "use `keras.optimizers.schedules` (`CosineDecay`, ...) and `keras.layers`",
}

# names that existing Keras 3 modules no longer hold, with a hint
GONE_NAMES = {
    "keras.layers": {
        "merge": _MERGE_HINT, "Merge": _MERGE_HINT, "CuDNNLSTM": _CUDNN_HINT, "CuDNNGRU": _CUDNN_HINT,
        "ThresholdedReLU": "use `ReLU(threshold=...)`", "Deconvolution2D": "use `Conv2DTranspose`",
        "LocallyConnected1D": "Keras 3 has no LocallyConnected layers", "LocallyConnected2D": "Keras 3 has no LocallyConnected layers",
        "experimental": "the preprocessing layers are in `keras.layers`",
        "Deconv2D": "use `Conv2DTranspose`", "Deconv3D": "use `Conv3DTranspose`",
        "activations": "import `keras.activations`",
    },
    "keras.utils": {
        "np_utils": "use `keras.utils` itself (`keras.utils.to_categorical`)",
        "generic_utils": "use `keras.utils` itself", "data_utils": "use `keras.utils` itself",
        "vis_utils": "use `keras.utils.plot_model`", "multi_gpu_model": "use `tf.distribute.MirroredStrategy`",
        "HDF5Matrix": "read the data with h5py or tf.data", "OrderedEnqueuer": "use `keras.utils.PyDataset`",
        "GeneratorEnqueuer": "use `keras.utils.PyDataset`", "print_summary": "use `model.summary()`",
    },
    "keras.models": {
        "model_from_yaml": "YAML model configs are gone: use `model_from_json` or `.keras` files",
        "Input": "import `Input` from `keras` or `keras.layers`",
    },
    "keras.applications.imagenet_utils": {"_obtain_input_shape": "a private helper Keras 3 removed: pass `input_shape` yourself"},
    "keras.initializers": {"_compute_fans": "a private helper Keras 3 removed: compute the fans from the kernel shape"},
    "keras.constraints": {
        "maxnorm": "use `MaxNorm`", "nonneg": "use `NonNeg`", "unitnorm": "use `UnitNorm`",
    },
    "keras.legacy": {"interfaces": "Keras 3 has no legacy interfaces: drop the decorators"},
    "keras.optimizers": {"TFOptimizer": "use a `keras.optimizers` optimizer"},
    "keras.preprocessing": {"text": "use `keras.layers.TextVectorization`"},
    "keras.preprocessing.image": {"ImageDataGenerator": "use `keras.utils.image_dataset_from_directory` and preprocessing layers"},
    "keras.preprocessing.sequence": {
        "TimeseriesGenerator": "use `keras.utils.timeseries_dataset_from_array`",
        "skipgrams": "removed", "make_sampling_table": "removed",
    },
    "keras.backend": {"tensorflow_backend": "use `keras.backend` or `keras.ops`"},
    "keras.wrappers": {"scikit_learn": _SKLEARN_HINT},
}

# names that only `tensorflow.keras` lacks on Keras 3 (`keras.losses.mean_squared_error` is there)
_LOWERCASE_LOSSES = "kl_divergence log_cosh mean_absolute_error mean_absolute_percentage_error mean_squared_error mean_squared_logarithmic_error"
TF_KERAS_GONE_NAMES = {
    module: {name: f"`tf.keras` on Keras 3 has only the class; import the function from `{module}`"
             for name in _LOWERCASE_LOSSES.split()}
    for module in ("keras.losses", "keras.metrics")
}

# What `tensorflow.keras.losses` / `.metrics` share with Keras 3's `keras.losses` / `.metrics` (the
# same objects): an import of a lowercase loss function tf.keras lacks moves to `keras.<module>`
# when every other name it imports is here
TF_KERAS_SHARED = {
    "keras.losses": set((
        "BinaryCrossentropy BinaryFocalCrossentropy CTC CategoricalCrossentropy CategoricalFocalCrossentropy "
        "CategoricalHinge CosineSimilarity Dice Hinge Huber KLDivergence LogCosh Loss MeanAbsoluteError "
        "MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson SparseCategoricalCrossentropy "
        "SquaredHinge Tversky binary_crossentropy binary_focal_crossentropy categorical_crossentropy "
        "categorical_focal_crossentropy categorical_hinge cosine_similarity ctc deserialize dice get hinge huber poisson "
        "serialize sparse_categorical_crossentropy squared_hinge tversky").split()),
    "keras.metrics": set((
        "AUC Accuracy BinaryAccuracy BinaryCrossentropy BinaryIoU CategoricalAccuracy CategoricalCrossentropy "
        "CategoricalHinge CosineSimilarity F1Score FBetaScore FalseNegatives FalsePositives Hinge IoU KLDivergence "
        "LogCoshError Mean MeanAbsoluteError MeanAbsolutePercentageError MeanIoU MeanMetricWrapper MeanSquaredError "
        "MeanSquaredLogarithmicError Metric OneHotIoU OneHotMeanIoU Poisson Precision PrecisionAtRecall R2Score Recall "
        "RecallAtPrecision RootMeanSquaredError SensitivityAtSpecificity SparseCategoricalAccuracy "
        "SparseCategoricalCrossentropy SparseTopKCategoricalAccuracy SpecificityAtSensitivity SquaredHinge Sum "
        "TopKCategoricalAccuracy TrueNegatives TruePositives binary_accuracy binary_crossentropy categorical_accuracy "
        "categorical_crossentropy categorical_hinge hinge poisson sparse_categorical_accuracy "
        "sparse_categorical_crossentropy sparse_top_k_categorical_accuracy squared_hinge top_k_categorical_accuracy").split()),
}

# `tensorflow.keras.<...>` spellings that still import on Keras 3 (its tf.keras bundles them)
TF_KERAS_OK = {
    "keras.preprocessing.text", "keras.preprocessing.image.ImageDataGenerator", "keras.layers.ThresholdedReLU",
    "keras.preprocessing.sequence.TimeseriesGenerator", "keras.preprocessing.sequence.skipgrams",
    "keras.preprocessing.sequence.make_sampling_table",
}
