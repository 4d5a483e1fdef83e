"""Texts of ``params``."""

TEXT = {
    "title": ("parameter count", "파라미터 수"),
    "subtitle": ("input {shape} · convention {convention}", "입력 {shape} · 규칙 {convention}"),
    "layer": ("{name}: parameters", "{name}: 파라미터"),
    "flatten": ("{name}: features after flattening", "{name}: 펼친 뒤 특성 수"),
    "total": ("total parameters: the layers summed", "전체 파라미터: 층별 합"),
    "trainable": ("trainable: all but the running statistics", "학습 가능: 이동 통계를 뺀 수"),
    "keras_note": (
        "Keras counts BatchNorm's running mean and variance as non-trainable parameters "
        "(4·C in total, 2·C trainable); PyTorch keeps them as buffers (2·C parameters)",
        "Keras는 BatchNorm의 이동 평균·분산을 학습되지 않는 파라미터로 셉니다(전체 4·C, 학습 "
        "2·C). PyTorch는 이를 버퍼로 두어 파라미터는 2·C입니다",
    ),
    "layers_table": ("layers", "층"),
    "col_layer": ("layer", "층"),
    "col_kind": ("kind", "종류"),
    "col_params": ("params", "파라미터"),
    "col_shape": ("output shape", "출력 크기"),
    # ---- errors
    "in_layer": ("layer {n}{where}: {problem}", "{n}번째 층{where}: {problem}"),
    "no_layers": ("layers must be a list with at least one layer", "layers는 층의 목록이어야 함"),
    "layer_form": (
        "write a layer as a name (relu) or a mapping of one kind (conv: …)",
        "층은 이름(relu) 또는 종류 하나의 매핑(conv: …)으로 쓰세요",
    ),
    "unknown_kind": ("unknown layer kind {kind} (known: {known})", "모르는 층 {kind} ({known})"),
    "unknown_key": ("unknown key {name} (valid: {valid})", "모르는 키 {name} (가능: {valid})"),
    "give": ("give {name}", "{name}을(를) 지정하세요"),
    "mismatch": ("{name} is {value} but the input gives {given}", "{name} {value} ≠ 입력 {given}"),
    "groups": (
        "groups {g} must divide both in ({c_in}) and out ({c_out})",
        "groups {g}는 in({c_in})과 out({c_out})을 모두 나누어야 합니다",
    ),
    "needs_chw": ("needs a C,H,W input, got {shape}", "C,H,W 입력 필요 (입력: {shape})"),
    "empty": ("the output would be empty for input {shape}", "입력 {shape}에서 출력이 빔"),
    "too_many": ("{count} parameters is 2⁶³ or more", "파라미터 {count}개: 2⁶³ 이상"),
    "mlp_widths": ("give at least two widths, e.g. 50,30,3", "너비 둘 이상 (예: 50,30,3)"),
}
