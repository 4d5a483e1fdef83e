"""Texts of ``optimizer``."""

TEXT = {
    "title": ("{names} · {n} step{plural}", "{names} · {n}단계"),
    "convention_pytorch": ("PyTorch form", "PyTorch 형식"),
    "convention_textbook": ("textbook form", "교재 형식"),
    # ---- step titles (a state's title names PyTorch's state)
    "grad_given": ("gradient g, as given", "주어진 기울기 g"),
    "partial": ("partial derivative of L by {name}", "L을 {name}로 편미분"),
    "partial_sympy": ("partial derivative of L by {name} (SymPy)", "L을 {name}로 편미분 (SymPy)"),
    "start_loss": ("loss L at the start", "시작 손실 L"),
    "new_loss": ("loss L at the new parameters", "새 매개변수에서의 손실 L"),
    "maximize": ("maximize: step along −g", "최대화: −g 방향으로"),
    "weight_decay": ("L2 weight decay added to the gradient", "기울기에 L2 가중치 감쇠 더하기"),
    "decoupled_decay": ("decoupled weight decay shrinks θ", "분리된 가중치 감쇠로 θ 축소"),
    "velocity": ("velocity (state velocity)", "속도 (velocity)"),
    "momentum_buffer": ("momentum buffer (state momentum_buffer)", "모멘텀 버퍼 (momentum_buffer)"),
    "update": ("parameter update", "매개변수 갱신"),
    "decayed_lr": ("decayed learning rate", "감쇠된 학습률"),
    "sum": ("sum of squared gradients (state sum)", "기울기 제곱의 합 (sum)"),
    "square_avg": ("running mean of g² (state square_avg)", "g²의 이동 평균 (square_avg)"),
    "grad_avg": ("running mean of g (state grad_avg)", "g의 이동 평균 (grad_avg)"),
    "exp_avg": ("first moment, a running mean of g (state exp_avg)", "1차 모멘트 (exp_avg)"),
    "exp_avg_sq": (
        "second moment, a running mean of g² (state exp_avg_sq)",
        "2차 모멘트 (exp_avg_sq)",
    ),
    "max_exp_avg_sq": (
        "largest second moment so far (state max_exp_avg_sq)",
        "최대 2차 모멘트 (max_exp_avg_sq)",
    ),
    "m_hat": ("bias-corrected first moment", "편향 보정한 1차 모멘트"),
    "v_hat": ("bias-corrected second moment", "편향 보정한 2차 모멘트"),
    "exp_inf": ("running maximum of |g| (state exp_inf)", "|g|의 이동 최댓값 (exp_inf)"),
    "mu": ("momentum coefficient of this step", "이번 단계의 모멘텀 계수"),
    "mu_next": ("momentum coefficient of the next step", "다음 단계의 모멘텀 계수"),
    "mu_product": ("product of the coefficients (state mu_product)", "계수의 곱 (mu_product)"),
    "lr_g": ("step size for g", "g에 곱하는 보폭"),
    "lr_m": ("step size for m, the look-ahead", "m에 곱하는 보폭 (앞을 내다봄)"),
    "delta": ("step Δ", "이동량 Δ"),
    "acc_delta": ("running mean of Δ² (state acc_delta)", "Δ²의 이동 평균 (acc_delta)"),
    # ---- step notes and trace notes: which form
    "first_buffer": (
        "first step: b is g itself (no dampening), as in torch",
        "첫 단계: b = g (torch와 같음)",
    ),
    "lr_inside": ("textbook form: η inside the velocity", "교재 형식: η가 속도 안에"),
    "lr_outside": ("PyTorch form: η outside the buffer b", "PyTorch 형식: η는 버퍼 b 밖"),
    "eps_pytorch": ("PyTorch form: ε after the root", "PyTorch 형식: ε은 제곱근 밖"),
    "eps_textbook": ("textbook form: ε inside the root", "교재 형식: ε은 제곱근 안"),
    # form notes: {form} is the step note of the convention (lr_inside … eps_textbook)
    "form_sgd": ("{name}: θ = θ − η·g in every course", "{name}: θ = θ − η·g (모든 강의 공통)"),
    "form_momentum_pytorch": (
        "{name}, {form}; the textbook's v = γ·v − η·g, θ = θ + v gives the same θ with v = −η·b",
        "{name}, {form}; 교재의 v = γ·v − η·g, θ = θ + v 는 v = −η·b 로 같은 θ",
    ),
    "form_momentum_textbook": (
        "{name}, {form}; the slide's v = γ·v + η·∇L, W ← W − v flips v's sign; PyTorch keeps "
        "b = −v/η",
        "{name}, {form}; 슬라이드의 v = γ·v + η·∇L, W ← W − v 는 v의 부호만 반대; PyTorch는 "
        "b = −v/η 를 저장",
    ),
    "form_nesterov_pytorch": (
        "{name}, {form}; the look-ahead gradient rewritten at the current point",
        "{name}, {form}; 앞을 내다본 기울기를 현재 위치 식으로 쓴 형태",
    ),
    "form_nesterov_textbook": (
        "{name}, {form}; the look-ahead step in shifted variables, same θ as PyTorch",
        "{name}, {form}; 앞을 내다보는 단계를 옮긴 변수로 쓴 형태, PyTorch와 같은 θ",
    ),
    "form_adagrad_pytorch": (
        "{name}, {form}; the slides write √(G + ε)",
        "{name}, {form}; 슬라이드는 √(G + ε)",
    ),
    "form_adagrad_textbook": (
        "{name}, {form}, as on the slides",
        "{name}, {form} (슬라이드와 같음)",
    ),
    "form_rmsprop_pytorch": (
        "{name}, {form}; α is the decay rate (ρ or γ in many courses)",
        "{name}, {form}; α는 감쇠율 (강의에 따라 ρ 또는 γ)",
    ),
    "form_rmsprop_textbook": (
        "{name}, {form} (PyTorch adds it after the root)",
        "{name}, {form} (PyTorch는 제곱근 밖)",
    ),
    "form_same": ("{name}: one form, PyTorch's and the textbooks' agree", "{name}: 한 가지 형식"),
    "buffer_ignored": (
        "{name}: with momentum 0 the momentum buffer is not used; it stays as given, as in torch",
        "{name}: 모멘텀이 0이면 모멘텀 버퍼를 쓰지 않고 주어진 값 그대로 둡니다 (torch와 같음)",
    ),
    "hidden_iterations": (
        "iterations t = {first} … {last} ({n}) are not worked out; the JSON trajectory has all",
        "t = {first} … {last} 반복({n}개)은 풀이 생략; JSON trajectory에는 모두 있음",
    ),
    "trajectory_title": ("trajectory", "궤적"),
    "compare_title": ("side by side", "나란히 비교"),
    "rows_hidden": ("{n} rows hidden", "{n}행 생략"),
    "table_hidden": ("{n} of {total} rows hidden; --json has all", "{total}행 중 {n}행 생략"),
    "plot_missing": ("--plot needs uniplot: pip install 'stepcalc[plot]'", "uniplot 필요"),
    "plot_loss": ("loss L by step", "단계별 손실 L"),
    "plot_path": ("path of (θ₁, θ₂)", "(θ₁, θ₂) 경로"),
    "plot_param": ("θ₁ by step", "단계별 θ₁"),
    # ---- errors
    "no_algorithm": ("required: one of {choices}, or --compare", "필수: {choices} 또는 --compare"),
    "compare_empty": ("give algorithms such as sgd,adam", "sgd,adam 처럼 지정하세요"),
    "not_used": ("not used by {algorithms} (only {takers})", "{algorithms}에 없음 ({takers} 전용)"),
    "below_one": ("must be in [0, 1), got {value}", "0 이상 1 미만이어야 합니다 ({value})"),
    "nesterov": (
        "Nesterov needs a momentum above 0 and dampening 0, as in torch (got {momentum}, "
        "{dampening})",
        "네스테로프에는 0보다 큰 모멘텀과 dampening 0이 필요합니다 ({momentum}, {dampening})",
    ),
    "state_format": ("{item} is not NAME=VALUES", "{item}은(는) 이름=값 형식이 아닙니다"),
    "state_size": (
        "{name} has {n} numbers, not 1 or {size}",
        "{name}: 숫자 {n}개 (1개 또는 {size}개)",
    ),
    "twice": ("{name} is given twice", "{name}이(가) 두 번 주어졌습니다"),
    "state_negative": ("{name} must not be negative", "{name}은(는) 음수일 수 없습니다"),
    "state_unknown": ("unknown name {name} (valid: {valid})", "알 수 없는 이름 {name} ({valid})"),
    "state_not_kept": (
        "{name} is not kept with these settings (max_exp_avg_sq needs --amsgrad, grad_avg "
        "--centered)",
        "이 설정에서는 {name}을(를) 쓰지 않음 (max_exp_avg_sq는 --amsgrad, grad_avg는 --centered)",
    ),
    "step_whole": ("step must be a whole number ≥ 0", "step은 0 이상의 정수여야 합니다"),
    "step_contradicts": ("{first} contradicts step={step}", "{first}은(는) step={step}와 모순"),
    "grad_size": (
        "the gradient has {n} numbers, θ has {size} (one gradient, or one per step with ';')",
        "기울기 숫자 {n}개, θ는 {size}개 (기울기 하나, 또는 단계마다 하나씩 ';'로 구분)",
    ),
    "grad_steps": ("{n} gradients for {steps} steps", "{steps}단계에 기울기 {n}개"),
    "vars_name": ("{name} cannot be a variable name", "{name}은(는) 변수 이름으로 쓸 수 없습니다"),
    "vars_count": ("{n} names for {size} parameters", "매개변수 {size}개에 이름 {n}개"),
    "too_big": (
        "{steps} steps of {size} parameters keep {kept} numbers (at most {limit}); use fewer",
        "매개변수 {size}개로 {steps}단계면 숫자 {kept}개 (최대 {limit}); 단계를 줄이세요",
    ),
    "undefined_start": ("L is not a finite number at {at}", "{at} 에서 L이 유한하지 않습니다"),
    "undefined": (
        "{name} step t={t} leaves the loss's domain or overflows (L is not finite at {at}); "
        "a smaller --lr may help",
        "{name}의 t={t} 단계가 손실의 정의역을 벗어나거나 넘칩니다 ({at} 에서 L이 유한하지 "
        "않음); 더 작은 --lr 을 써 보세요",
    ),
    "overflow": (
        "{name} step t={t} makes θ infinite or undefined (an overflow, or 0/0 with ε = 0); a "
        "smaller learning rate or ε > 0 avoids it",
        "{name}의 t={t} 단계에서 θ가 무한대이거나 정의되지 않습니다 (넘침, 또는 ε = 0 에서 0/0); "
        "더 작은 학습률이나 ε > 0 을 쓰세요",
    ),
}
