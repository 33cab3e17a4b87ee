"""One module per CLI command; see evalkit.cli."""
