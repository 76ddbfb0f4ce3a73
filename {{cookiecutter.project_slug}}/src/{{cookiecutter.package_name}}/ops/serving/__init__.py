"""Using a published model: predictions, checked against the training schema."""
