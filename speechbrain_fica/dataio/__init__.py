"""dataio package of speechbrain-fica."""
