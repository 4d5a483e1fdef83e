"""Texts of ``outsize``."""

TEXT = {
    "title": ("output size · {kind}", "출력 크기 · {kind}"),
    "kind_conv": ("convolution", "합성곱"),
    "kind_pool": ("pooling", "풀링"),
    "kind_transpose": ("transposed convolution", "전치 합성곱"),
    "kind_stack": ("stack of layers", "층 쌓기"),
    "kind_spp": ("spatial pyramid pooling", "공간 피라미드 풀링"),
    "kind_roi": ("ROI pooling", "ROI 풀링"),
    "height": ("height", "높이"),
    "width": ("width", "너비"),
    "both": ("height and width", "높이와 너비"),
    "output": ("output {axis}", "출력 {axis}"),
    "effective": ("effective kernel along the {axis}", "{axis} 방향 유효 커널"),
    "channels": ("output channels: one per filter", "출력 채널: 필터마다 하나"),
    "stack_output": ("layer {n}: output {axis}", "{n}번째 층: 출력 {axis}"),
    "receptive": ("layer {n}: receptive field", "{n}번째 층: 수용 영역"),
    "jump": ("layer {n}: jump, the strides multiplied", "{n}번째 층: 점프(스트라이드의 곱)"),
    "level": ("level {n}, ", "레벨 {n}, "),
    "win": ("{where}: window", "{where}: 창 크기"),
    "str": ("{where}: stride", "{where}: 스트라이드"),
    "features": ("features after pooling", "풀링 뒤 특성 수"),
    "not_whole": (
        "{axis}: ({X} + 2P − D(K − 1) − 1)/S = {value} is not whole; PyTorch floors it, leaving "
        "the last {lost} of {padded} padded positions uncovered (CS231n calls this invalid)",
        "{axis}: ({X} + 2P − D(K − 1) − 1)/S = {value}가 정수가 아님. PyTorch는 내림: 패딩 포함 "
        "{padded}칸 중 마지막 {lost}칸은 안 쓰임 (CS231n은 허용 안 함)",
    ),
    "ceil_note": ("no window starts in the padding (PyTorch)", "패딩에서 시작하는 창 없음"),
    "same_note": (
        "padding 'same' keeps the {axis}: {before} before, {after} after",
        "'same' 패딩은 {axis}를 유지: 앞 {before} · 뒤 {after}",
    ),
    "same_strided": (
        "padding 'same' with stride {stride}: PyTorch refuses it; TensorFlow/Keras give ⌈H/S⌉",
        "스트라이드 {stride}의 'same' 패딩: PyTorch는 허용하지 않고 TensorFlow/Keras는 ⌈H/S⌉",
    ),
    "solve_found": (
        "padding {padding} gives the {axis} {output}",
        "패딩 {padding}이면 {axis} {output}",
    ),
    "solve_none": ("no padding gives the {axis} {output}", "{axis} {output}인 패딩 없음"),
    "uneven": (
        "{where}: {size}/{n} is not whole; SPP-net's windows of {win} every {str} give {count} "
        "bins; PyTorch's adaptive pooling (and torchvision's ROI pooling) gives {n}, bin i "
        "covering ⌊i·{size}/{n}⌋ to ⌈(i+1)·{size}/{n}⌉−1, so bins may overlap",
        "{where}: {size}/{n}이(가) 정수가 아닙니다. SPP-net 방식(창 {win}, 간격 {str})은 구간 "
        "{count}개, PyTorch 적응형 풀링(torchvision ROI 풀링도)은 {n}개: 구간 i는 "
        "⌊i·{size}/{n}⌋부터 ⌈(i+1)·{size}/{n}⌉−1까지이며 겹칠 수 있습니다",
    ),
    "empty": (
        "the kernel spans {span} but the padded {axis} is {padded}: the output would be empty",
        "커널이 {span}칸을 덮지만 패딩한 {axis}는 {padded}입니다: 출력이 비게 됩니다",
    ),
    "empty_transpose": ("the output {axis} would be below 1", "출력 {axis}가 1보다 작아집니다"),
    "same_transpose": ("'same' is not defined for transpose", "전치 합성곱에는 'same'이 없습니다"),
    "pool_padding": ("at most half the kernel {k}, got {p}", "커널 {k}의 절반 이하 (입력: {p})"),
    "output_padding": ("below the stride or dilation {limit}, got {a}", "{limit} 미만 (입력: {a})"),
    "stack_item": ("layer {n}: {item} is not k=N, s=N, d=N or p=N", "{n}층: {item}이 k=N 꼴 아님"),
    "stack_kernel": ("layer {n} needs a kernel k=N", "{n}번째 층에 커널 k=N이 필요합니다"),
    "stack_empty": ("layer {n}: the output {axis} would be empty", "{n}층: 출력 {axis}가 빔"),
}
