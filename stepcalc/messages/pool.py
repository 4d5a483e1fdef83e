"""Texts of ``pool``."""

TEXT = {
    "title_max": ("pool · max", "풀링 · 최대"),
    "title_avg": ("pool · average", "풀링 · 평균"),
    "note_max": (
        "max pooling: padding cells never win (PyTorch pads with −∞); on a tie the first "
        "maximum in row-major order wins",
        "최대 풀링: 패딩 칸은 선택되지 않고(PyTorch는 −∞로 채움), 같은 값이면 행 우선 순서로 "
        "첫 번째 최대값이 선택됩니다",
    ),
    "note_avg1": (
        "count_include_pad=True (PyTorch's default): padding cells count in the divisor n",
        "count_include_pad=True (PyTorch 기본값): 패딩 칸도 나눗수 n에 포함됩니다",
    ),
    "note_avg0": (
        "count_include_pad=False (Keras): only the input's own cells count in the divisor n",
        "count_include_pad=False (Keras): 입력 자신의 칸만 나눗수 n에 포함됩니다",
    ),
    "note_ceil": (
        "ceil mode: a last, partial window is kept when it starts inside the input or the "
        "padding before it; its part past the padding never counts",
        "ceil 모드: 입력이나 앞쪽 패딩 안에서 시작하는 마지막 부분 창을 유지하며, 패딩을 넘는 "
        "부분은 세지 않습니다",
    ),
    "divisor": (
        "divisor of each window: its rows × columns counted",
        "각 창의 나눗수: 세는 행 수 × 열 수",
    ),
    "cell": ("window ({cell})", "창 ({cell})"),
    "max_at": ("max at X[{cell}]", "최대값 위치 X[{cell}]"),
    "output": ("output: every window at once", "출력 전체"),
    "route": (
        "window ({window}): G goes to its first maximum X[{at}]",
        "창 ({window}): G는 첫 번째 최대값 X[{at}]로",
    ),
    "cell_grad_input": (
        "input gradient, cell ({cell}): what it receives",
        "입력 기울기 ({cell}): 받은 값의 합",
    ),
    "padding_half": (
        "pooling padding must be at most half the kernel ({half} for kernel {kernel}), got {value}",
        "풀링 패딩은 커널의 절반 이하여야 합니다 (커널 {kernel}이면 {half}, 입력: {value})",
    ),
    "window_too_big": (
        "the window {kernel} is larger than the padded input {padded}",
        "창 {kernel}이(가) 패딩한 입력 {padded}보다 큽니다",
    ),
}
