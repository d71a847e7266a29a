"""Hypothesis runs the same examples on every run (derandomized), so CI cannot fail on a draw
it never made before; `KERASLINT_RANDOM_EXAMPLES=1` draws new examples, for local hunting."""

import os

from hypothesis import settings

settings.register_profile("keraslint", derandomize=not os.environ.get("KERASLINT_RANDOM_EXAMPLES"), database=None)
settings.load_profile("keraslint")
