"""Runs the MiniSpoof-LA builder: ``python -m speechbrain_fica.minispoof``.

Authors
 * speechbrain-fica contributors 2026
"""

import sys

from speechbrain_fica.minispoof.cli import main

if __name__ == "__main__":
    main(sys.argv[1:])
