"""CLI commands, one module per area (registered in curate/cli.py)."""
