"""A siamese network converted from Sequential code: the helper builds new layers on every call,
so the two "shared" towers get separate weights (twice the parameters, towers that disagree)."""
import keras
from keras import layers


def create_base_network(inputs):
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.Flatten()(x)
    return layers.Dense(8)(x)


def build_model():
    left = keras.Input((8, 8, 1))
    right = keras.Input((8, 8, 1))
    distance = layers.Subtract()([create_base_network(left), create_base_network(right)])
    return keras.Model([left, right], distance)


def build_and_backup(train_images, train_pairs):
    model = build_model()
    model.compile("adam", "mse")
    model.fit(train_pairs, train_images)
    backup = keras.models.clone_model(model)  # structure only: fresh random weights
    backup.save("backup.keras")
    return backup
