"""Keras 2-era code run on Keras 3: TensorFlow ops on symbolic tensors and removed
keras.backend functions."""
import keras
import tensorflow as tf
from keras import backend as K
from keras import layers


def build_model():
    tokens = keras.Input((6, 4))
    context = keras.Input((6, 4))
    joined = tf.concat([tokens, context], -1)  # tf op on a KerasTensor; tf.concat's axis matters
    pooled = tf.reduce_mean(joined, axis=1)
    width = K.int_shape(pooled)[-1]  # removed from keras.backend in Keras 3
    outputs = layers.Dense(width)(pooled)
    return keras.Model([tokens, context], outputs)
