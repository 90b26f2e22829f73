"""The app's screens: the main view and its dialogs."""
