"""nnet package of speechbrain-fica."""
