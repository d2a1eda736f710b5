"""utils package of speechbrain-fica."""
