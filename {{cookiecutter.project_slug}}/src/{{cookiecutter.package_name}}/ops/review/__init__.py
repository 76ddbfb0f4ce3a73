"""Is a change good: the pull-request report and its plots, and `verify`."""
