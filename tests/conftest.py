import os

os.environ.setdefault("COLUMNS", "80")
os.environ.pop("STEPCALC_LANG", None)
