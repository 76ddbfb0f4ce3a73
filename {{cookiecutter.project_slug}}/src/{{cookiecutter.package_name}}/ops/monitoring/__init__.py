"""Drift of new batches against the training data; labelled batches into the training data."""
