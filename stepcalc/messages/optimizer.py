"""Texts of ``optimizer``."""

TEXT = {
    "title": ("{names} · {n} step{plural}", "{names} · {n}단계"),
    "convention_pytorch": ("PyTorch form", "PyTorch 형식"),
    "convention_textbook": ("textbook form", "교재 형식"),
    "grad_given": ("g (given)", "기울기 g (주어짐)"),
    "partial": ("∂L/∂{name}", "∂L/∂{name}"),
    "symbolic": ("{title} (SymPy)", "{title} (SymPy 미분)"),
    "start_loss": ("L at the start", "시작 손실 L"),
    "new_loss": ("new loss L", "새 손실 L"),
    "maximize": ("maximize: −g", "최대화: −g"),
    "weight_decay": ("g + weight decay", "g + 가중치 감쇠"),
    "decoupled_decay": ("θ · decoupled decay", "θ · 분리된 가중치 감쇠"),
    "decayed_lr": ("η_t (lr decay)", "η_t (학습률 감쇠)"),
    "denominator": ("denominator", "분모"),
    "m_hat": ("m̂ (bias-corrected)", "m̂ (편향 보정)"),
    "v_hat": ("v̂ (bias-corrected)", "v̂ (편향 보정)"),
    "delta": ("Δ (step)", "Δ (이동량)"),
    "mu": ("μ_t (momentum)", "μ_t (모멘텀 계수)"),
    "mu_next": ("μ_t+1", "μ_t+1"),
    "update": ("θ (update)", "θ 갱신"),
    "first_buffer": (
        "first step: the buffer is the raw gradient (no dampening), as in torch",
        "첫 단계: 버퍼는 기울기 그대로 (dampening 없음), torch와 같음",
    ),
    "lr_inside": ("textbook form: η inside the velocity", "교재 형식: η가 속도 안에"),
    "lr_outside": ("PyTorch form: η outside the buffer", "PyTorch 형식: η는 버퍼 밖"),
    "eps_pytorch": ("PyTorch form: ε after the root", "PyTorch 형식: ε은 제곱근 밖"),
    "eps_textbook": ("textbook form: ε inside the root", "교재 형식: ε은 제곱근 안"),
    "form_sgd": (
        "{name}: θ = θ − η·g (the same in every course)",
        "{name}: θ = θ − η·g (모든 강의에서 같음)",
    ),
    "form_momentum_pytorch": (
        "{name}, PyTorch form: b = γ·b + (1 − dampening)·g, θ = θ − η·b (η outside the buffer; "
        "the first step sets b = g). The textbook form v = γ·v − η·g, θ = θ + v gives the same θ "
        "with v = −η·b while η is constant",
        "{name}, PyTorch 형식: b = γ·b + (1 − dampening)·g, θ = θ − η·b (학습률 η는 버퍼 밖; 첫 "
        "단계는 b = g). 교재 형식 v = γ·v − η·g, θ = θ + v 는 η가 일정하면 v = −η·b 로 같은 θ를 줌",
    ),
    "form_momentum_textbook": (
        "{name}, textbook form: v = γ·v − η·g, θ = θ + v (η inside the velocity). The slide's "
        "v = γ·v + η·∇L, W ← W − v is the same with v's sign flipped; PyTorch keeps b = −v/η",
        "{name}, 교재 형식: v = γ·v − η·g, θ = θ + v (학습률 η가 속도 안에). 슬라이드의 "
        "v = γ·v + η·∇L, W ← W − v 는 v의 부호만 반대; PyTorch는 b = −v/η 를 저장",
    ),
    "form_nesterov_pytorch": (
        "{name}, PyTorch form: b = γ·b + g, θ = θ − η·(g + γ·b): the look-ahead gradient "
        "rewritten at the current point (Bengio et al. 2013)",
        "{name}, PyTorch 형식: b = γ·b + g, θ = θ − η·(g + γ·b): 앞을 내다본 위치의 기울기를 "
        "현재 위치 식으로 바꿔 쓴 형태 (Bengio 외 2013)",
    ),
    "form_nesterov_textbook": (
        "{name}, textbook form: v = γ·v − η·g, θ = θ + γ·v − η·g (the look-ahead step in "
        "shifted variables; same θ as PyTorch)",
        "{name}, 교재 형식: v = γ·v − η·g, θ = θ + γ·v − η·g (앞을 내다보는 단계를 옮긴 변수로 "
        "쓴 형태; PyTorch와 같은 θ)",
    ),
    "form_adagrad_pytorch": (
        "{name}, PyTorch form: ε is added after the square root, θ = θ − η·g/(√G + ε); "
        "the slides put it inside: √(G + ε) (--convention textbook)",
        "{name}, PyTorch 형식: ε을 제곱근 밖에서 더함, θ = θ − η·g/(√G + ε); "
        "슬라이드는 근호 안 √(G + ε) (--convention textbook)",
    ),
    "form_adagrad_textbook": (
        "{name}, textbook form: ε inside the square root, θ = θ − η·g/√(G + ε), as on the "
        "slides; PyTorch adds ε after the root",
        "{name}, 교재 형식: ε을 제곱근 안에, θ = θ − η·g/√(G + ε) (슬라이드와 같음); "
        "PyTorch는 근호 밖에서 더함",
    ),
    "form_rmsprop_pytorch": (
        "{name}, PyTorch form: ε is added after the square root, θ = θ − η·g/(√v + ε); "
        "α is the decay rate (ρ or γ in many courses)",
        "{name}, PyTorch 형식: ε을 제곱근 밖에서 더함, θ = θ − η·g/(√v + ε); "
        "α는 감쇠율 (강의에 따라 ρ 또는 γ)",
    ),
    "form_rmsprop_textbook": (
        "{name}, textbook form: ε inside the square root, θ = θ − η·g/√(v + ε); "
        "PyTorch adds ε after the root",
        "{name}, 교재 형식: ε을 제곱근 안에, θ = θ − η·g/√(v + ε); PyTorch는 근호 밖에서 더함",
    ),
    "form_same": (
        "{name}: the slides' formulas and PyTorch agree (ε after the square root)",
        "{name}: 슬라이드 공식과 PyTorch가 같음 (ε은 제곱근 밖)",
    ),
    "hidden_iterations": (
        "iterations t = {first} … {last} ({n}) are not worked out here; "
        "the JSON trajectory keeps every one",
        "t = {first} … {last} 반복({n}개)은 풀이를 생략했습니다; JSON trajectory에는 모두 있습니다",
    ),
    "trajectory_title": ("trajectory", "궤적"),
    "compare_title": ("side by side", "나란히 비교"),
    "rows_hidden": ("{n} rows hidden", "{n}행 생략"),
    "table_hidden": (
        "{n} of {total} rows hidden; --json keeps every step",
        "{total}행 중 {n}행 생략; --json 에는 모든 단계가 있습니다",
    ),
    "plot_missing": (
        "--plot needs uniplot: pip install 'stepcalc[plot]'",
        "--plot 에는 uniplot이 필요합니다: pip install 'stepcalc[plot]'",
    ),
    "plot_loss": ("loss L by step", "단계별 손실 L"),
    "plot_path": ("path of (θ₁, θ₂)", "(θ₁, θ₂) 경로"),
    "plot_param": ("θ₁ by step", "단계별 θ₁"),
}
