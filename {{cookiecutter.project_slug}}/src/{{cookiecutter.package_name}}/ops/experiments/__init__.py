"""Sweeps: plan and check a grid, rank the results, keep one in conf/."""
