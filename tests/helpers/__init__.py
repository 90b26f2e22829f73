"""Helpers shared by the reliability tests: running the CLI as a user would, hashing files."""
