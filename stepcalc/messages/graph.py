"""Texts of ``graph``."""

TEXT = {
    "title_expr": ("computational graph · {expr}", "계산 그래프 · {expr}"),
    "subtitle_expr": (
        "forward, then backward from ∂L/∂f = {upstream}",
        "순전파 후 ∂L/∂f = {upstream}에서 역전파",
    ),
    "node_forward": ("{name} ({op})", "{name} ({op})"),
    "node_backward": ("∂L/∂{target} via {name}", "{name} → ∂L/∂{target}"),
    "local_note": (
        "upstream {upstream} × local {local}",
        "상류 기울기 {upstream} × 국소 기울기 {local}",
    ),
    "accumulate": ("∂L/∂{var} (sum)", "∂L/∂{var} (합)"),
    "accumulate_note": (
        "{var} is used {count} times ({via}): its gradients add up",
        "{var}가 {count}번 쓰였으므로 ({via}) 기울기를 모두 더합니다",
    ),
    "node_table": ("nodes", "노드"),
    "col_node": ("node", "노드"),
    "col_op": ("op", "연산"),
    "col_inputs": ("inputs", "입력"),
    "col_value": ("value", "값"),
    "col_local": ("local", "국소"),
    "col_upstream": ("upstream", "상류"),
    "col_downstream": ("downstream", "하류"),
    "rule_note": (
        "chain rule at every node: downstream = upstream × local; a downstream gradient "
        "is the upstream of the node that produced that input (g_n = ∂L/∂n)",
        "각 노드의 연쇄 법칙: 하류 기울기 = 상류 기울기 × 국소 기울기; 하류 기울기는 그 입력을 "
        "만든 노드의 상류 기울기가 됩니다 (g_n = ∂L/∂n)",
    ),
    "max_tie": (
        "max at a tie: the gradient is split evenly between both inputs (PyTorch)",
        "max의 두 입력이 같으면 기울기를 반씩 나눕니다 (PyTorch 방식)",
    ),
    "title_gates": ("perceptron gates", "퍼셉트론 논리 게이트"),
    "subtitle_gates": (
        "y = step(w·x + b): 1 when w·x + b > 0, else 0",
        "y = step(w·x + b): w·x + b > 0 이면 1, 아니면 0",
    ),
    "col_gate": ("gate", "게이트"),
    "truth_table": ("truth table", "진리표"),
    "gate_weights": ("weights and bias", "가중치와 편향"),
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
    "title_network": (
        "network · {layers} layer(s), {loss} loss",
        "신경망 · {layers}개 층, {loss} 손실",
    ),
    "subtitle_network": (
        "each layer: a = f(W·h + b); batch of {batch}",
        "각 층: a = f(W·h + b); 배치 크기 {batch}",
    ),
    "pre_activation": ("z{k} (layer {k})", "z{k} ({k}층)"),
    "linear_output": ("a{k} = z{k} (layer {k})", "a{k} = z{k} ({k}층)"),
    "activation": ("a{k} ({fn})", "a{k} ({fn})"),
    "softmax": ("softmax probabilities", "소프트맥스 확률"),
    "loss_mse": ("loss (MSE, mean)", "손실 (MSE, 평균)"),
    "loss_ce": ("loss (cross-entropy, mean)", "손실 (교차 엔트로피, 평균)"),
    "loss_bce": ("loss (binary cross-entropy)", "손실 (이진 교차 엔트로피)"),
    "grad_output": ("∂L/∂a{k}", "∂L/∂a{k}"),
    "grad_output_ce": ("∂L/∂z{k} (softmax − target)", "∂L/∂z{k} (소프트맥스 − 정답)"),
    "derivative": ("{fn}′(z{k})", "{fn}′(z{k})"),
    "jacobian": ("Jacobian ∂a{k}/∂z{k}", "야코비안 ∂a{k}/∂z{k}"),
    "jacobian_note": (
        "element-wise activation: the Jacobian is diagonal, so ∂L/∂z = ∂L/∂a ⊙ f′(z)",
        "원소별 활성화 함수의 야코비안은 대각 행렬이므로 ∂L/∂z = ∂L/∂a ⊙ f′(z)",
    ),
    "grad_pre": ("∂L/∂z{k}", "∂L/∂z{k}"),
    "grad_weight": ("∂L/∂W{k}  {shape}", "∂L/∂W{k}  {shape}"),
    "grad_bias": ("∂L/∂b{k}  {shape}", "∂L/∂b{k}  {shape}"),
    "grad_input": ("∂L/∂{name}  {shape}", "∂L/∂{name}  {shape}"),
    "update_weight": ("W{k} ← W{k} − η·∂L/∂W{k}", "W{k} ← W{k} − η·∂L/∂W{k}"),
    "update_bias": ("b{k} ← b{k} − η·∂L/∂b{k}", "b{k} ← b{k} − η·∂L/∂b{k}"),
    "shape_note": (
        "every gradient has the shape of its variable: {shapes}",
        "기울기의 모양은 변수의 모양과 같습니다: {shapes}",
    ),
    "epoch_loss": ("epoch {epoch}: loss before", "에포크 {epoch}: 갱신 전 손실"),
    "batch_loss": (
        "epoch {epoch}, samples {first}–{last}: loss",
        "에포크 {epoch}, 샘플 {first}–{last}: 손실",
    ),
    "sample_loss": ("epoch {epoch}, sample {first}: loss", "에포크 {epoch}, 샘플 {first}: 손실"),
    "final_loss": ("loss after training", "학습 후 손실"),
    "history_table": ("loss per epoch", "에포크별 손실"),
    "plot_title": ("loss per epoch (plot)", "에포크별 손실 (그래프)"),
    "plot_missing": (
        "the loss curve needs the plot extra: pip install 'stepcalc[plot]'",
        "손실 곡선을 그리려면 plot 추가 기능이 필요합니다: pip install 'stepcalc[plot]'",
    ),
    "col_epoch": ("epoch", "에포크"),
    "col_loss": ("loss", "손실"),
    "training_note": (
        "gradient descent, lr {lr}, batch size {batch} of {n} ({kind}); samples in order, "
        "no shuffling; history is the loss on all samples before each epoch's updates",
        "경사 하강법, 학습률 {lr}, 배치 크기 {batch}/{n} ({kind}); 샘플은 순서대로, 섞지 않음; "
        "history는 각 에포크의 갱신 전 전체 샘플 손실",
    ),
    "kind_batch": ("batch gradient descent", "배치 경사 하강법"),
    "kind_stochastic": ("stochastic gradient descent", "확률적 경사 하강법"),
    "kind_minibatch": ("mini-batch gradient descent", "미니배치 경사 하강법"),
    "detail_note": (
        "update steps are shown for epochs 1–{first} and {last}; the table has every epoch",
        "갱신 단계는 에포크 1–{first}와 {last}만 보였고, 모든 에포크의 손실은 표에 있습니다",
    ),
    "bce_note": (
        "one output unit with cross-entropy: binary cross-entropy on the output as a "
        "probability (use a sigmoid last layer)",
        "출력이 하나인 교차 엔트로피: 출력을 확률로 보고 이진 교차 엔트로피를 씁니다 "
        "(마지막 층에 sigmoid 사용)",
    ),
    "ce_note": (
        "cross-entropy takes the last layer's output as logits (or its z with a softmax "
        "layer): softmax, then −log of the target class (PyTorch F.cross_entropy)",
        "교차 엔트로피는 마지막 층의 출력(softmax 층이면 그 z)을 로짓으로 봅니다: 소프트맥스 후 "
        "정답 클래스의 −log (PyTorch F.cross_entropy)",
    ),
}
