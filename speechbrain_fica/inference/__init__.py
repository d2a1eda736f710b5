"""inference package of speechbrain-fica."""
