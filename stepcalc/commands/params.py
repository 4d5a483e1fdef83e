"""``stepcalc params``: parameter counts and output shapes of an MLP, one layer, a preset or a
layer list."""

from stepcalc.spec import Choice, Command, ExactlyOne, Flag, Ints, Opt, Type

PRESET_NAMES = ("lenet5", "alexnet", "vgg16", "resnet18")
CONVENTIONS = ("pytorch", "keras")
SOURCES = ("mlp", "preset", "layers", "conv", "linear")
SIZES = 2**62
"""Layer sizes are only counted, never allocated: any count below 2⁶³ is fine."""

COMMAND = Command(
    name="params",
    summary="Parameter counts and output shapes, layer by layer",
    help="Parameter count and output shape of every layer (MLP, one layer, preset or list).",
    calculator="stepcalc.calc.params:run",
    drill="stepcalc.drill:params_problem",
    result_keys=("total", "trainable", "layers"),
    options=(
        Opt("mlp", Ints("W,W,...", 1, None, SIZES), "Layer widths of an MLP, e.g. 50,30,3."),
        Opt("conv", Ints("CIN,COUT,K[,S,P,G]", 0, (3, 4, 5, 6), SIZES), "One conv layer."),
        Opt("linear", Ints("IN,OUT", 1, (2,), SIZES), "One linear layer."),
        Opt("bias", Flag(), "With --mlp, --conv, --linear: biases on (default) or off."),
        Opt("preset", Choice("|".join(PRESET_NAMES), PRESET_NAMES), "A known network."),
        Opt("input", Ints("C,H,W", length=(1, 2, 3)), "Input shape C,H,W (or features)."),
        Opt("layers", Type("LIST"), "Layer list (in a --from file)."),
        Opt(
            "convention", Choice("pytorch|keras", CONVENTIONS), "BatchNorm: 2·C or 4·C.", "pytorch"
        ),
    ),
    constraints=(ExactlyOne(SOURCES),),
    alternatives=(SOURCES,),
    samples=("params_cnn.yaml", "params_image.yaml"),
)
