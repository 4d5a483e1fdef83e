"""Texts of ``yolo-toy``."""

TEXT = {
    "title": ("toy YOLO · forward, backward, SGD step", "토이 YOLO · 순전파, 역전파, SGD 갱신"),
    "subtitle": (
        "image {image}, lr {lr}, {neck}",
        "입력 이미지 {image}, 학습률 {lr}, {neck}",
    ),
    "neck_on": ("neck on", "넥 사용"),
    "neck_off": ("neck skipped", "넥 생략"),
    "conv1_cell": ("Conv1, output cell ({i},{j})", "Conv1 출력 ({i},{j})"),
    "conv1": ("Conv1 output: I correlated with W_conv1", "Conv1 최종 출력"),
    "silu1": ("SiLU1 on the Conv1 output", "Conv1 출력에 SiLU 적용"),
    "conv2": ("Conv2: the SiLU1 map weighted into one number", "Conv2 (하나로 압축)"),
    "silu2": ("SiLU2: the backbone output", "SiLU2 = 백본 출력"),
    "neck": ("neck", "넥"),
    "head_bbox": ("bounding-box head", "헤드: Bbox 예측"),
    "head_cls": ("class head", "헤드: 클래스 예측"),
    "y_pred": ("prediction: both heads joined", "최종 예측: 두 헤드 결합"),
    "error": ("error of the prediction", "예측 오차"),
    "loss": ("loss: mean squared error", "손실값 (MSE)"),
    "grad_y_pred": ("gradient of the loss at the prediction", "출력 오차 기울기"),
    "grad_w_bbox": ("gradient of the bounding-box weights", "Bbox 헤드 가중치 기울기"),
    "grad_w_cls": ("gradient of the class weight", "클래스 헤드 가중치 기울기"),
    "head_terms": ("each head's signal back to its input", "헤드별 오차 신호"),
    "grad_backbone": (
        "gradient at the backbone output: the heads' signals summed",
        "백본 출력 기울기 (헤드별 신호 합산)",
    ),
    "grad_neck": ("gradient at the neck output", "넥 출력 기울기"),
    "grad_w_neck": ("gradient of the neck weight", "넥 가중치 기울기"),
    "silu2_prime": ("SiLU′ at the Conv2 output", "Conv2 출력에서의 SiLU 미분값"),
    "grad_conv2": ("gradient at the Conv2 output", "Conv2 출력 기울기"),
    "grad_w_conv2": ("gradient of the Conv2 weights", "Conv2 가중치 기울기"),
    "grad_silu1": ("gradient at the SiLU1 output", "SiLU1 출력 기울기"),
    "silu1_prime": ("SiLU′ at the Conv1 output", "Conv1 출력에서의 SiLU 미분값"),
    "grad_conv1": ("gradient at the Conv1 output", "Conv1 출력 기울기"),
    "grad_w_conv1_cell": ("gradient of W_conv1, cell ({i},{j})", "W_conv1 기울기 ({i},{j})"),
    "grad_w_conv1": (
        "gradient of the Conv1 weights: I correlated with ∂L/∂Out_conv1",
        "Conv1 가중치 기울기: I 와 ∂L/∂Out_conv1 의 상관",
    ),
    "update": ("SGD step for {name}", "{name} 갱신 (경사하강법)"),
    "neck_skipped": (
        "Neck skipped as in the slide (W_neck = {w_neck} unused, neck_output = backbone_output); "
        "--neck applies and updates it.",
        "슬라이드처럼 넥은 생략 (W_neck = {w_neck} 미사용, neck_output = backbone_output). "
        "--neck 을 주면 넥을 적용하고 W_neck 도 갱신합니다.",
    ),
    "mse_note": (
        "MSE on (bbox, class) is a teaching simplification. YOLOv8 really trains boxes with "
        "CIoU loss plus Distribution Focal Loss (DFL) and classes with binary cross-entropy "
        "(BCE), on many anchor-free grid cells at once.",
        "(bbox, 클래스)에 MSE를 쓰는 것은 설명을 위한 단순화입니다. "
        "실제 YOLOv8은 박스에 CIoU 손실과 DFL(Distribution Focal Loss)을, "
        "클래스에 이진 교차 엔트로피(BCE)를 쓰며, "
        "앵커 프리 격자의 여러 위치를 한꺼번에 학습합니다.",
    ),
    "slide_errata": (
        "The slide's ∂L/∂W_conv1 (−12.44, −16.03, …) is not the correlation of I with its own "
        "∂L/∂Out_conv1; cell (0,0) is 1·(−0.987) + 2·(−1.184) + 4·(−1.382) + 5·(−1.579) = "
        "−16.78, and the W_conv1 update built on it is wrong too (1.17, not 1.12, at (0,0)). "
        "Every other slide number is exact or hand rounding "
        "(check: --check samples/yolo_toy_slide_answers.yaml).",
        "슬라이드의 ∂L/∂W_conv1 (−12.44, −16.03, …)은 I와 슬라이드 자신의 ∂L/∂Out_conv1 의 "
        "상관(합성곱) 결과가 아닙니다. (0,0) 칸은 1·(−0.987) + 2·(−1.184) + 4·(−1.382) + "
        "5·(−1.579) = −16.78 이며, 이를 쓴 W_conv1 갱신값도 틀렸습니다 ((0,0)은 1.12가 아니라 "
        "1.17). 나머지 숫자는 정확하거나 손계산 반올림 차이입니다 "
        "(--check samples/yolo_toy_slide_answers.yaml 로 확인).",
    ),
    "status_falling": (
        "Training at lr {lr}: the loss falls from {first} to {last} in {steps} step(s).",
        "학습률 {lr}: {steps}번 갱신하는 동안 손실이 {first} 에서 {last} 로 줄었습니다.",
    ),
    "status_rising": (
        "Training at lr {lr}: the loss rises from {first} to {last} after {steps} step(s): "
        "the learning rate is too large for this network.",
        "학습률 {lr}: {steps}번 갱신 뒤 손실이 {first} 에서 {last} 로 커졌습니다. 학습률이 너무 "
        "큽니다.",
    ),
    "status_diverged": (
        "Diverged at lr {lr}: after the update the loss jumps from {first} to {peak} and ends "
        "at {last}; the step overshoots, and once SiLU saturates the gradients vanish and "
        "learning stops.",
        "학습률 {lr}에서 발산합니다: 갱신 후 손실이 {first} 에서 {peak} 까지 뛰고 {last} 로 "
        "끝납니다. 한 번에 너무 멀리 이동했고, SiLU가 포화되면 기울기가 사라져 학습이 멈춥니다.",
    ),
    "status_stalled": (
        "Stalled at lr {lr}: the loss stays at {last} (from {first}); the gradients have "
        "vanished (SiLU saturated), so further steps change nothing.",
        "학습률 {lr}에서 학습이 멈췄습니다: 손실이 {first} 에서 {last} 로 더 변하지 않습니다. "
        "SiLU가 포화되어 기울기가 사라졌습니다.",
    ),
    "suggest": (
        "Try --lr {lr}: with it the loss falls at every step.",
        "--lr {lr} 을 써 보세요: 이 학습률에서는 매 단계 손실이 줄어듭니다.",
    ),
    "no_suggestion": (
        "No smaller learning rate down to 1e-8 lowers the loss at every step.",
        "1e-8 까지 학습률을 줄여도 매 단계 손실이 줄어드는 값을 찾지 못했습니다.",
    ),
    "training_title": ("training", "학습"),
    "step": ("step", "단계"),
    "loss_column": ("loss before the step", "갱신 전 손실"),
    "after_training": ("after", "학습 후"),
    "kernel_fits": (
        "the conv1 kernel {kernel} does not fit the {image} image",
        "conv1 커널 {kernel}이(가) {image} 이미지에 맞지 않습니다",
    ),
    "conv2_shape": (
        "conv2 must flatten the conv1 output {wanted} to one number, so its kernel must be "
        "{wanted}, got {shape}",
        "conv2는 conv1 출력 {wanted}을(를) 숫자 하나로 압축하므로 커널이 {wanted}이어야 합니다 "
        "(입력: {shape})",
    ),
    "targets": (
        "needs {n} entries ({boxes} bbox + {classes} class), got {got}",
        "값이 {n}개 필요합니다 (bbox {boxes}개 + 클래스 {classes}개), 입력: {got}개",
    ),
    "too_much_work": (
        "{steps} steps on a {image} image is too much work for a toy; use fewer steps or a "
        "smaller image",
        "{image} 이미지로 {steps}단계는 토이 예제로 너무 많습니다. 단계 수나 이미지를 줄이세요",
    ),
}
