"""The regions of the main screen, each its own widget."""
