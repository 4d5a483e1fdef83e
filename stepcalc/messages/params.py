"""Texts of ``params``."""

TEXT = {
    "title": ("parameter count", "파라미터 수"),
    "subtitle": ("input {shape} · convention {convention}", "입력 {shape} · 규칙 {convention}"),
    "no_shape": ("shape not given", "입력 크기 없음"),
    "layer_step": ("{name}: parameters", "{name}: 파라미터"),
    "layer_params": ("layer parameters", "층별 파라미터"),
    "total_step": ("total parameters", "전체 파라미터"),
    "trainable_step": ("trainable parameters", "학습 가능한 파라미터"),
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
}
