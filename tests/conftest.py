import os
import tempfile

os.environ.setdefault("COLUMNS", "80")
os.environ.pop("STEPCALC_LANG", None)
# Derivatives cached by a test run go to a folder of their own, never the user's cache.
os.environ["STEPCALC_CACHE_DIR"] = tempfile.mkdtemp(prefix="stepcalc-test-cache-")
