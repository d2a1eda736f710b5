"""Log levels of the libraries the package runs on.

Authors
 * speechbrain-fica contributors 2026
"""

import logging


def quiet_speechbrain_loggers():
    """Sets SpeechBrain's loggers (INFO by default) to WARNING, for the
    command-line tools whose output is their own summary."""
    # Imported lazily by the model yaml otherwise (after this call).
    import speechbrain.utils.parameter_transfer  # noqa: F401

    for name in list(logging.root.manager.loggerDict):
        if name == "speechbrain" or name.startswith("speechbrain."):
            logging.getLogger(name).setLevel(logging.WARNING)
