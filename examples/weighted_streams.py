"""Two streams weighted by constants and merged: the constants go straight into Merge layers."""
import keras
import numpy as np
from keras import layers

STREAM_WEIGHTS = np.array([0.8, 0.2, 0.5, 1.0])
OFFSET = np.array([[0.1, 0.1, 0.1, 0.1]])


def build_model():
    image = keras.Input((4,), name="image")
    text = keras.Input((4,), name="text")
    weighted_image = layers.Multiply()([image, STREAM_WEIGHTS])
    shifted_text = layers.Add()([text, OFFSET])
    merged = layers.Concatenate()([weighted_image, shifted_text])
    return keras.Model([image, text], merged)


if __name__ == "__main__":
    build_model().summary()
