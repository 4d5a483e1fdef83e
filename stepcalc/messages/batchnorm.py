"""Texts of ``batchnorm``."""

TEXT = {
    "title_train": ("batch norm · training", "배치 정규화 · 학습 모드"),
    "title_eval": ("batch norm · evaluation", "배치 정규화 · 평가 모드"),
    "subtitle": (
        "input {shape} read as ({layout}); m = {m} values per channel; ε = {eps}, "
        "momentum {momentum}",
        "입력 {shape} → ({layout}); 채널마다 값 m = {m}개; ε = {eps}, 모멘텀 {momentum}",
    ),
    "layout_note": (
        "the rank gives the layout: 2-D is (N,F), 3-D (N,C,L), 4-D (N,C,H,W); axis 1 is the "
        "channel/feature, and each one is normalised over the other axes ({layout}: m = {m})",
        "차원 수로 배치를 정합니다: 2차원 (N,F), 3차원 (N,C,L), 4차원 (N,C,H,W). 1번 축이 "
        "채널/특성이며, 각 채널을 나머지 축 전체로 정규화합니다 ({layout}: m = {m})",
    ),
    "train_note": (
        "training mode (PyTorch): normalise with the biased batch variance (÷ m); the running "
        "variance is updated with the unbiased one (÷ (m − 1))",
        "학습 모드 (PyTorch): 편향 배치 분산(÷ m)으로 정규화하고, 이동 분산은 불편 분산"
        "(÷ (m − 1))으로 갱신합니다",
    ),
    "eval_note": (
        "evaluation mode: normalise with running_mean and running_var (default 0 and 1); "
        "they are not updated, and 'mean'/'var' in the result are these running statistics",
        "평가 모드: running_mean, running_var (기본값 0, 1)로 정규화하며 갱신하지 않습니다. "
        "결과의 'mean'/'var'는 이 이동 통계입니다",
    ),
    "mean": ("batch mean of channel {c}", "채널 {c}의 배치 평균"),
    "var": ("batch variance of channel {c} (biased, ÷ m)", "채널 {c}의 배치 분산 (편향, ÷ m)"),
    "sigma": ("standard deviation of channel {c}", "채널 {c}의 표준편차"),
    "x_hat": ("normalised values of channel {c}", "채널 {c}의 정규화 값"),
    "output": ("channel {c} scaled by γ and shifted by β", "γ로 늘리고 β로 옮긴 채널 {c}"),
    "running_mean": ("running mean, every channel", "이동 평균 (모든 채널)"),
    "running_var": (
        "running variance, every channel (unbiased batch variance, ÷ (m − 1))",
        "이동 분산 (모든 채널, 불편 배치 분산 ÷ (m − 1))",
    ),
    "grad_beta": ("gradient of β, channel {c}", "채널 {c}의 β 기울기"),
    "grad_gamma": ("gradient of γ, channel {c}", "채널 {c}의 γ 기울기"),
    "grad_input": ("gradient at the input, channel {c}", "채널 {c}의 입력 기울기"),
    "hidden": (
        "steps of {n} of the {total} channels hidden; --channel {last} (or a list such as 5,7) "
        "shows those; the result holds every value",
        "채널 {total}개 중 {n}개의 단계는 생략했습니다. --channel {last} (또는 5,7 같은 목록)로 "
        "볼 수 있고, 결과에는 모든 값이 있습니다",
    ),
    "large": (
        "the input has {n} values: the input and the tensors output, x_hat and grad_input "
        "are not drawn here; --format json carries every value",
        "입력 값이 {n}개입니다: 입력과 output, x_hat, grad_input 텐서는 여기 그리지 않습니다. "
        "--format json 에 모든 값이 있습니다",
    ),
    "per_channel": (
        "expected {n} numbers (one per channel), got {got}",
        "채널마다 하나씩 {n}개의 숫자가 필요합니다 (입력: {got}개)",
    ),
    "one_value": (
        "Expected more than 1 value per channel when training, got input size {shape} "
        "(one value per channel has variance 0; use --eval)",
        "학습 모드에서는 채널마다 값이 2개 이상 필요합니다 (입력 크기 {shape}; 값이 하나면 "
        "분산이 0입니다. --eval 을 쓰세요)",
    ),
    "backward_train": (
        "backward (training): the batch mean and variance depend on every x, so "
        "∂L/∂x = γ/(m·σ)·(m·∂L/∂y − ∂L/∂β − x̂·∂L/∂γ), where ∂L/∂β = Σ ∂L/∂y and ∂L/∂γ = Σ ∂L/∂y·x̂",
        "역전파 (학습 모드): 배치 평균과 분산이 모든 x에 의존하므로 "
        "∂L/∂x = γ/(m·σ)·(m·∂L/∂y − ∂L/∂β − x̂·∂L/∂γ), 여기서 ∂L/∂β = Σ ∂L/∂y, ∂L/∂γ = Σ ∂L/∂y·x̂",
    ),
    "backward_eval": (
        "backward (evaluation): the running statistics are constants, so ∂L/∂x = γ·∂L/∂y/σ",
        "역전파 (평가 모드): 이동 통계는 상수이므로 ∂L/∂x = γ·∂L/∂y/σ",
    ),
}
