"""The command line, ``python -m fd_stats``: :mod:`.main` builds the parser; one module per
larger sub-command."""
