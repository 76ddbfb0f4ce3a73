"""conf/ and params.yaml: composing, the lock check, your own data."""
