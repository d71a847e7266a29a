"""Data for KER106: the names that exist under both `keras` and `tf_keras`, so a mixed file can
be moved to one of them. (The KER301/KER302 tables moved to keraslint/fixes/ops_rows.py.)"""

from __future__ import annotations

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
