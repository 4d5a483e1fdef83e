"""Texts of ``outsize``."""

TEXT = {
    "title": ("output size · {kind}", "출력 크기 · {kind}"),
    "kind_conv": ("convolution", "합성곱"),
    "kind_pool": ("pooling", "풀링"),
    "kind_transpose": ("transposed convolution", "전치 합성곱"),
    "subtitle": (
        "input {shape}, kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}",
        "입력 {shape}, 커널 {kernel}, 스트라이드 {stride}, 패딩 {padding}, 팽창 {dilation}",
    ),
    "height": ("height", "높이"),
    "width": ("width", "너비"),
    "span": ("{axis}: span of the kernel D(K − 1) + 1", "{axis}: 커널이 덮는 길이 D(K − 1) + 1"),
    "quotient": ("{axis}: (H + 2P − D(K − 1) − 1)/S", "{axis}: (H + 2P − D(K − 1) − 1)/S"),
    "output": ("{axis}: output size", "{axis}: 출력 크기"),
    "output_transpose": ("{axis}: output size (transposed)", "{axis}: 출력 크기 (전치)"),
    "channels": ("channels", "채널 수"),
    "not_whole": (
        "{axis}: (H + 2P − D(K − 1) − 1)/S = {value} is not whole; PyTorch floors it "
        "(the last {lost} input row(s)/column(s) are never covered); some courses "
        "(CS231n) call this setting invalid",
        "{axis}: (H + 2P − D(K − 1) − 1)/S = {value} 가 정수가 아닙니다. PyTorch는 내림합니다 "
        "(마지막 {lost}개 행/열은 쓰이지 않음). 일부 강의(CS231n)는 이 설정을 허용하지 않습니다",
    ),
    "ceil_note": (
        "{axis}: ceil mode rounds up, but a window may not start in the right padding, "
        "so PyTorch drops the last one here",
        "{axis}: ceil 모드는 올림하지만, 창이 오른쪽 패딩에서 시작할 수 없어 PyTorch는 마지막 창을 "
        "버립니다",
    ),
    "same_note": (
        "padding 'same' keeps the size: total padding D(K − 1) = {total} on {axis}, "
        "{before} before and {after} after",
        "'same' 패딩은 크기를 유지합니다: {axis} 방향 전체 패딩 D(K − 1) = {total}, "
        "앞 {before} · 뒤 {after}",
    ),
    "same_strided": (
        "padding 'same' with stride {stride}: PyTorch refuses it; TensorFlow/Keras give "
        "ceil(H/S), which is shown here",
        "스트라이드 {stride}의 'same' 패딩: PyTorch는 허용하지 않으며, TensorFlow/Keras 방식 "
        "ceil(H/S)로 계산했습니다",
    ),
    "same_output": ("{axis}: output size ('same')", "{axis}: 출력 크기 ('same')"),
    "solve_found": (
        "padding {padding} gives output {output} on {axis}",
        "{axis} 방향: 패딩 {padding}이면 출력 {output}",
    ),
    "solve_none": (
        "no padding P ≥ 0 gives output {output} on {axis}",
        "{axis} 방향: 출력 {output}을 만드는 패딩 P ≥ 0 이 없습니다",
    ),
    "solve_title": ("{axis}: padding for output {output}", "{axis}: 출력 {output}을 위한 패딩"),
}
