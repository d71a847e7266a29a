"""keraslint: finds the mistakes people make when they build Keras models, and fixes them."""

__version__ = "0.1.0"

__all__ = ["__version__", "check_source", "fix_source"]


def __getattr__(name):
    # Imported lazily so `import keraslint` (the flake8 entry point, the CLI) stays cheap.
    if name in ("check_source", "fix_source"):
        from keraslint import engine

        return getattr(engine, name)
    raise AttributeError(name)
