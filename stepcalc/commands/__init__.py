"""One module per command: its options (``Opt``) and a thin ``run`` that calls a calculator."""
