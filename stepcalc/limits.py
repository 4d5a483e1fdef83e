"""Resource limits, enforced before anything is allocated. The README lists them."""

MAX_TENSOR_ELEMENTS = 250_000
"""Elements in any one tensor given or computed (500×500, or 3×224×224 with room to spare).

Every element is parsed, stepped and rendered, so this bounds the time of one run: at the
limit, the slowest commands (silu, batchnorm with --json) take about 3 s."""
MAX_DIMENSION = 100_000
"""Largest size, kernel, stride, padding or dilation along one axis."""
MAX_TEXT_CHARS = 50_000_000
"""Characters in one option value."""
MAX_FILE_BYTES = 20_000_000
"""Bytes in a problem or answer file."""
MAX_YAML_ALIASES = 100
"""YAML aliases in one file (guards against alias expansion bombs)."""
MAX_NESTING = 8
"""Nesting depth of a tensor written as a JSON list."""
MAX_FILE_NESTING = 64
"""Nesting depth of ``[``/``{`` in a YAML or JSON file (checked before parsing it)."""
MAX_LAYERS = 1_000
"""Layers in a network or parameter-count file."""
MAX_STEPS = 10_000
"""Optimizer or training steps in one run (the longest, yolo-toy, then takes about 3 s)."""
MAX_DRILL_COUNT = 50
"""Problems in one drill or worksheet (50 yolo-toy answer keys in LaTeX take about 2 s)."""
MAX_EXPRESSION_CHARS = 2_000
"""Characters in a loss or graph expression."""
MAX_EXPRESSION_DEPTH = 50
"""Nesting depth of a loss or graph expression."""
MAX_EXPONENT = 100
"""Largest absolute constant exponent in an expression (``x**1000`` is refused)."""
