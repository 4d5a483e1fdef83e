"""Error messages, by code. An error line is ``error: --option: message``; the option name
and the numbers stay as written, the words are English or Korean."""

TEXT = {
    # ---- places and small words inside messages
    "join": ("", ""),
    "either": ("", ""),
    "or": (" or ", " 또는 "),
    "at_filter": ("filter {n}", "필터 {n}"),
    "at_channel": ("channel {n}", "채널 {n}"),
    "at_row": ("row {n}", "{n}행"),
    "at_line": ("(line {n})", "({n}행)"),
    "kind_value": ("{value}", "{value}"),
    "kind_nothing": ("nothing", "빈 값"),
    "kind_mapping": ("a mapping", "매핑"),
    "kind_list": ("a list", "목록"),
    "kind_text": ("text {value}", "문자열 {value}"),
    # ---- numbers and tensors
    "not_number": ("{value} is not a number", "{value}은(는) 숫자가 아닙니다"),
    "not_finite": ("{value} is not a finite number", "{value}은(는) 유한한 숫자가 아닙니다"),
    "not_finite_at": (
        "{value} is not a finite number {line}",
        "{value}은(는) 유한한 숫자가 아닙니다 {line}",
    ),
    "not_whole": ("{value} is not a whole number", "{value}은(는) 정수가 아닙니다"),
    "too_large": ("{value} is too large", "{value}은(는) 너무 큽니다"),
    "divides_zero": ("{value} divides by zero", "{value}은(는) 0으로 나눕니다"),
    "expected_number": ("expected a number, got {kind}", "숫자가 필요합니다 (입력: {kind})"),
    "expected_whole": ("expected a whole number, got {kind}", "정수가 필요합니다 (입력: {kind})"),
    "expected_numbers": ("expected numbers, got {kind}", "숫자가 필요합니다 (입력: {kind})"),
    "expected_count": (
        "expected {wanted} numbers, got {count}",
        "숫자 {wanted}개가 필요합니다 (입력: {count}개)",
    ),
    "expected_vector": ("expected a vector, got a matrix", "벡터가 필요합니다 (입력: 행렬)"),
    "expected_ndim": (
        "expected a {wanted} tensor, got shape {shape}",
        "{wanted} 텐서가 필요합니다 (입력 크기: {shape})",
    ),
    "empty_value": ("empty value", "값이 비어 있습니다"),
    "empty_value_in": ("empty value in {place}", "{place}에 빈 값이 있습니다"),
    "empty_in": ("{place} is empty", "{place}이(가) 비어 있습니다"),
    "empty_list": ("empty list", "빈 목록입니다"),
    "ragged": (
        "{place} row {a} has {n} numbers, row 1 has {m}",
        "{place} {a}행에 숫자가 {n}개, 1행에는 {m}개 있습니다",
    ),
    "channel_shape": (
        "{place} channel {a} has shape {shape}, channel 1 has {first}",
        "{place} 채널 {a}의 크기는 {shape}, 채널 1은(는) {first}입니다",
    ),
    "item_shape": (
        "item {a} has shape {shape}, item 1 has {first}",
        "{a}번째 항목의 크기는 {shape}, 첫 항목은 {first}입니다",
    ),
    "mixed_levels": (
        "mixes numbers and lists at the same level",
        "같은 단계에 숫자와 목록이 섞여 있습니다",
    ),
    "too_long": ("value is longer than {limit} characters", "값이 {limit}자보다 깁니다"),
    "too_many": (
        "{count} elements is above the limit of {limit}",
        "원소 {count}개는 한도 {limit}개를 넘습니다",
    ),
    "above_limit": (
        "{value} is above the limit of {limit}",
        "{value}은(는) 한도 {limit}을(를) 넘습니다",
    ),
    "at_least": (
        "must be at least {minimum}, got {value}",
        "{minimum} 이상이어야 합니다 (입력: {value})",
    ),
    "at_most": ("at most {maximum}, got {value}", "최대 {maximum}입니다 (입력: {value})"),
    "positive": ("must be positive, got {value}", "양수여야 합니다 (입력: {value})"),
    "not_negative": ("must not be negative, got {value}", "음수일 수 없습니다 (입력: {value})"),
    "in_unit": ("must be in [0, 1], got {value}", "0과 1 사이여야 합니다 (입력: {value})"),
    "not_json_list": ("not a valid JSON list ({reason})", "올바른 JSON 목록이 아닙니다 ({reason})"),
    "expected_json_list": ("expected a JSON list", "JSON 목록이 필요합니다"),
    "too_deep": ("nested too deeply", "너무 깊게 중첩되었습니다"),
    "deeper_than": ("nested deeper than {n} levels", "{n}단계보다 깊게 중첩되었습니다"),
    "not_one_of": (
        "{value} is not one of {choices}",
        "{value}은(는) 다음 중 하나가 아닙니다: {choices}",
    ),
    "not_bool": ("{value} is not true or false", "{value}은(는) true 또는 false가 아닙니다"),
    "expected_text": ("expected text", "문자열이 필요합니다"),
    # ---- files
    "is_directory": ("{path} is a directory", "{path}은(는) 폴더입니다"),
    "file_too_large": (
        "{path} is larger than {limit} bytes",
        "{path}은(는) {limit}바이트보다 큽니다",
    ),
    "no_such_file": ("{path}: no such file", "{path}: 파일이 없습니다"),
    "permission_denied": ("{path}: permission denied", "{path}: 권한이 없습니다"),
    "not_utf8": ("{path}: not UTF-8 text", "{path}: UTF-8 텍스트가 아닙니다"),
    "unreadable": ("{path}: cannot be read ({reason})", "{path}: 읽을 수 없습니다 ({reason})"),
    "file_empty": ("{path} is empty", "{path}이(가) 비어 있습니다"),
    "not_mapping": (
        "{path} must be a mapping of keys to values",
        "{path}은(는) 키: 값 형태의 매핑이어야 합니다",
    ),
    "key_not_text": ("{path}: key {key} is not text", "{path}: 키 {key}이(가) 문자열이 아닙니다"),
    "key_not_text_at": ("a key is not text {line}", "키가 문자열이 아닙니다 {line}"),
    "in_file": ("{path}: {problem}", "{path}: {problem}"),
    "duplicate_key": ("duplicate key {key} {line}", "중복된 키 {key} {line}"),
    "yaml": ("{problem} {line}", "YAML 오류: {problem} {line}"),
    "yaml_tag": ("tag {tag} is not allowed {line}", "태그 {tag}은(는) 허용되지 않습니다 {line}"),
    "yaml_aliases": ("more than {n} YAML aliases", "YAML 별칭이 {n}개를 넘습니다"),
    "too_many_digits": ("a number has too many digits", "숫자의 자릿수가 너무 많습니다"),
    "unknown_key": (
        "{path}: unknown key {key} (valid: {valid})",
        "{path}: 알 수 없는 키 {key} (가능한 키: {valid})",
    ),
    "belongs_on_line": (
        "{path}: {key} belongs on the command line",
        "{path}: {key}은(는) 명령줄에서 지정해야 합니다",
    ),
    # ---- options and the command line
    "too_many_layers": ("{n} layers, at most {limit}", "층이 {n}개입니다 (최대 {limit}개)"),
    "required": ("required", "필수입니다"),
    "required_for": ("required ({what})", "필수입니다 ({what})"),
    "exactly_one": ("give exactly one of {options}", "{options} 중 정확히 하나를 지정하세요"),
    "only_with": ("only with {other}", "{other}와(과) 함께만 쓸 수 있습니다"),
    "only_with_value": ("only with {other} {values}", "{other} {values}일 때만 쓸 수 있습니다"),
    "needs": ("needs {other}", "{other}이(가) 함께 필요합니다"),
    "not_with": ("not used with {other}", "{other}와(과) 함께 쓸 수 없습니다"),
    "unknown_part": (
        "unknown part {name} (valid: {valid})",
        "알 수 없는 부분 {name} (가능한 값: {valid})",
    ),
    "not_quantity_value": (
        "{value} is not QUANTITY=VALUE",
        "{value}은(는) 항목=값 형식이 아닙니다",
    ),
    "no_value": ("{quantity} has no value", "{quantity}에 값이 없습니다"),
    "no_answers": ("no answers given", "답이 없습니다"),
    "unknown_quantity": (
        "unknown quantity {quantity} (valid: {valid})",
        "알 수 없는 항목 {quantity} (가능한 항목: {valid})",
    ),
    "answer_mapping": (
        "{quantity}: expected a number or tensor, got a mapping",
        "{quantity}: 숫자나 텐서가 필요합니다 (입력: 매핑)",
    ),
    "quantity_group": (
        "{quantity} is a group of quantities; name one of its parts",
        "{quantity}은(는) 여러 항목의 묶음입니다. 그중 하나를 지정하세요",
    ),
    "quantity_not_number": ("{quantity} is not a number", "{quantity}은(는) 숫자가 아닙니다"),
    "not_quantity": ("{quantity} is not a quantity name", "{quantity}은(는) 항목 이름이 아닙니다"),
    "index_range": (
        "{quantity}: index {index} is out of range",
        "{quantity}: 위치 {index}이(가) 범위를 벗어났습니다",
    ),
    "answer_shape": (
        "{quantity}: expected shape {expected}, got {shape}",
        "{quantity}: 크기 {expected}이(가) 필요합니다 (입력: {shape})",
    ),
    "no_such_option": ("no such option {hint}", "그런 옵션이 없습니다 {hint}"),
    "did_you_mean": ("(did you mean {options}?)", "({options}을(를) 찾으셨나요?)"),
    "needs_value": ("needs a value", "값이 필요합니다"),
    "takes_no_value": ("is a switch and takes no value", "스위치 옵션이라 값을 받지 않습니다"),
    "no_such_command": (
        "no such command {command} (commands: {valid})",
        "그런 명령이 없습니다: {command} (명령: {valid})",
    ),
    "extra_argument": (
        "{command}: unexpected extra argument {value}",
        "{command}: 예상하지 못한 인수 {value}",
    ),
    "lang_first": (
        "{value}: put --lang after the command (stepcalc COMMAND --lang ko)",
        "{value}: --lang 은 명령 뒤에 쓰세요 (stepcalc COMMAND --lang ko)",
    ),
    "bad_lang_env": (
        "STEPCALC_LANG={value} is not one of {choices}",
        "STEPCALC_LANG={value}은(는) 다음 중 하나가 아닙니다: {choices}",
    ),
    "dot_only": (
        "dot is only for graph, not {command}",
        "dot 형식은 graph 명령에서만 쓸 수 있습니다 ({command} 불가)",
    ),
    "too_big_memory": (
        "{command}: the problem is too large for memory",
        "{command}: 문제가 너무 커서 메모리에 담을 수 없습니다",
    ),
    "cannot_write": ("cannot write the output ({reason})", "출력을 쓸 수 없습니다 ({reason})"),
    "stdout_closed": ("standard output is closed", "표준 출력이 닫혀 있습니다"),
    "internal": (
        "{command}: internal error ({what}); please report it",
        "{command}: 내부 오류 ({what}); 알려 주시면 고치겠습니다",
    ),
    "expected_expression": ("expected an expression", "식이 필요합니다"),
    "empty_expression": ("empty expression", "식이 비어 있습니다"),
    "ends_early": ("the expression ends too early", "식이 너무 일찍 끝납니다"),
    "unexpected": ("unexpected {token}", "예상하지 못한 {token}"),
    "unexpected_in": ("unexpected {token} in {text}", "{text}에 예상하지 못한 {token}"),
    "expected_token": (
        "expected {token}, found {found}",
        "{token}이(가) 필요합니다 (입력: {found})",
    ),
    "the_end": ("the end", "식의 끝"),
    "unknown_name": (
        "unknown name {name} (variables: {valid})",
        "알 수 없는 이름 {name} (변수: {valid})",
    ),
    "unknown_function": (
        "unknown function {name} (allowed: {valid})",
        "알 수 없는 함수 {name} (허용: {valid})",
    ),
    "arguments": (
        "{name}() takes {n} argument(s), got {got}",
        "{name}()의 인수는 {n}개입니다 (입력: {got}개)",
    ),
    "exponent_too_large": (
        "exponent is too large (at most {limit} in size)",
        "지수가 너무 큽니다 (크기 최대 {limit})",
    ),
}
