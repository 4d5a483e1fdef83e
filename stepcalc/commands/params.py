"""``stepcalc params``: parameter counts and output shapes of an MLP, a preset or a layer list."""

from __future__ import annotations

from stepcalc.errors import StepcalcError
from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

PRESET_NAMES = ("lenet5", "alexnet", "vgg16", "resnet18")


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc import params

    convention = p.choice("convention", ("pytorch", "keras"))
    sources = [name for name in ("mlp", "preset", "layers") if p.has(name)]
    if len(sources) != 1:
        raise StepcalcError("--mlp: give exactly one of --mlp, --preset or a layers file (--from)")
    shape = p.ints("input", minimum=1, length=(1, 2, 3))
    title = ""
    if p.has("mlp"):
        widths = p.ints("mlp", minimum=1)
        layers = params.mlp_layers(widths, bias=p.flag("bias") if p.has("bias") else True)
        shape = shape or [widths[0]]
        title = "MLP " + "→".join(map(str, widths))
    elif p.has("preset"):
        name = p.choice("preset", PRESET_NAMES)
        default_shape, layers = params.PRESETS[name]()
        shape = shape or default_shape
        title = name
    else:
        layers = p.raw("layers")
        if not isinstance(layers, list):
            raise StepcalcError("--from: 'layers' must be a list of layers")
    return params.count(layers, shape, ctx, convention=convention, title=title)


COMMAND = Command(
    name="params",
    help="Parameter count and output shape of every layer (MLP, preset or layer list).",
    options=(
        Opt("mlp", "Layer widths of a fully connected network, e.g. 50,30,3.", metavar="W,W,..."),
        Opt("bias", "With --mlp: biases on (default) or off.", flag=True),
        Opt(
            "preset",
            "A known network: lenet5, alexnet, vgg16 or resnet18.",
            metavar="lenet5|alexnet|vgg16|resnet18",
        ),
        Opt("input", "Input shape C,H,W (or features) for output shapes.", metavar="C,H,W"),
        Opt("layers", "Layer list (in a --from file).", metavar="LIST"),
        Opt(
            "convention",
            "BatchNorm counting: pytorch (2·C) or keras (4·C, 2·C frozen).",
            default="pytorch",
            metavar="pytorch|keras",
        ),
    ),
    alternatives=(("mlp", "preset", "layers"),),
    run=run,
)
