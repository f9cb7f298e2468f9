"""Session summaries: memo text as note lines, how salient each line is,
the key points, and an optional language model."""
