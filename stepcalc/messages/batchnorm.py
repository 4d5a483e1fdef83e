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
    "mean": ("μ, ch {c}", "μ, 채널 {c}"),
    "var": ("σ² (biased), ch {c}", "σ² (편향), 채널 {c}"),
    "sigma": ("σ, ch {c}", "σ, 채널 {c}"),
    "x_hat": ("x̂, ch {c}", "x̂, 채널 {c}"),
    "output": ("y, ch {c}", "y, 채널 {c}"),
    "running_mean": ("running_mean", "이동 평균 running_mean"),
    "running_var": ("running_var (unbiased)", "이동 분산 running_var (불편)"),
    "grad_beta": ("∂L/∂β, ch {c}", "∂L/∂β, 채널 {c}"),
    "grad_gamma": ("∂L/∂γ, ch {c}", "∂L/∂γ, 채널 {c}"),
    "grad_input": ("∂L/∂x, ch {c}", "∂L/∂x, 채널 {c}"),
    "backward_train": (
        "backward (training): the batch mean and variance depend on every x, so "
        "∂L/∂x = γ/(m·σ)·(m·g − Σg − x̂·Σ g·x̂), with g = ∂L/∂y of the channel",
        "역전파 (학습 모드): 배치 평균과 분산이 모든 x에 의존하므로 "
        "∂L/∂x = γ/(m·σ)·(m·g − Σg − x̂·Σ g·x̂), g 는 그 채널의 ∂L/∂y",
    ),
    "backward_eval": (
        "backward (evaluation): the running statistics are constants, so ∂L/∂x = γ·g/σ",
        "역전파 (평가 모드): 이동 통계는 상수이므로 ∂L/∂x = γ·g/σ",
    ),
}
