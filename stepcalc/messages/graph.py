"""Texts of ``graph``."""

TEXT = {
    # ---- expression graphs
    "title_expr": ("computational graph · {expr}", "계산 그래프 · {expr}"),
    "subtitle_expr": ("upstream gradient {upstream}", "상류 기울기 {upstream}"),
    "node_forward": ("forward through the {op} node", "{op} 노드의 순전파"),
    "upstream": ("gradient flowing into the output", "출력으로 들어오는 기울기"),
    "local": (
        "local gradient of the {op} node for {name}",
        "{op} 노드의 {name}에 대한 국소 기울기",
    ),
    "downstream": ("gradient at {name}: upstream × local", "{name}의 기울기: 상류 × 국소"),
    "accumulate": ("gradient at {var}: the sum over its uses", "{var}의 기울기: 쓰인 곳마다의 합"),
    "accumulate_note": ("{var} is used {count} times, by {via}", "{var}는 {count}번 쓰임: {via}"),
    "node_table": ("nodes", "노드"),
    "cols": ("node|op|inputs|value|local|upstream|downstream", "노드|연산|입력|값|국소|상류|하류"),
    "rule_note": (
        "chain rule at each node: downstream = upstream × local (the upstream of the node below)",
        "각 노드의 연쇄 법칙: 하류 = 상류 × 국소 (아래 노드의 상류 기울기)",
    ),
    # ---- perceptrons
    "title_gates": ("perceptron gates", "퍼셉트론 논리 게이트"),
    "subtitle_gates": ("y = 1 when w·x + b > 0, else 0", "w·x + b > 0 이면 y = 1, 아니면 0"),
    "title_perceptron": ("perceptron · truth table", "퍼셉트론 · 진리표"),
    "subtitle_perceptron": (
        "w = ({w}), {part}: y = 1 when {rule}",
        "w = ({w}), {part}: {rule}이면 y = 1",
    ),
    "gate_sum": ("{at}: weighted sum", "{at}: 가중합"),
    "gate_fires": ("{at}: does it fire?", "{at}: 발화하는가?"),
    "truth_table": ("truth table", "진리표"),
    "gates_note": (
        "AND, OR and NAND are each one perceptron: a straight line separates their 1s from 0s",
        "AND, OR, NAND는 퍼셉트론 하나로 충분합니다: 직선 하나가 1과 0을 나눕니다",
    ),
    "xor_note": (
        "XOR is not linearly separable, so no single perceptron computes it; two layers do: "
        "XOR = AND(NAND, OR). (NOR, by contrast, is one perceptron: w = (−0.5, −0.5), b = 0.2.)",
        "XOR은 선형 분리가 불가능해 퍼셉트론 하나로는 만들 수 없고, 두 층이면 됩니다: "
        "XOR = AND(NAND, OR). (반면 NOR는 퍼셉트론 하나로 됩니다: w = (−0.5, −0.5), b = 0.2.)",
    ),
    "is_gate": ("this perceptron computes {gate}", "이 퍼셉트론은 {gate}를 계산합니다"),
    "not_gate": ("this is not {gate}: x = ({x}) gives {y}", "{gate}가 아닙니다: x = ({x})에서 {y}"),
    "no_gate": (
        "it is none of AND, OR, NAND, NOR, XOR",
        "AND, OR, NAND, NOR, XOR 어느 것도 아닙니다",
    ),
    # ---- networks
    "title_network": ("network · {layers} layer(s), {loss}", "신경망 · {layers}개 층, {loss}"),
    "subtitle_network": ("a = f(W×h + b); {n} sample(s)", "a = f(W×h + b); 샘플 {n}개"),
    "pre_activation": ("layer {k}: weighted sum", "{k}층: 가중합"),
    "activation": ("layer {k}: activation {fn}", "{k}층: 활성화 함수 {fn}"),
    "softmax": ("softmax probabilities", "소프트맥스 확률"),
    "loss_mse": ("loss: mean squared error", "손실: 평균제곱오차"),
    "loss_cross-entropy": ("loss: cross-entropy, mean over samples", "손실: 교차 엔트로피 평균"),
    "loss_bce": ("loss: binary cross-entropy", "손실: 이진 교차 엔트로피"),
    "grad_output": ("gradient of the loss at the output a{k}", "출력 a{k}에서의 손실 기울기"),
    "grad_ce": ("gradient at the logits: softmax minus target", "로짓의 기울기: 소프트맥스 − 정답"),
    "derivative": ("layer {k}: derivative of {fn}", "{k}층: {fn}의 도함수"),
    "step_note": (
        "the step function is flat (undefined at 0): its derivative is 0, no gradient passes",
        "계단 함수는 평평해서 (0에서 미분 불가) 도함수가 0: 기울기가 지나가지 못합니다",
    ),
    "jacobian": ("Jacobian of the layer-{k} activation: diagonal", "{k}층 활성화의 야코비안: 대각"),
    "grad_pre": ("layer {k}: gradient at the weighted sum", "{k}층: 가중합의 기울기"),
    "grad_weight": ("layer {k}: gradient of the weights", "{k}층: 가중치 기울기"),
    "grad_bias": ("layer {k}: gradient of the bias", "{k}층: 편향 기울기"),
    "grad_input": ("gradient passed down to {name}", "{name}로 전달되는 기울기"),
    "update": ("gradient descent step for {name}", "{name}의 경사 하강 갱신"),
    "bce_note": (
        "one output unit with cross-entropy: binary cross-entropy on the output as a probability",
        "출력이 하나인 교차 엔트로피: 출력을 확률로 보고 이진 교차 엔트로피를 씁니다",
    ),
    "ce_note": (
        "cross-entropy takes the last output as logits (z for softmax), like F.cross_entropy",
        "교차 엔트로피는 마지막 출력(softmax 층이면 z)을 로짓으로 봅니다 (F.cross_entropy)",
    ),
    "columns_note": (
        "a batch has one column per sample, so each layer is z = W×h + b as for one sample",
        "배치는 샘플마다 열 하나: 각 층은 샘플 하나일 때처럼 z = W×h + b",
    ),
    "jacobian_note": (
        "element-wise activation: the Jacobian is diagonal, so ∂L/∂z = ∂L/∂a ⊙ f′(z)",
        "원소별 활성화 함수의 야코비안은 대각 행렬이므로 ∂L/∂z = ∂L/∂a ⊙ f′(z)",
    ),
    "frozen_note": (
        "frozen: {names} get no update and keep their values (their gradients are shown)",
        "고정: {names}는 갱신 없이 값을 유지합니다 (기울기는 보입니다)",
    ),
    "training_note": (
        "lr {lr}, batch {batch} of {n} ({kind}), samples in order; history: loss before each epoch",
        "학습률 {lr}, 배치 {batch}/{n} ({kind}), 순서대로; history: 에포크 시작 전 손실",
    ),
    "kind_batch": ("batch gradient descent", "배치 경사 하강법"),
    "kind_stochastic": ("stochastic gradient descent", "확률적 경사 하강법"),
    "kind_mini": ("mini-batch gradient descent", "미니배치 경사 하강법"),
    "epoch_loss": ("epoch {epoch}: loss before its updates", "에포크 {epoch}: 갱신 전 손실"),
    "batch_loss": ("epoch {epoch}: samples {first}–{last}", "에포크 {epoch}: 샘플 {first}–{last}"),
    "sample_loss": ("epoch {epoch}: sample {first}", "에포크 {epoch}: 샘플 {first}"),
    "final_loss": ("loss after training", "학습 후 손실"),
    "detail_note": (
        "update steps are shown for epochs 1–{first} and {last}; the table has every epoch",
        "갱신 단계는 에포크 1–{first}와 {last}만 보이고, 표에는 모든 에포크가 있습니다",
    ),
    "history_table": ("loss per epoch", "에포크별 손실"),
    "history_cols": ("epoch|loss", "에포크|손실"),
    "plot_title": ("loss per epoch (plot)", "에포크별 손실 (그래프)"),
    "plot_missing": (
        "the loss curve needs the plot extra: pip install 'stepcalc[plot]'",
        "손실 곡선에는 plot 추가 기능이 필요합니다: pip install 'stepcalc[plot]'",
    ),
    # ---- errors: expressions and perceptrons
    "not_pair": ("{part} is not NAME=VALUE", "{part}은(는) 이름=값 형식이 아닙니다"),
    "not_variable": ("{name} is not a variable name", "{name}은(는) 변수 이름이 아닙니다"),
    "twice": ("{name} is given twice", "{name}이(가) 두 번 주어졌습니다"),
    "no_variables": ("the expression has no variables", "식에 미분할 변수가 없습니다"),
    "no_value": ("no value for {names} (it uses {uses})", "{names}의 값이 없습니다 (변수: {uses})"),
    "unknown_variable": ("unknown variable {name} (it uses {uses})", "모르는 변수 {name} ({uses})"),
    "division": ("{where}: division by zero", "{where}: 0으로 나눕니다"),
    "log_domain": ("{where}: log of a non-positive number", "{where}: 0 이하의 수의 로그입니다"),
    "sqrt_domain": ("{where}: square root of a negative number", "{where}: 음수의 제곱근입니다"),
    "not_finite": ("{where}: not a finite real number", "{where}: 유한한 실수가 아닙니다"),
    "no_derivative": ("{where}: no finite derivative here", "{where}: 유한한 도함수가 없습니다"),
    "needs_threshold": ("needs --threshold or --bias", "--threshold나 --bias가 필요합니다"),
    "gate_inputs": ("at most 4 inputs, got {count}", "입력은 4개까지입니다 ({count}개)"),
    # ---- errors: networks
    "layer": ("layer {k}: {problem}", "{k}층: {problem}"),
    "in_part": ("{part}: {problem}", "{part}: {problem}"),
    "not_mapping": ("expected a mapping with {keys}", "{keys}를 담은 매핑이 필요합니다"),
    "unknown_key": ("unknown key {part} (valid: {valid})", "모르는 키 {part} (가능: {valid})"),
    "missing": ("{part} is required", "{part}이(가) 필요합니다"),
    "loss": (
        "loss is mse or cross-entropy, not {value}",
        "loss는 mse 또는 cross-entropy여야 합니다 (입력: {value})",
    ),
    "no_layers": ("layers must be a non-empty list", "layers는 비어 있지 않은 목록이어야 합니다"),
    "width": (
        "weights are {shape} ({n} inputs) but its input has {m} value(s)",
        "가중치는 {shape} (입력 {n}개)인데 들어오는 값은 {m}개입니다",
    ),
    "softmax_last": (
        "softmax only as the last layer, with cross-entropy and at least 2 outputs",
        "softmax는 마지막 층에서, cross-entropy와 출력 2개 이상일 때만 씁니다",
    ),
    "bias_size": (
        "bias has {n} value(s) but weights {shape} give {m} output(s)",
        "bias는 값이 {n}개인데 weights {shape}의 출력은 {m}개입니다",
    ),
    "unknown_activation": (
        "unknown activation {name} (allowed: {valid})",
        "알 수 없는 활성화 함수 {name} (가능: {valid})",
    ),
    "class_range": (
        "target: class indices must be whole numbers from 0 to {last}",
        "target: 클래스 번호는 0부터 {last}까지의 정수입니다",
    ),
    "batch_targets": ("{n} sample(s) but target has {m}", "샘플은 {n}개인데 target은 {m}개입니다"),
    "target_shape": (
        "target: shape {shape} does not match the network output {expected}",
        "target: 크기 {shape}이(가) 신경망 출력 {expected}와 다릅니다",
    ),
    "bce_targets": ("target: binary targets are between 0 and 1", "target: 0과 1 사이여야 합니다"),
    "negative_target": ("target: probabilities are not negative", "target: 음수 확률은 안 됩니다"),
    "bce_outputs": (
        "binary cross-entropy needs outputs strictly between 0 and 1 (use a sigmoid last layer)",
        "이진 교차 엔트로피는 출력이 0과 1 사이여야 합니다 (마지막 층에 sigmoid)",
    ),
    "too_large": ("the values overflow (too large)", "값이 넘칩니다 (너무 큽니다)"),
    "unknown_parameter": (
        "unknown parameter {name} (valid: {valid})",
        "모르는 매개변수 {name} (가능: {valid})",
    ),
    "too_many_updates": ("more than {limit} updates", "갱신이 {limit}번보다 많습니다"),
    "diverges": (
        "training diverges (values overflow by epoch {epoch}); try a smaller rate",
        "학습이 발산합니다 (에포크 {epoch}에서 넘침); 더 작은 학습률을 쓰세요",
    ),
}
