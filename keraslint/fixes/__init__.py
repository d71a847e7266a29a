"""Rewrites only: the libcst pipeline (`pipeline`) and one module per family of fixes
(`merge`, `lambdas`, ...), each holding its builders and the source of any helper class it
inserts. Rules in `keraslint.rules` detect; they call these builders to describe their fixes.
Importing this package loads nothing heavy: libcst is imported by `pipeline` alone."""
