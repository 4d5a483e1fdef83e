"""``stepcalc params``: parameter counts and output shapes of an MLP, a preset or a layer list."""

from stepcalc.spec import Choice, Command, ExactlyOne, Flag, Ints, Opt, Requires, Type

PRESET_NAMES = ("lenet5", "alexnet", "vgg16", "resnet18")

COMMAND = Command(
    name="params",
    help="Parameter count and output shape of every layer (MLP, preset or layer list).",
    calculator="stepcalc.calc.params:run",
    result_keys=("total", "trainable", "layers"),
    options=(
        Opt("mlp", Ints("W,W,...", 1), "Layer widths of a fully connected network, e.g. 50,30,3."),
        Opt("bias", Flag(), "With --mlp: biases on (default) or off."),
        Opt(
            "preset",
            Choice("lenet5|alexnet|vgg16|resnet18", PRESET_NAMES),
            "A known network: lenet5, alexnet, vgg16 or resnet18.",
        ),
        Opt(
            "input",
            Ints("C,H,W", 1, (1, 2, 3)),
            "Input shape C,H,W (or features) for output shapes.",
        ),
        Opt("layers", Type("LIST"), "Layer list (in a --from file)."),
        Opt(
            "convention",
            Choice("pytorch|keras", ("pytorch", "keras")),
            "BatchNorm counting: pytorch (2·C) or keras (4·C, 2·C frozen).",
            "pytorch",
        ),
    ),
    constraints=(ExactlyOne(("mlp", "preset", "layers")), Requires("bias", "mlp")),
    alternatives=(("mlp", "preset", "layers"),),
    samples=("params_cnn.yaml",),
)
