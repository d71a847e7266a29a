import sys

from keraslint.cli import main

sys.exit(main())
