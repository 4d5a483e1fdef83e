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
