"""Texts shared by every command: section names, verdicts, check reports."""

TEXT = {
    "forward": ("forward", "순전파"),
    "backward": ("backward", "역전파"),
    "update": ("update", "갱신"),
    "step": ("step", "단계"),
    "rule": ("rule", "공식"),
    "with_numbers": ("with numbers", "숫자 대입"),
    "value": ("value", "값"),
    "result": ("result", "결과"),
    "notes": ("notes", "참고"),
    "inputs": ("inputs", "입력"),
    "check_header_one": (
        "check · 1 quantity: {correct} correct · {rounding} rounding · {imprecise} imprecise "
        "· {wrong} wrong",
        "채점 · 1개 항목: 정답 {correct} · 반올림 차이 {rounding} · 자릿수 부족 {imprecise} "
        "· 오답 {wrong}",
    ),
    "check_header": (
        "check · {n} quantities: {correct} correct · {rounding} rounding · {imprecise} "
        "imprecise · {wrong} wrong",
        "채점 · {n}개 항목: 정답 {correct} · 반올림 차이 {rounding} · 자릿수 부족 {imprecise} "
        "· 오답 {wrong}",
    ),
    "correct": ("correct", "정답"),
    "rounding": ("rounding", "반올림 차이"),
    "wrong": ("wrong", "오답"),
    "imprecise": ("imprecise", "자릿수 부족"),
    "imprecise_detail": (
        "write at least {sig} significant digits: {expected}",
        "유효숫자를 {sig}자리 이상 쓰세요: {expected}",
    ),
    "shape_given": (
        "shape {given} given, {expected} expected",
        "크기 {given} 입력, {expected} 필요",
    ),
    "should_be": ("should be {expected}", "정답은 {expected}"),
    "at_cell": ("at {index}", "{index} 위치"),
    "see_step": ("see the step '{title}'", "'{title}' 단계 참고"),
    "hand_path": (
        "exact {exact}; rounding every step to {k} decimals gives {hand}",
        "정확한 값 {exact}; 매 단계를 소수 {k}자리로 반올림하면 {hand}",
    ),
    "hand_path_mixed": (
        "exact {exact}; rounding steps to {k0}–{k1} decimals gives {low} … {high}",
        "정확한 값 {exact}; 단계를 소수 {k0}–{k1}자리로 반올림하면 {low} … {high}",
    ),
    "shape_note": ("{note}", "{note}"),
    "hand_mode": (
        "hand mode: every intermediate rounded to {n} decimals (half up) before use",
        "손계산 모드: 모든 중간값을 소수 {n}자리로 반올림(사사오입)한 뒤 사용",
    ),
    "elided_rows": ("… {n} rows hidden …", "… {n}개 행 생략 …"),
}
