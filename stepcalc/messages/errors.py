"""Error messages in Korean.

Errors are raised in English, one line, ``--option: what is wrong``. With ``--lang ko`` the
part after the option (or file) is matched against these patterns, the English side being a
regular expression over the whole remainder; the Korean side uses its named groups. A message
no pattern covers keeps its English words. The line always starts with ``error:`` (scripts
match on it), in every language.
"""

TEXT = {
    "not_number": (r"(?P<v>.+) is not a number", "{v}은(는) 숫자가 아닙니다"),
    "not_finite": (r"(?P<v>.+) is not a finite number", "{v}은(는) 유한한 숫자가 아닙니다"),
    "not_whole": (r"(?P<v>.+) is not a whole number", "{v}은(는) 정수가 아닙니다"),
    "too_large": (r"(?P<v>.+) is too large", "{v}은(는) 너무 큽니다"),
    "empty_value": (r"empty value(?P<where>.*)", "값이 비어 있습니다{where}"),
    "is_empty": (r"(?P<v>.+) is empty", "{v}이(가) 비어 있습니다"),
    "ragged": (
        r"(?P<prefix>.*?)row (?P<a>\d+) has (?P<n>\d+) numbers, row (?P<b>\d+) has (?P<m>\d+)",
        "{prefix}{a}행에 숫자가 {n}개, {b}행에는 {m}개 있습니다",
    ),
    "channel_shape": (
        r"(?P<prefix>.*?)channel (?P<a>\d+) has shape (?P<s>\S+), "
        r"channel (?P<b>\d+) has (?P<t>\S+)",
        "{prefix}채널 {a}의 크기는 {s}, 채널 {b}은(는) {t}입니다",
    ),
    "required": (r"required", "필수입니다"),
    "required_with": (r"required with (?P<o>--[\w-]+)", "{o}와(과) 함께 필수입니다"),
    "at_least": (
        r"must be at least (?P<n>\S+), got (?P<v>.+)",
        "{n} 이상이어야 합니다 (입력: {v})",
    ),
    "positive": (r"must be positive, got (?P<v>.+)", "양수여야 합니다 (입력: {v})"),
    "not_negative": (r"must not be negative(?:, got (?P<v>.+))?", "음수일 수 없습니다"),
    "in_unit": (
        r"must be (?:in|between) \[?0,? (?:and )?1[\])]?, got (?P<v>.+)",
        "0과 1 사이여야 합니다 (입력: {v})",
    ),
    "not_one_of": (r"(?P<v>.+) is not one of (?P<c>.+)", "{v}은(는) 다음 중 하나가 아닙니다: {c}"),
    "unknown_key": (
        r"unknown key (?P<k>\S+) \(valid: (?P<c>.+)\)",
        "알 수 없는 키 {k} (가능한 키: {c})",
    ),
    "unknown_quantity": (
        r"unknown quantity (?P<q>\S+) \(valid: (?P<c>.+)\)",
        "알 수 없는 항목 {q} (가능한 항목: {c})",
    ),
    "unknown_name": (
        r"unknown name (?P<n>\S+) \(variables: (?P<c>.+)\)",
        "알 수 없는 이름 {n} (변수: {c})",
    ),
    "unknown_function": (
        r"unknown function (?P<n>\S+) \(allowed: (?P<c>.+)\)",
        "알 수 없는 함수 {n} (허용: {c})",
    ),
    "unexpected": (r"unexpected (?P<t>\S+)(?: in (?P<e>.+))?", "예상하지 못한 {t}"),
    "no_file": (r"(?P<f>.+): no such file", "{f}: 파일이 없습니다"),
    "directory": (r"(?P<f>.+) is a directory", "{f}은(는) 폴더입니다"),
    "permission": (r"(?P<f>.+): permission denied", "{f}: 권한이 없습니다"),
    "not_utf8": (r"(?P<f>.+): not UTF-8 text", "{f}: UTF-8 텍스트가 아닙니다"),
    "duplicate": (r"(?P<f>.*?)duplicate key (?P<k>\S+)(?P<rest>.*)", "{f}중복된 키 {k}{rest}"),
    "tag": (
        r"(?P<f>.*?)tag (?P<t>\S+) is not allowed(?P<rest>.*)",
        "{f}태그 {t}은(는) 허용되지 않습니다{rest}",
    ),
    "mapping": (
        r"(?P<f>.+) must be a mapping of keys to values",
        "{f}은(는) 키: 값 형태의 매핑이어야 합니다",
    ),
    "empty_output": (
        r"(?P<pre>.*)output would be empty(?P<rest>.*)",
        "{pre}출력이 비게 됩니다{rest}",
    ),
    "too_deep": (
        r"nested (?:too deeply|deeper than (?P<n>\d+) levels)",
        "너무 깊게 중첩되었습니다",
    ),
    "above_limit": (
        r"(?P<v>.+) is above the limit of (?P<n>.+)",
        "{v}은(는) 한도 {n}을(를) 넘습니다",
    ),
    "divides_zero": (r"(?P<v>.+) divides by zero", "{v}은(는) 0으로 나눕니다"),
    "no_answers": (r"no answers given", "답이 없습니다"),
    "not_quantity": (r"(?P<v>.+) is not QUANTITY=VALUE", "{v}은(는) 항목=값 형식이 아닙니다"),
    "expected_shape": (
        r"expected (?P<what>.+), got (?P<got>.+)",
        "{what}이(가) 필요합니다 (입력: {got})",
    ),
    "no_such_option": (
        r"No such option: (?P<o>\S+)(?P<rest>.*)",
        "그런 옵션이 없습니다: {o}{rest}",
    ),
    "needs_argument": (
        r"Option '(?P<o>[^']+)' requires an argument\.",
        "옵션 '{o}'에는 값이 필요합니다",
    ),
    "no_such_command": (r"No such command '(?P<c>[^']+)'\.", "그런 명령이 없습니다: '{c}'"),
    "internal": (r"internal error (?P<rest>.+)", "내부 오류 {rest}"),
}
"""Each value: (English regular expression, Korean template)."""
