"""Texts of ``loss``."""

TEXT = {
    "title": ("loss · {fn}", "손실 함수 · {fn}"),
    "fn_mse": ("mean squared error (MSE)", "평균 제곱 오차 (MSE)"),
    "fn_mae": ("mean absolute error (MAE, L1 loss)", "평균 절대 오차 (MAE, L1 손실)"),
    "fn_huber": ("Huber loss", "후버 손실 (Huber)"),
    "fn_bce": ("binary cross-entropy (BCE)", "이진 크로스 엔트로피 (BCE)"),
    "fn_cross-entropy": ("cross-entropy", "크로스 엔트로피"),
    "fn_multiclass-hinge": ("multiclass SVM hinge loss", "다중 클래스 SVM 힌지 손실"),
    "fn_hinge": ("hinge loss", "힌지 손실"),
    "fn_squared-hinge": ("squared hinge loss", "제곱 힌지 손실"),
    "fn_mape": ("mean absolute percentage error (MAPE, Keras)", "평균 절대 백분율 오차 (MAPE)"),
    "fn_msle": ("mean squared logarithmic error (MSLE, Keras)", "평균 제곱 로그 오차 (MSLE)"),
    "reduction_mean": ("reduction: mean (PyTorch default)", "축약: 평균 (PyTorch 기본값)"),
    "reduction_sum": ("reduction: sum", "축약: 합"),
    "reduction_none": ("reduction: none", "축약: 없음"),
    "keras": ("Keras convention", "Keras 규약"),
    "errors": ("prediction errors", "예측 오차"),
    "log_errors": ("errors of the logarithms", "로그의 오차"),
    "sigmoid": ("probabilities from the logits", "로짓에서 얻은 확률"),
    "terms_mse": ("squared errors", "제곱 오차"),
    "terms_mae": ("absolute errors", "절대 오차"),
    "terms_huber": ("Huber loss of each error", "오차별 후버 손실"),
    "terms_bce": ("BCE of each prediction", "예측별 BCE"),
    "terms_bce-logits": ("BCE of each logit, in the stable form", "로짓별 BCE (안정적인 형태)"),
    "terms_hinge": ("hinge loss of each prediction", "예측별 힌지 손실"),
    "terms_squared-hinge": ("squared hinge loss of each prediction", "예측별 제곱 힌지 손실"),
    "terms_mape": ("percentage errors", "백분율 오차"),
    "terms_msle": ("squared errors of the logarithms", "로그 오차의 제곱"),
    "sample_mean": ("loss of sample {i}: the mean of its values", "샘플 {i}의 손실: 값들의 평균"),
    "mean_step": ("loss: mean of {n}", "손실: {n}개의 평균"),
    "sum_step": ("loss: sum of {n}", "손실: {n}개의 합"),
    "loss": ("loss", "손실"),
    "sample_loss": ("loss of sample {i}", "샘플 {i}의 손실"),
    "of_sample": ("sample {i}", "샘플 {i}"),
    "zero_classes": ("classes with t = 0 add nothing", "t = 0 인 클래스는 더할 것이 없습니다"),
    "max": ("largest score, subtracted so that exp cannot overflow", "가장 큰 점수 (넘침 방지)"),
    "exp_sum": ("sum of the exponentials", "지수의 합"),
    "softmax": ("softmax probabilities", "소프트맥스 확률"),
    "grad_pred": ("gradient of the loss at the prediction", "예측에 대한 손실의 기울기"),
    "grad_pred_logits": ("gradient of the loss at the logits", "로짓에 대한 손실의 기울기"),
    "active": ("classes of sample {i} inside the margin", "샘플 {i}에서 마진 안에 든 클래스"),
    "grad_row": ("gradient at the scores of sample {i}", "샘플 {i}의 점수에 대한 기울기"),
    "penalty": ("penalty on the weights", "가중치 정규화 항"),
    "total": ("total loss", "전체 손실"),
    "rmse": ("RMSE", "RMSE"),
    "grad_weights": ("gradient of the penalty", "정규화 항의 기울기"),
    "sgd_step": ("SGD step on the weights", "가중치의 SGD 갱신"),
    "decay_factor": ("decay factor", "감쇠 계수"),
    "decayed": ("the same step as weight decay", "가중치 감쇠로 쓴 같은 갱신"),
    "soft_sum": (
        "a target row does not sum to 1, so the gradient is p·Σt − t (as in PyTorch)",
        "정답 행의 합이 1이 아니므로 기울기는 p·Σt − t 입니다 (PyTorch와 같음)",
    ),
    "l2_note": (
        "L2 convention (--l2-form): full P = λ‖w‖², gradient 2λw; half P = ½λ‖w‖², gradient λw",
        "L2 규약 (--l2-form): full 은 P = λ‖w‖², 기울기 2λw; half 는 P = ½λ‖w‖², 기울기 λw",
    ),
    "l1_note": (
        "L1: P = λ‖w‖₁ = λ·Σ|w|, gradient λ·sign(w), 0 at w = 0 as in PyTorch",
        "L1: P = λ‖w‖₁ = λ·Σ|w|, 기울기 λ·sign(w), w = 0 에서는 PyTorch처럼 0",
    ),
    "weight_decay": (
        "L2 is weight decay: an SGD step w − η(g + ∇P) = (1 − {factor}ηλ)·w − η·g first shrinks "
        "the weights, as torch.optim.SGD(weight_decay={wd}) does",
        "L2 = 가중치 감쇠: SGD 갱신 w − η(g + ∇P) = (1 − {factor}ηλ)·w − η·g 는 가중치를 먼저 "
        "줄입니다. torch.optim.SGD(weight_decay={wd}) 와 같습니다",
    ),
    "clamp_bce": (
        "a probability of (nearly) 0 or 1 contradicts its target: as PyTorch does, each log "
        "is clamped at −100 and ŷ(1 − ŷ) at ε = 1e-12",
        "확률이 (거의) 0 또는 1인데 정답과 반대입니다: PyTorch처럼 각 로그를 −100에서, "
        "ŷ(1 − ŷ) 를 ε = 1e-12 에서 자릅니다",
    ),
    "clamp_keras": (
        "a value is below Keras' ε = 1e-7, so, as Keras does, the steps use max(·, ε) "
        "(and a clipped ŷ gets no gradient)",
        "Keras의 ε = 1e-7 보다 작은 값이 있어 Keras처럼 max(·, ε) 를 씁니다 (잘린 ŷ 의 기울기는 0)",
    ),
    "hidden": (
        "the steps of {n} of the {total} samples are hidden: --sample {last} (or 5,7) shows "
        "them; the result holds every value",
        "샘플 {total}개 중 {n}개의 단계는 생략했습니다. --sample {last} (또는 5,7)로 볼 수 "
        "있고, 결과에는 모든 값이 있습니다",
    ),
    "svm_note": (
        "CS231n's multiclass SVM loss, L_i = Σ_{{j≠y}} max(0, s_j − s_y + Δ); torch's "
        "F.multi_margin_loss also divides each L_i by the number of classes, C = {c}",
        "CS231n의 다중 클래스 SVM 손실 L_i = Σ_{{j≠y}} max(0, s_j − s_y + Δ). torch의 "
        "F.multi_margin_loss 는 각 L_i 를 클래스 수 C = {c}로 한 번 더 나눕니다",
    ),
    "kink": (
        "a margin of exactly 0 passes no gradient, as in torch's ReLU and F.multi_margin_loss",
        "마진이 정확히 0이면 torch의 ReLU, F.multi_margin_loss 처럼 기울기는 0입니다",
    ),
    "not_normalised": (
        "the probabilities of a sample do not sum to 1; if they are scores, give --logits",
        "한 샘플의 확률 합이 1이 아닙니다. 점수(로짓)라면 --logits 를 주세요",
    ),
    "keras_note": (
        "Keras convention: a sample's loss is the mean over its last axis; mean (Keras' "
        "sum_over_batch_size) averages the samples, sum adds them, none keeps them",
        "Keras 규약: 샘플의 손실은 마지막 축의 평균입니다. mean (Keras의 sum_over_batch_size)"
        "은 샘플 평균, sum 은 샘플 손실의 합, none 은 샘플별 값입니다",
    ),
    "none_note": ("none: grad_pred is the gradient of the sum", "none: grad_pred 는 합의 기울기"),
    "shape": ("shape {shape} does not match {option} ({other})", "크기 {shape} ≠ {option} {other}"),
    "not_sign": ("hinge targets are −1 or 1, got {value}", "힌지 정답은 ±1 입니다: {value}"),
    "scores_shape": (
        "needs the class scores of one sample (a vector) or N×C, got shape {shape}",
        "샘플 하나의 점수 벡터 또는 N×C 행렬이 필요합니다 (입력 크기 {shape})",
    ),
    "index_range": ("class index {value} is out of range 0 to {n}", "클래스 {value}: 0~{n} 밖"),
    "class_target": (
        "expected {n} class index(es) or one-hot rows of shape {shape}, got shape {got}",
        "클래스 번호 {n}개 또는 크기 {shape}의 원-핫 행이 필요합니다 (입력 크기 {got})",
    ),
    "one_class": ("each row must be one-hot: one class", "각 행은 원-핫이어야 합니다"),
    "infinite": ("probability 0 for a target class: infinite loss", "정답 확률 0: 손실 무한대"),
    "not_probability_target": ("probabilities are in [0, 1], got {value}", "확률은 0~1: {value}"),
    "not_probability_pred": (
        "probabilities must be in [0, 1], got {value} (scores need --logits)",
        "확률은 0과 1 사이여야 합니다 (입력: {value}; 점수라면 --logits)",
    ),
    "no_class": (
        "a target row gives no class any weight (one-hot or probabilities that sum to 1)",
        "타깃의 한 행이 어느 클래스에도 가중치를 주지 않습니다 (원-핫 또는 합이 1인 확률)",
    ),
}
