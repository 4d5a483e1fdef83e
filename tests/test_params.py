import pytest

from tests.helpers import assert_bad_input, assert_steps_honest, run, run_json, torch_or_skip


def result(*args):
    return run_json("params", *args)["result"]


def test_seed_mlp_and_the_slide_mistake():
    assert result("--mlp", "50,30,3")["total"] == 1623
    # The notes print 2,213, which is the count of 50→30→20→3.
    assert result("--mlp", "50,30,20,3")["total"] == 2213
    checked = run("params", "--mlp", "50,30,3", "--expect", "total=2213")
    assert checked.code == 1
    assert "1623" in checked.stdout
    assert result("--mlp", "50,30,3", "--no-bias")["total"] == 1590


@pytest.mark.parametrize(
    "preset, total",
    [("lenet5", 61_706), ("alexnet", 61_100_840), ("vgg16", 138_357_544), ("resnet18", 11_689_512)],
)
def test_presets(preset, total):
    document = run_json("params", "--preset", preset)
    assert document["result"]["total"] == total
    assert document["result"]["trainable"] == total
    assert_steps_honest(document["steps"])


def test_preset_shapes():
    layers = result("--preset", "alexnet")["layers"]
    assert layers[0] == {
        "name": "conv1",
        "kind": "conv",
        "params": 23_296,
        "output_shape": [64, 55, 55],
    }
    shapes = [layer["output_shape"] for layer in result("--preset", "resnet18")["layers"]]
    assert [512, 7, 7] in shapes and shapes[-1] == [1000]


def test_keras_batchnorm_convention():
    keras = result("--preset", "resnet18", "--convention", "keras")
    assert keras["trainable"] == 11_689_512
    assert keras["total"] - keras["trainable"] == 9_600  # running mean + var of 4,800 channels


def test_layer_file_and_formula_step():
    document = run_json("params", "--from", "samples/params_cnn.yaml")
    assert document["result"]["total"] == 7034
    first = document["steps"][0]
    assert first["formula"] == "C_in*C_out*k_h*k_w + C_out"
    assert first["inputs"] == {"C_in": 1, "C_out": 8, "k_h": 3, "k_w": 3}
    assert first["value"] == 80
    kinds = [layer["kind"] for layer in document["result"]["layers"]]
    assert kinds == [
        "conv",
        "batchnorm",
        "relu",
        "maxpool",
        "conv",
        "relu",
        "maxpool",
        "flatten",
        "linear",
    ]


def test_groups(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("input: [32, 8, 8]\nlayers:\n  - conv: {out: 64, kernel: 3, groups: 4}\n")
    assert result("--from", str(path))["total"] == 32 // 4 * 64 * 9 + 64


def test_matches_torch_counts():
    torch = torch_or_skip()
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(576, 10),
    )
    assert result("--from", "samples/params_cnn.yaml")["total"] == sum(
        p.numel() for p in model.parameters()
    )


@pytest.mark.parametrize(
    "yaml_text, mentions",
    [
        ("layers:\n  - conv: {out: 4, kernal: 3}\n", "unknown key 'kernal'"),
        ("layers:\n  - transformer: {}\n", "unknown layer kind"),
        ("input: [3, 8, 8]\nlayers:\n  - conv: {in: 4, out: 4}\n", "'in' is 4"),
        ("input: [3, 4, 4]\nlayers:\n  - conv: {out: 4, kernel: 7}\n", "output would be empty"),
        ("layers:\n  - linear: {out: 3}\n", "give 'in'"),
        ("layers: 5\n", "must be a list"),
        ("layerz: []\n", "unknown key 'layerz'"),
    ],
)
def test_bad_layer_files(tmp_path, yaml_text, mentions):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    assert_bad_input("params", "--from", str(path), mentions=mentions)


def test_bad_options():
    assert_bad_input("params", "--preset", "lenet6", mentions="--preset")
    assert_bad_input("params", "--mlp", "50", mentions="--mlp")
    assert_bad_input("params", "--mlp", "50,x", mentions="--mlp")
    assert_bad_input("params", mentions="--mlp")
    # an empty width is bad input, not a silently shorter network (it once counted 50→3)
    assert "empty value" in assert_bad_input("params", "--mlp", "50,,3", mentions="--mlp")
    assert_bad_input("params", "--mlp", "50,30,", mentions="--mlp")
    assert_bad_input("params", "--mlp", "50,0,3", mentions="--mlp")
    assert_bad_input("params", "--preset", "vgg16", "--no-bias", mentions="--bias")


def test_flattened_image_into_a_linear_layer_is_counted():
    # 224×224×3 = 150,528 inputs: far above any per-axis limit, yet only arithmetic
    document = run_json("params", "--linear", "150528,10")
    assert document["result"]["total"] == 150_528 * 10 + 10
    assert result("--mlp", "150528,4096,10")["total"] == 150_528 * 4096 + 4096 + 4096 * 10 + 10
    huge = run_json("params", "--linear", "3000000000,3000000000")["result"]["total"]
    assert huge == 3_000_000_000**2 + 3_000_000_000  # beyond 2⁵³, still exact


def test_absurd_counts_are_refused_in_one_line():
    line = assert_bad_input("params", "--linear", "999999999999,999999999999", mentions="--linear")
    assert "2⁶³" in line
    assert_bad_input("params", "--linear", "10000000000000,1", mentions="--linear")


def test_one_conv_or_linear_layer_without_a_file():
    conv = run_json("params", "--conv", "3,64,3")
    assert conv["result"]["total"] == 3 * 64 * 9 + 64
    assert conv["steps"][0]["formula"] == "C_in*C_out*k_h*k_w + C_out"
    assert conv["steps"][0]["substituted"] == "3*64*3*3 + 64"
    shaped = result("--conv", "3,64,3,2,1", "--input", "3,224,224")
    assert shaped["layers"][0]["output_shape"] == [64, 112, 112]
    grouped = run_json("params", "--conv", "32,64,3,1,1,4")
    assert grouped["result"]["total"] == 32 // 4 * 64 * 9 + 64
    assert_steps_honest(grouped["steps"])
    assert result("--linear", "400,10", "--no-bias")["total"] == 4000
    assert_bad_input("params", "--conv", "30,64,3,1,1,4", mentions="groups 4")
    assert_bad_input("params", "--conv", "3,64", mentions="--conv")
    assert_bad_input("params", "--conv", "3,64,3", "--linear", "3,4", mentions="exactly one")


def test_single_layers_match_torch():
    torch = torch_or_skip()
    nn = torch.nn
    for args, module in (
        (("--conv", "6,16,5"), nn.Conv2d(6, 16, 5)),
        (("--conv", "32,64,3,1,1,4", "--no-bias"), nn.Conv2d(32, 64, 3, groups=4, bias=False)),
        (("--linear", "576,10"), nn.Linear(576, 10)),
    ):
        assert result(*args)["total"] == sum(p.numel() for p in module.parameters())


def test_each_layer_a_step_the_flatten_too_and_the_total_a_sum():
    document = run_json("params", "--preset", "alexnet")
    steps = document["steps"]
    flatten = next(step for step in steps if step["symbol"] == "N")
    assert flatten["formula"] == "C*H*W" and flatten["value"] == 256 * 6 * 6
    total = steps[-1]
    assert total["key"] == "total" and total["symbol"] == "P"
    assert total["formula"] == " + ".join(f"P_{i}" for i in range(1, 9))
    assert [s["value"] for s in steps if s["symbol"].startswith("P_")] == [
        layer["params"] for layer in document["result"]["layers"] if layer["params"]
    ]
    assert_steps_honest(steps)


def test_keras_trainable_is_a_step():
    document = run_json("params", "--from", "samples/params_cnn.yaml", "--convention", "keras")
    assert document["result"]["total"] == 7034 + 16 and document["result"]["trainable"] == 7034
    trainable = document["steps"][-1]
    assert trainable["formula"] == "P - 2*C_bn" and trainable["operands"]["C_bn"] == 8
    assert_steps_honest(document["steps"])


def test_hand_mode_keeps_counts_whole():
    document = run_json("params", "--preset", "lenet5", "--round-steps", "2")
    assert document["result"]["total"] == 61_706
    assert isinstance(document["result"]["total"], int)
    assert all(isinstance(step["value"], int) for step in document["steps"])


def test_korean_and_formats():
    korean = run("params", "--preset", "lenet5", "--lang", "ko")
    assert korean.code == 0 and "전체 파라미터" in korean.stdout
    for fmt in ("markdown", "latex"):
        assert run("params", "--from", "samples/params_cnn.yaml", "--format", fmt).code == 0


def test_pytorch_layer_names_are_aliases(tmp_path):
    # MaxPool2d, BatchNorm2d and BatchNorm1d as PyTorch spells them (the port had lost them)
    path = tmp_path / "torch_names.yaml"
    layers = "  - Conv2d: {out: 4}\n  - BatchNorm2d: {}\n  - MaxPool2d: {kernel: 2}\n"
    path.write_text("input: [3, 8, 8]\nlayers:\n" + layers + "  - Flatten\n  - BatchNorm1d: {}\n")
    counted = result("--from", str(path))
    kinds = [layer["kind"] for layer in counted["layers"]]
    assert kinds == ["conv", "batchnorm", "maxpool", "flatten", "batchnorm"]
    assert counted["total"] == (3 * 4 * 9 + 4) + 2 * 4 + 2 * (4 * 3 * 3)


def test_errors_name_the_option_that_holds_the_bad_number():
    assert_bad_input("params", "--mlp", "0,3", mentions="--mlp: must be at least 1")
    line = assert_bad_input("params", "--preset", "vgg16", "--input", "3,30,30", mentions="--input")
    assert "layer 31 (maxpool)" in line
