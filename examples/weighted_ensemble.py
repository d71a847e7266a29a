"""A weighted ensemble: each member's output scaled by its own weight inside a Lambda built in a
loop. Every Lambda reads `w` when the model runs, so all of them use the last weight."""
import keras
from keras import layers

MEMBER_WEIGHTS = [0.5, 0.3, 0.2]


def build_ensemble():
    inputs = keras.Input((4,))
    members = [layers.Dense(2, name=f"member_{i}")(inputs) for i in range(3)]
    weighted = [layers.Lambda(lambda t: t * w)(out) for w, out in zip(MEMBER_WEIGHTS, members)]
    return keras.Model(inputs, layers.Add()(weighted))


if __name__ == "__main__":
    model = build_ensemble()
    model.save("ensemble.keras")
