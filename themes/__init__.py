"""Theme definitions as TOML files, registered as Textual themes by the app."""
