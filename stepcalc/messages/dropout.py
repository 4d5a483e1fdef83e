"""Texts of ``dropout`` (standard and inverted dropout)."""

TEXT = {
    "title": ("dropout · standard vs inverted", "드롭아웃 · 일반 대 역 드롭아웃"),
    "subtitle": (
        "keep probability p_keep = {keep} (drop probability {drop})",
        "유지 확률 p_keep = {keep} (드롭 확률 {drop})",
    ),
    "seed": (", mask seed {seed}", ", 마스크 시드 {seed}"),
    "keep_from_drop": ("keep probability", "유지 확률"),
    "draw": ("mask m ~ Bernoulli(p_keep)", "마스크 m ~ 베르누이(p_keep)"),
    "draw_rule": ("1 if u < p_keep, else 0", "u < p_keep 이면 1, 아니면 0"),
    "draw_note": (
        "u ~ U[0, 1) from NumPy default_rng({seed}); the same --seed replays this mask",
        "u ~ U[0, 1)는 NumPy default_rng({seed})로 뽑았습니다. 같은 --seed로 이 마스크를 다시 "
        "만들 수 있습니다",
    ),
    "diag": ("D = diag(m)", "D = diag(m)"),
    "weights_masked": ("W·D", "W·D"),
    "columns_note": (
        "W·D zeroes the columns of the dropped units: a thinner sub-network",
        "W·D 는 꺼진 뉴런의 열을 0으로 만듭니다: 더 얇은 부분 신경망",
    ),
    "standard": ("standard", "일반"),
    "inverted": ("inverted", "역"),
    "train_h": ("{mode}: train h", "{mode}: 훈련 h"),
    "test_h": ("{mode}: test h", "{mode}: 추론 h"),
    "z_train": ("{mode}: z_train = w·h", "{mode}: z_train = w·h"),
    "z_test": ("{mode}: z_test = w·h", "{mode}: z_test = w·h"),
    "grad": ("{mode}: ∂L/∂x", "{mode}: ∂L/∂x"),
    "h_train": ("h train", "훈련 h"),
    "h_test": ("h test", "추론 h"),
    "train": ("train", "훈련"),
    "test": ("test", "추론"),
    "table": ("{mode} dropout", "{mode} 드롭아웃"),
    "rows_hidden": ("first {shown} of {total} shown", "{total}개 중 앞 {shown}개만 표시"),
    "mean_h": ("{mode}: mean train h, {k} masks", "{mode}: 마스크 {k}개의 훈련 h 평균"),
    "mean_z": ("{mode}: mean z_train, {k} masks", "{mode}: 마스크 {k}개의 z_train 평균"),
    "mean": ("mean", "평균"),
    "samples_table": ("{k} random masks", "무작위 마스크 {k}개"),
    "samples_note": (
        "E[x ⊙ m] = p_keep·x, so the standard train output averages to its test output "
        "p_keep·x, and the inverted one to x",
        "E[x ⊙ m] = p_keep·x 이므로 일반 드롭아웃의 훈련 출력 평균은 추론 출력 p_keep·x 에, "
        "역 드롭아웃은 x 에 가까워집니다",
    ),
    "keep_note": (
        "standard dropout weakens the training signal to p_keep on average and scales by p_keep "
        "at test time; inverted dropout (PyTorch's nn.Dropout) divides by p_keep while training, "
        "so testing uses x unchanged",
        "일반 드롭아웃은 훈련 신호가 평균 p_keep배로 약해지므로 추론 때 p_keep을 곱하고, 역 "
        "드롭아웃(PyTorch nn.Dropout)은 훈련 때 p_keep으로 나누어 추론 때는 x를 그대로 씁니다",
    ),
    "slide_note": (
        "the slides scale the weights instead: w_test = p_keep·w = {w}, and x·w_test gives the "
        "same standard z_test",
        "슬라이드처럼 가중치를 줄여도 됩니다: w_test = p_keep·w = {w}, x·w_test 는 같은 일반 "
        "z_test를 줍니다",
    ),
}
