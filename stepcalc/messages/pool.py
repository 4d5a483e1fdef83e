"""Texts of ``pool``."""

TEXT = {
    "title_max": ("pool · max", "풀링 · 최대"),
    "title_avg": ("pool · average", "풀링 · 평균"),
    "subtitle": (
        "kernel {kernel}, stride {stride}, padding {padding}   output {h}×{w}",
        "커널 {kernel}, 스트라이드 {stride}, 패딩 {padding}   출력 {h}×{w}",
    ),
    "input_label": ("input X", "입력 X"),
    "note_max": (
        "max pooling: each output cell is the largest value of its window; padding cells never "
        "win (PyTorch pads with −∞); on a tie the first maximum in row-major order wins",
        "최대 풀링: 각 출력 칸은 창에서 가장 큰 값입니다. 패딩 칸은 선택되지 않으며(PyTorch는 "
        "−∞로 채움), 같은 값이 여럿이면 행 우선 순서로 첫 번째 최대값이 선택됩니다",
    ),
    "note_avg": (
        "average pooling: each output cell is the mean of its window; padding cells count as 0 "
        "in the divisor (PyTorch count_include_pad=True)",
        "평균 풀링: 각 출력 칸은 창의 평균입니다. 패딩 칸은 0으로 나눗수에 포함됩니다 "
        "(PyTorch count_include_pad=True)",
    ),
    "note_ceil": (
        "ceil mode: the division is rounded up, so a last, partial window is kept when it starts "
        "inside the input or the left padding",
        "ceil 모드: 나눗셈을 올림하여, 입력이나 왼쪽 패딩 안에서 시작하는 마지막 부분 창을 "
        "유지합니다",
    ),
    "note_elided": (
        "more than {limit} cells per channel: one step holds the whole tensor; JSON carries "
        "every value",
        "채널당 {limit}칸 초과: 전체 텐서를 한 단계로 보여 줍니다. JSON에는 모든 값이 있습니다",
    ),
    "padded_input": ("padded input", "패딩한 입력"),
    "max_at": ("max at X{cell}", "최대값 위치 X{cell}"),
    "output": ("output O", "출력 O"),
    "upstream": ("upstream ∂L/∂O", "상류 기울기 ∂L/∂O"),
    "ones_note": (
        "--backward: loss = sum of the outputs, so every ∂L/∂O is 1",
        "--backward: 손실 = 출력의 합이므로 모든 ∂L/∂O 는 1",
    ),
    "route_rule": ("to the max cell", "최대값 칸으로 전달"),
    "grad_input": ("∂L/∂X (input)", "∂L/∂X (입력 기울기)"),
    "grad_rule_max": (
        "G routed to each window's max; others 0",
        "G를 각 창의 최대값 칸으로, 나머지는 0",
    ),
    "grad_rule_avg": ("G / n spread over each window", "G / n 을 창 전체에 분배"),
}
