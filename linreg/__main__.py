"""``python -m linreg``: the command line (see linreg.cli)."""

import sys

from linreg.cli import main

if __name__ == "__main__":
    sys.exit(main())
