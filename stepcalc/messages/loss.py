"""Texts of ``loss``."""

TEXT = {
    "title": ("loss · {fn}", "손실 함수 · {fn}"),
    "fn_mse": ("mean squared error (MSE)", "평균 제곱 오차 (MSE)"),
    "fn_mae": ("mean absolute error (MAE, L1 loss)", "평균 절대 오차 (MAE, L1 손실)"),
    "fn_huber": ("Huber loss", "후버 손실 (Huber)"),
    "fn_bce": ("binary cross-entropy (BCE)", "이진 크로스 엔트로피 (BCE)"),
    "fn_cross_entropy": ("cross-entropy", "크로스 엔트로피"),
    "reduction_mean": ("reduction: mean (PyTorch default)", "축약: 평균 (PyTorch 기본값)"),
    "reduction_sum": ("reduction: sum", "축약: 합"),
    "errors": ("errors d = ŷ − y", "오차 d = ŷ − y"),
    "squared": ("squared errors", "제곱 오차"),
    "absolute": ("absolute errors", "절대 오차"),
    "huber_terms": ("Huber terms", "후버 항"),
    "mean_step": ("loss L (mean of {n})", "손실 L ({n}개의 평균)"),
    "sum_step": ("loss L (sum of {n})", "손실 L ({n}개의 합)"),
    "grad_pred": ("∂L/∂ŷ", "∂L/∂ŷ (기울기)"),
    "grad_pred_logits": ("∂L/∂z (logits)", "∂L/∂z (로짓 기울기)"),
    "sigmoid": ("probabilities σ(z)", "확률 σ(z)"),
    "bce_terms_logits": ("BCE terms (stable)", "BCE 항 (안정적 계산)"),
    "bce_terms": ("BCE terms", "BCE 항"),
    "bce_clamp": (
        "a probability of exactly 0 or 1 meets a target it contradicts: as in PyTorch, "
        "each log is clamped at −100, so that term is 100, and the gradient divides by "
        "max(ŷ(1 − ŷ), 1e-12)",
        "확률이 정확히 0 또는 1인데 정답과 반대입니다: PyTorch처럼 각 로그를 −100에서 "
        "잘라 그 항은 100이 되고, 기울기는 max(ŷ(1 − ŷ), 1e-12)로 나눕니다",
    ),
    "one_hot": ("one-hot target t", "원-핫 정답 t"),
    "row_max": ("row maximum m", "행 최댓값 m"),
    "exp_sum": ("Σ exp(z − m)", "Σ exp(z − m)"),
    "lse": ("log-sum-exp", "log-sum-exp"),
    "log_softmax": ("log-probabilities", "로그 확률"),
    "softmax": ("softmax p", "소프트맥스 p"),
    "ce_terms": ("loss per sample", "샘플별 손실"),
    "not_normalised": (
        "the predicted probabilities of a sample do not sum to 1; if they are raw scores, "
        "give --logits",
        "한 샘플의 예측 확률 합이 1이 아닙니다. 점수(로짓)라면 --logits 를 주세요",
    ),
    "penalty": ("penalty P", "정규화 항 P"),
    "grad_weights": ("∂P/∂w", "∂P/∂w (가중치 기울기)"),
    "total": ("total L + P", "전체 손실 L + P"),
    "l2_full": (
        "L2 convention: P = λ‖w‖² = λ·Σw² (ridge, weight decay), gradient 2λw; "
        "--l2-form half uses P = ½λ‖w‖² with gradient λw",
        "L2 규약: P = λ‖w‖² = λ·Σw² (릿지, 가중치 감쇠), 기울기 2λw. "
        "--l2-form half 는 P = ½λ‖w‖², 기울기 λw",
    ),
    "l2_half": (
        "L2 convention: P = ½λ‖w‖² (--l2-form half), gradient λw; "
        "the default form is λ‖w‖² with gradient 2λw",
        "L2 규약: P = ½λ‖w‖² (--l2-form half), 기울기 λw. 기본 형태는 λ‖w‖², 기울기 2λw",
    ),
    "l1_note": (
        "L1 convention: P = λ‖w‖₁ = λ·Σ|w| (lasso), gradient λ·sign(w), taken as 0 at w = 0 "
        "as in PyTorch",
        "L1 규약: P = λ‖w‖₁ = λ·Σ|w| (라쏘), 기울기 λ·sign(w), w = 0 에서는 PyTorch처럼 0",
    ),
    "sgd_step": ("SGD step", "SGD 갱신"),
    "decay_factor": ("decay factor", "감쇠 계수"),
    "decayed": ("same step as decay", "감쇠로 쓴 같은 갱신"),
    "weight_decay": (
        "L2 is weight decay: w ← w − η(g + ∇P) = (decay factor)·w − η·g, so every SGD step "
        "first shrinks the weights; torch.optim.SGD(weight_decay={wd}) does exactly this",
        "L2 = 가중치 감쇠: w ← w − η(g + ∇P) = (감쇠 계수)·w − η·g, 즉 매 SGD 갱신이 가중치를 "
        "먼저 줄입니다. torch.optim.SGD(weight_decay={wd}) 와 같습니다",
    ),
    "weight_decay_hint": (
        "L2 is weight decay: with learning rate η an SGD step is w ← (1 − {factor}ηλ)·w − η·g "
        "(give --lr to see it); torch.optim.SGD(weight_decay={wd}) does the same",
        "L2 = 가중치 감쇠: 학습률 η 의 SGD 갱신은 w ← (1 − {factor}ηλ)·w − η·g "
        "(--lr 을 주면 단계가 보입니다). torch.optim.SGD(weight_decay={wd}) 와 같습니다",
    ),
}
