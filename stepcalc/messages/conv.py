"""Texts of ``conv`` (and ``conv --transpose``)."""

TEXT = {
    "title": ("conv", "합성곱"),
    "title_transpose": ("conv · transposed", "전치 합성곱"),
    "op_correlation": ("cross-correlation", "교차상관"),
    "op_convolution": ("true convolution (kernel flipped)", "실제 합성곱 (커널 뒤집기)"),
    "op_transpose": ("transposed convolution", "전치 합성곱"),
    "stride": ("stride {value}", "스트라이드 {value}"),
    "padding": ("padding {value}", "패딩 {value}"),
    "dilation": ("dilation {value}", "팽창 {value}"),
    "groups": ("groups {value}", "그룹 {value}"),
    "output_padding": ("output padding {value}", "출력 패딩 {value}"),
    "out_size": ("output {h}×{w}", "출력 {h}×{w}"),
    "input_label": ("input X", "입력 X"),
    "kernel_label": ("kernel W", "커널 W"),
    "bias_label": ("bias b", "편향 b"),
    "height": ("height", "높이"),
    "width": ("width", "너비"),
    "note_correlation": (
        "cross-correlation, as PyTorch, d2l and CS231n compute it: the kernel slides over the "
        "input unflipped; each output cell is the sum of window ⊙ kernel",
        "PyTorch, d2l, CS231n과 같은 교차상관: 커널을 뒤집지 않고 입력 위를 이동하며, 각 출력 "
        "칸은 창(window) ⊙ 커널의 합입니다",
    ),
    "note_convolution": (
        "true convolution (--flip): the kernel is rotated 180° and then slid like a "
        "cross-correlation, so window cell (a, b) meets w[kh−1−a, kw−1−b]",
        "실제 합성곱(--flip): 커널을 180° 회전한 뒤 교차상관처럼 이동합니다. 창의 (a, b) 칸은 "
        "w[kh−1−a, kw−1−b]와 곱해집니다",
    ),
    "note_transpose": (
        "transposed convolution (PyTorch conv_transpose2d): every input cell scatters "
        "cell × kernel into the output at (i·S − P, j·S − P); overlapping pieces add up",
        "전치 합성곱(PyTorch conv_transpose2d): 입력의 각 칸이 칸 × 커널을 출력의 "
        "(i·S − P, j·S − P) 위치에 흩뿌리고, 겹치는 부분은 더해집니다",
    ),
    "note_same": (
        "padding 'same': {top} row(s) on top, {bottom} at the bottom, {left} column(s) on the "
        "left, {right} on the right (the extra one goes after, as in PyTorch/TensorFlow)",
        "'same' 패딩: 위 {top}행, 아래 {bottom}행, 왼쪽 {left}열, 오른쪽 {right}열 "
        "(남는 하나는 뒤쪽에, PyTorch/TensorFlow와 같음)",
    ),
    "note_floor": (
        "{axis}: the stride does not divide evenly; PyTorch floors, so the last {lost} padded "
        "row(s)/column(s) are never covered (their input gradient is 0)",
        "{axis}: 스트라이드로 나누어떨어지지 않아 PyTorch는 내림합니다. 마지막 {lost}개 행/열은 "
        "쓰이지 않습니다 (입력 기울기 0)",
    ),
    "note_elided": (
        "more than {limit} cells per channel (or very long sums): one step holds the whole "
        "tensor; JSON carries every value",
        "채널당 {limit}칸 초과(또는 아주 긴 합): 전체 텐서를 한 단계로 보여 줍니다. JSON에는 "
        "모든 값이 있습니다",
    ),
    "note_flip_back": (
        "backward with --flip: the forward kernel was rot180(W); rotated back it is W itself, "
        "so the full correlation uses W unrotated",
        "--flip 역전파: 순전파 커널이 rot180(W)였으므로 다시 회전하면 W 자신입니다. 완전 상관에는 "
        "W를 그대로 씁니다",
    ),
    "rotated": ("kernel rotated 180°", "180° 회전한 커널"),
    "padded_input": ("padded input", "패딩한 입력"),
    "output": ("output O", "출력 O"),
    "upstream": ("upstream ∂L/∂O", "상류 기울기 ∂L/∂O"),
    "ones_note": (
        "--backward: loss = sum of the outputs, so every ∂L/∂O is 1",
        "--backward: 손실 = 출력의 합이므로 모든 ∂L/∂O 는 1",
    ),
    "grad_weight": ("∂L/∂W (kernel)", "∂L/∂W (커널 기울기)"),
    "grad_input": ("∂L/∂X (input)", "∂L/∂X (입력 기울기)"),
    "grad_padded": ("∂L/∂X_pad", "∂L/∂X_pad (패딩 포함)"),
    "dilated": ("upstream dilated", "팽창한 상류 기울기"),
    "dilated_note": (
        "stride: {sh} zero row(s) and {sw} zero column(s) between neighbours",
        "스트라이드: 이웃 사이에 0인 행 {sh}개, 열 {sw}개",
    ),
    "padded_upstream": ("upstream padded", "패딩한 상류 기울기"),
    "padded_upstream_note": (
        "full correlation: D(K − 1) = {ph}, {pw} zeros on each side",
        "완전 상관: 각 변에 D(K − 1) = {ph}, {pw}만큼 0 채움",
    ),
    "padded_upstream_extra": (
        "; more at the end for the rows/columns the stride skipped",
        "; 스트라이드로 건너뛴 행/열만큼 끝에 더 채움",
    ),
    "crop_note": (
        "drop the padding rows and columns: they are not part of the input",
        "패딩 행과 열을 잘라냅니다: 입력의 일부가 아닙니다",
    ),
    "scatter_note": (
        "placed with its top-left corner at output ({row}, {col})",
        "출력 ({row}, {col})을 왼쪽 위 모서리로 놓음",
    ),
}
