"""Process-level settings that make CPU training faster.

glibc's malloc hands large blocks back to the kernel as soon as they are
freed, so every training step maps and unmaps its big activations again and
pays page faults for them. Keeping freed memory in the process instead
removed most of the kernel time of a CPU training run: the MiniSpoof-LA
demo (LCNN + FICA, 3 epochs) went from 65 s (40 s of it kernel time) to
44 s (2 s kernel time) on a 2-core machine. Trimming is switched off
altogether (``M_TRIM_THRESHOLD`` = -1, see mallopt(3)) rather than set to
the largest positive threshold (2**31 - 1), which freed blocks that
coalesce at the top of the heap can exceed: with that threshold the fast
AASIST training step (batch 8 x 96,000 samples) paid 567,205 page faults
(2.2 GiB of fresh pages) in every step of two benchmark runs here, and
without trimming its steps ran without page faults once the heap had
grown (5.98 s instead of 8.8-9.4 s a step; see ``benchmarks/``). The same
effect is reached by starting Python with ``MALLOC_MMAP_MAX_=0`` and
``MALLOC_TRIM_THRESHOLD_`` set; this module does it from inside the
process.

Authors
 * speechbrain-fica contributors 2026
"""

import ctypes
import ctypes.util
import logging
import os
import sys

logger = logging.getLogger(__name__)

# mallopt parameters of glibc (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_NEVER_TRIM = -1  # mallopt(3): -1 disables trimming completely


def keep_freed_memory():
    """Asks glibc to keep freed memory instead of returning it at once.

    Large allocations then come from the heap (no new mapping per step) and
    freed memory is not trimmed back to the kernel. A no-op (returning
    False) where glibc's ``mallopt`` is not available (macOS, Windows,
    musl) or when the environment sets ``FICA_KEEP_FREED_MEMORY=0``.

    The price is a higher peak resident memory, since the heap fragments:
    a CPU step of AASIST + FICA (batch 8 x 96,000 samples) peaked at
    17.8 GiB with these settings (12.8 GiB without, in an earlier run; see
    ``benchmarks/``); set ``FICA_KEEP_FREED_MEMORY=0`` where memory is
    short.

    Returns
    -------
    bool
        Whether the settings were applied.

    Example
    -------
    >>> keep_freed_memory() in (True, False)
    True
    """
    if os.environ.get("FICA_KEEP_FREED_MEMORY", "1") == "0":
        logger.info("FICA_KEEP_FREED_MEMORY=0: glibc malloc left as it is")
        return False
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    # No mmap at all: the mmap threshold cannot be raised above 32 MB.
    applied = mallopt(_M_MMAP_MAX, 0) == 1
    applied = mallopt(_M_TRIM_THRESHOLD, _NEVER_TRIM) == 1 and applied
    if applied:
        logger.debug("glibc malloc: mmap and trimming switched off")
    return applied
