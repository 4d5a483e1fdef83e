"""Texts of ``conv`` (and ``conv --transpose``), and those ``pool`` shares."""

TEXT = {
    "title": ("conv", "합성곱"),
    "op_correlation": ("cross-correlation (as PyTorch, d2l)", "교차상관 (PyTorch, d2l과 같음)"),
    "op_convolution": ("true convolution (kernel flipped)", "실제 합성곱 (커널 뒤집기)"),
    "op_transpose": ("transposed convolution", "전치 합성곱"),
    "kernel": ("kernel {value}", "커널 {value}"),
    "stride": ("stride {value}", "스트라이드 {value}"),
    "padding": ("padding {value}", "패딩 {value}"),
    "dilation": ("dilation {value}", "팽창 {value}"),
    "groups": ("groups {value}", "그룹 {value}"),
    "out_size": ("output {h}×{w}", "출력 {h}×{w}"),
    "note_convolution": (
        "true convolution (--flip): the kernel rotated 180° slides like a cross-correlation",
        "실제 합성곱(--flip): 180° 회전한 커널이 교차상관처럼 이동합니다",
    ),
    "note_transpose": (
        "transposed convolution (PyTorch conv_transpose2d): each input cell adds cell × kernel "
        "at (i·S − P, j·S − P); written as a correlation of the input with S−1 zeros between "
        "its cells and D(K−1)−P around them, and the kernel rotated 180°",
        "전치 합성곱(PyTorch conv_transpose2d): 입력의 각 칸이 칸 × 커널을 (i·S − P, j·S − P)에 "
        "더합니다. 입력 칸 사이에 0을 S−1개, 둘레에 D(K−1)−P개 넣고 180° 회전한 커널과 "
        "상관한 것과 같습니다",
    ),
    "note_same": (
        "padding 'same' (TensorFlow/Keras): {top} row(s) on top, {bottom} at the bottom, {left} "
        "column(s) left, {right} right",
        "'same' 패딩(TensorFlow/Keras): 위 {top}행, 아래 {bottom}행, 왼쪽 {left}열, "
        "오른쪽 {right}열",
    ),
    "note_floor": (
        "the stride never reaches the last {rows} padded row(s) and {cols} column(s) (PyTorch "
        "floors): X_pad leaves them out and their input gradient is 0",
        "스트라이드가 마지막 {rows}행, {cols}열에 닿지 않습니다 (PyTorch는 내림). X_pad에서 빠지고 "
        "입력 기울기는 0입니다",
    ),
    "note_flip_back": (
        "--flip: the forward kernel was rot180(W); rotated back, the input gradient uses W",
        "--flip: 순전파 커널이 rot180(W)였으므로 입력 기울기에는 다시 회전한 W를 씁니다",
    ),
    "hidden": (
        "{part}: {shown} of {total} cells are written out; --cells {total} --only {part} shows "
        "them all (the JSON result holds every value)",
        "{part}: {total}칸 중 {shown}칸만 풀어 썼습니다. --cells {total} --only {part} 로 모두 "
        "볼 수 있습니다 (JSON 결과에는 모든 값이 있음)",
    ),
    "sides_note": ("P = top, bottom, left, right", "P = 위, 아래, 왼쪽, 오른쪽"),
    "ones_note": ("--backward: loss = Σ outputs, ∂L/∂O = 1", "--backward: 손실 = 출력의 합"),
    "full_note": (
        "S−1 zeros between cells, D(K−1)−P around them (fewer: cut off)",
        "칸 사이에 0을 S−1개, 둘레에 D(K−1)−P개 (음수면 잘라냄)",
    ),
    "rotated": ("kernel rotated 180°", "180° 회전한 커널"),
    "padded_input": ("input padded with zeros", "0으로 패딩한 입력"),
    "padded_upstream": ("upstream padded like the output", "출력처럼 패딩한 상류 기울기"),
    "padded_full": ("{name} dilated by S, padded for the correlation", "S만큼 팽창·패딩한 {name}"),
    "cell": (
        "{what} ({cell}): window of {source} ⊙ {kernel}",
        "{what} ({cell}): {source}의 창 ⊙ {kernel}",
    ),
    "cell_output": ("output cell", "출력 칸"),
    "cell_grad_weight": ("kernel gradient, cell", "커널 기울기 칸"),
    "cell_grad_input": ("input gradient, cell", "입력 기울기 칸"),
    "output": ("output: every cell at once", "출력 전체"),
    "upstream": ("upstream gradient ∂L/∂O", "상류 기울기 ∂L/∂O"),
    "grad_bias": ("bias gradient: the upstream summed", "편향 기울기: 상류 기울기의 합"),
    "grad_weight": ("kernel gradient: every cell at once", "커널 기울기 전체"),
    "grad_weight_back": ("kernel gradient: rotated back", "커널 기울기: 다시 회전"),
    "grad_input": ("input gradient: every cell at once", "입력 기울기 전체"),
    # ---- errors
    "limit": (
        "the padded tensors would have {count} elements, above the limit of {limit}",
        "패딩한 텐서의 원소가 {count}개로 한도 {limit}개를 넘습니다",
    ),
    "groups_channels": (
        "{groups} groups do not divide the {channels} input channels",
        "그룹 {groups}개로 입력 채널 {channels}개를 나눌 수 없습니다",
    ),
    "groups_filters": (
        "{groups} groups do not divide the {filters} filters of the kernel",
        "그룹 {groups}개로 커널의 필터 {filters}개를 나눌 수 없습니다",
    ),
    "kernel_channels": (
        "the kernel {kernel} takes {takes} input channel(s) but the input {input} has {channels}",
        "커널 {kernel}은(는) 입력 채널 {takes}개를 받지만 입력 {input}의 채널은 {channels}개입니다",
    ),
    "one_filter": (
        "a 2-D input takes one filter kh×kw, got {kernel} (give the input as C×H×W)",
        "2차원 입력에는 필터 하나(kh×kw)만 쓸 수 있습니다 (입력: {kernel}; 입력을 C×H×W로 주세요)",
    ),
    "bias_size": (
        "expected {wanted} number(s), one per output channel, got {count}",
        "출력 채널마다 하나씩 숫자 {wanted}개가 필요합니다 (입력: {count}개)",
    ),
    "kernel_too_big": (
        "the kernel {kernel} spans {span} but the padded input is only {padded}",
        "커널 {kernel}의 범위는 {span}인데 패딩한 입력은 {padded}뿐입니다",
    ),
    "same_transpose": (
        "'same' is not defined for a transposed convolution",
        "전치 합성곱에는 'same' 패딩이 없습니다",
    ),
    "output_padding": (
        "must be smaller than the stride or the dilation ({limit}), got {value}",
        "스트라이드나 팽창({limit})보다 작아야 합니다 (입력: {value})",
    ),
    "transpose_empty": (
        "the transposed output would be {h}×{w}; use less padding",
        "전치 합성곱의 출력이 {h}×{w}이 됩니다. 패딩을 줄이세요",
    ),
    "grad_shape": (
        "shape {shape} does not match the output shape {expected}",
        "크기 {shape}이(가) 출력 크기 {expected}와 맞지 않습니다",
    ),
}
