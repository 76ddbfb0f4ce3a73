"""The model registry (GTO tags), release bundles and their model card."""
