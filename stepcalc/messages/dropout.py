"""Texts of ``dropout`` (standard and inverted dropout)."""

TEXT = {
    "title": ("dropout · standard vs inverted", "드롭아웃 · 일반 대 역 드롭아웃"),
    "subtitle": ("p_keep = {keep}, p_drop = {drop}", "p_keep = {keep}, p_drop = {drop}"),
    "seed": (", mask seed {seed}", ", 마스크 시드 {seed}"),
    "keep_from_drop": ("keep probability from the drop probability", "드롭 확률에서 유지 확률"),
    "draw": ("mask: a unit is kept when its u < p_keep", "마스크: u < p_keep 인 뉴런을 유지"),
    "draw_note": (
        "u ~ U[0, 1) from NumPy default_rng({seed}); the same --seed replays this mask",
        "u ~ U[0, 1)는 NumPy default_rng({seed})로 뽑았습니다. 같은 --seed로 다시 만듭니다",
    ),
    "diag": ("the mask as a diagonal matrix D", "마스크를 대각 행렬 D로"),
    "weights_masked": ("W·D: dropped units' weights zeroed", "W·D: 꺼진 뉴런의 가중치를 0으로"),
    "columns_note": (
        "W·D zeroes the dropped units' columns",
        "W·D는 꺼진 뉴런의 열을 0으로 만듭니다",
    ),
    "standard": ("standard dropout", "일반 드롭아웃"),
    "inverted": ("inverted dropout", "역 드롭아웃"),
    "train_output": ("{mode}, training: output h", "{mode}, 훈련: 출력 h"),
    "test_output": ("{mode}, testing: output h", "{mode}, 추론: 출력 h"),
    "z_train": ("{mode}, training: z = w·h", "{mode}, 훈련: z = w·h"),
    "z_test": ("{mode}, testing: z = w·h", "{mode}, 추론: z = w·h"),
    "grad": ("{mode}: gradient at the input", "{mode}: 입력의 기울기"),
    "mean_h": ("{mode}: mean training h, {k} masks", "{mode}: 마스크 {k}개의 훈련 h 평균"),
    "mean_z": ("{mode}: mean z over {k} masks", "{mode}: 마스크 {k}개의 z 평균"),
    "mean": ("mean", "평균"),
    "samples_table": ("{k} random masks", "무작위 마스크 {k}개"),
    "samples_note": (
        "c counts how often each unit was kept; E[x ⊙ m] = p_keep·x: the mean training output "
        "tends to the test output (p_keep·x standard, x inverted)",
        "c는 각 뉴런이 유지된 횟수; E[x ⊙ m] = p_keep·x: 훈련 출력 평균은 추론 출력(일반 "
        "p_keep·x, 역 x)에 가까워집니다",
    ),
    "keep_note": (
        "standard dropout weakens training by p_keep on average and scales by p_keep at test time;"
        " inverted dropout (PyTorch's nn.Dropout) divides by p_keep in training, tests on x",
        "일반 드롭아웃은 훈련 신호가 평균 p_keep배이므로 추론 때 p_keep을 곱하고, 역 드롭아웃"
        "(PyTorch nn.Dropout)은 훈련 때 p_keep으로 나누어 추론 때 x를 그대로 씁니다",
    ),
    "slide_note": (
        "the slides scale the weights instead: w_test = p_keep·w, and x·w_test gives the same "
        "standard z_test",
        "슬라이드처럼 가중치를 줄여도 됩니다: w_test = p_keep·w, x·w_test 는 같은 일반 z_test를 "
        "줍니다",
    ),
    "drop_all": (
        "p_keep = 0: every unit is dropped, so every training output (and gradient) is 0; "
        "inverted dropout then skips the division by p_keep, as PyTorch does for p = 1",
        "p_keep = 0: 모든 뉴런이 꺼지므로 훈련 출력(과 기울기)은 모두 0입니다; 역 드롭아웃은 "
        "PyTorch가 p = 1일 때처럼 p_keep으로 나누지 않습니다",
    ),
    "no_division": ("p_keep = 0: no division", "p_keep = 0: 나누지 않음"),
    "mask_values": (
        "values must be 0 or 1, got {value} at position {position}",
        "값은 0 또는 1이어야 합니다 (위치 {position}: {value})",
    ),
    "mask_keeps": (
        "keeps unit {position}, but p_keep is 0",
        "p_keep이 0인데 {position}번을 유지함",
    ),
    "weights_vector": (
        "expected {n} numbers or a matrix with {n} columns (one per unit of --input), got {shape}",
        "숫자 {n}개 또는 열이 {n}개인 행렬이 필요합니다 (--input 뉴런마다 하나; 입력: {shape})",
    ),
    "seed_with_mask": (
        "not used with --mask (give one of them, or add --samples)",
        "--mask와 함께 쓰지 않습니다 (둘 중 하나만 주거나 --samples를 더하세요)",
    ),
}
