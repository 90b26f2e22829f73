"""The actiontrack screen (Textual) and the command line."""
