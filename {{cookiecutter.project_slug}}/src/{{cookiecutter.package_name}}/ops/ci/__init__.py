"""The workflows' own steps, and GitHub's step files (outputs, summary, notices)."""
