"""Texts of ``drill``: the session, worksheets, errors and each topic's problem statement."""

TEXT = {
    "seed_line": ("seed {seed} · replay: {command}", "시드 {seed} · 다시 풀기: {command}"),
    "problem": ("Problem {n}", "문제 {n}"),
    "find": ("Find:", "구하시오:"),
    "hint_vector": ("{shape} numbers", "숫자 {shape}개"),
    "hint_matrix": ("{shape} matrix, rows separated by ;", "{shape} 행렬, 행은 ; 로 구분"),
    "hint_tensor": ("{shape} tensor, channels separated by |", "{shape} 텐서, 채널은 | 로 구분"),
    "hint_decimals": ("decimals: {n}", "소수 {n}자리"),
    "reask": (
        "cannot read that ({error}); try again",
        "읽을 수 없습니다 ({error}). 다시 입력하세요",
    ),
    "revealed": ("answer shown: {quantity}", "정답 보기: {quantity}"),
    "help": (
        "Type each answer and press Enter ('?' shows the answer). Ctrl-C or Ctrl-D stops.",
        "답을 입력하고 Enter를 누르세요 ('?'는 정답 보기). Ctrl-C 또는 Ctrl-D로 끝냅니다.",
    ),
    "score": (
        "score: {right}/{total} answers right ({percent}%)",
        "점수: {total}개 중 {right}개 정답 ({percent}%)",
    ),
    "score_revealed": ("; {n} shown with '?'", "; '?'로 {n}개 정답 보기"),
    "interrupted": ("stopped.", "중단했습니다."),
    "end_of_input": ("end of input.", "입력이 끝났습니다."),
    "answers": ("Answers", "정답"),
    "check_with": ("Check with:", "확인 명령:"),
    "worksheet_title": ("Drill worksheet · {topic} · {level}", "연습 문제지 · {topic} · {level}"),
    "answers_title": ("Answer key · {topic} · {level}", "정답과 풀이 · {topic} · {level}"),
    "written": ("wrote {path}", "{path} 파일을 저장했습니다"),
    "same_file": (
        "must be a different file from --worksheet",
        "--worksheet와 다른 파일이어야 합니다",
    ),
    "cannot_write": ("{path}: cannot write ({reason})", "{path}: 쓸 수 없습니다 ({reason})"),
    # ------------------------------------------- statements, one per topic (command)
    "outsize": (
        "A layer of this kind, PyTorch conventions (the division is floored). Output size?",
        "이 종류의 층, PyTorch 규칙 (나눗셈은 내림). 출력 크기는?",
    ),
    "params": (
        "Count the parameters, weights and biases (layers numbered from 0 as in the result).",
        "파라미터(가중치와 편향) 수를 세시오 (층 번호는 결과 목록처럼 0부터).",
    ),
    "conv": (
        "A 2-D convolution as in PyTorch: cross-correlation (flip: the kernel turned 180 degrees).",
        "PyTorch 방식의 2차원 합성곱: 교차 상관 (flip: 커널을 180도 회전).",
    ),
    "pool": (
        "Pooling as in PyTorch (max: the gradient goes to the first maximum of each window).",
        "PyTorch 방식의 풀링 (최대 풀링: 기울기는 각 창의 첫 번째 최댓값 위치로).",
    ),
    "silu": (
        "The activation fn element by element; f' is its derivative (ReLU'(0) = 0).",
        "활성화 함수 fn을 원소별로 계산하시오. f'는 도함수 (ReLU'(0) = 0).",
    ),
    "dropout": (
        "Dropout, mask 1 = kept: standard scales at test time, inverted in training; z = w·h.",
        "드롭아웃, 마스크 1 = 유지: 표준은 테스트 때, 역 드롭아웃은 학습 때 스케일; z = w·h.",
    ),
    "optimizer": (
        "Optimizer steps from params, one gradient per step (PyTorch's rules and defaults).",
        "params에서 단계마다 주어진 기울기로 갱신하시오 (PyTorch의 규칙과 기본값).",
    ),
    "graph": (
        "A computational graph: the forward value and, by backpropagation, the gradients.",
        "계산 그래프: 순전파 값과 역전파로 구한 각 변수의 기울기.",
    ),
    "loss": (
        "The loss of pred against target and its gradient (cross-entropy: target is the class).",
        "pred와 target의 손실과 기울기 (교차 엔트로피: target은 정답 클래스).",
    ),
    "batchnorm": (
        "Batch normalisation, training mode: one column per feature, variance divides by N.",
        "학습 모드의 배치 정규화: 특성마다 열 하나, 분산은 N으로 나눔.",
    ),
    "yolo-toy": (
        "The toy YOLO of the slides: conv1, SiLU, conv2 (one number), SiLU, heads, MSE loss.",
        "슬라이드의 장난감 YOLO: conv1, SiLU, conv2 (숫자 하나), SiLU, 헤드, MSE 손실.",
    ),
}
