"""``python -m speechbrain_fica.score``: scores audio files for spoofing.

The command line lives in :mod:`speechbrain_fica.inference.cli`.

Authors
 * speechbrain-fica contributors 2026
"""

import sys

from speechbrain_fica.inference.cli import main

if __name__ == "__main__":
    sys.exit(main())
