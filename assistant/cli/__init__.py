"""The one command-line interface, ``humdinger``. Subcommands live in ``*_cmd.py`` modules."""
