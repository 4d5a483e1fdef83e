"""Texts of ``silu`` (activation functions and their derivatives)."""

TEXT = {
    "title": ("activation · {fn}", "활성화 함수 · {fn}"),
    "subtitle": ("f(x) = {form}   f′(x) = {derivative}", "f(x) = {form}   f′(x) = {derivative}"),
    "sigma": ("σ({arg})", "σ({arg})"),
    "cdf": ("Φ(x), normal CDF", "Φ(x), 정규분포 누적분포"),
    "gelu_inner": ("u = √(2/π)(x + cx³)", "u = √(2/π)(x + cx³)"),
    "output": ("{fn}(x)", "{fn}(x)"),
    "raw_derivative": ("{fn}′(x), SymPy", "{fn}′(x), SymPy 미분"),
    "textbook_derivative": ("{fn}′(x), textbook form", "{fn}′(x), 교과서 형태"),
    "raw_overflow": (
        "this raw form overflows in float64 for |x| > 709 (e^x = inf); the value comes from "
        "the stable form",
        "|x| > 709이면 이 형태는 float64에서 넘침(e^x = inf)이 생기므로 값은 안정한 형태로 계산",
    ),
    "grad_input": ("∂L/∂x = upstream ⊙ f′", "∂L/∂x = 상류 기울기 ⊙ f′"),
    "element_table": ("element by element", "원소별 계산"),
    "rows_hidden": (
        "first {shown} of {total} elements shown",
        "{total}개 원소 중 앞 {shown}개만 표시",
    ),
    "compare_table": ("{fn} vs {other}", "{fn} 대 {other}"),
    "dies": (
        "{other}′ = 0: gradient dies, {fn}′ ≠ 0",
        "{other}′ = 0: 기울기 소멸, {fn}′ ≠ 0",
    ),
    "compare_note": (
        "where a derivative is 0 no gradient flows back through that unit (a dead ReLU for "
        "x ≤ 0); {fn} and {other} differ most for negative x",
        "미분값이 0인 곳에서는 그 뉴런을 통해 기울기가 역전파되지 않습니다(x ≤ 0인 죽은 ReLU). "
        "{fn}와 {other}는 음수 x에서 가장 크게 다릅니다",
    ),
    "jacobian": ("Jacobian ∂y/∂x", "야코비안 ∂y/∂x"),
    "jacobian_times": ("Jᵀ·upstream", "Jᵀ·상류 기울기"),
    "jacobian_note": (
        "an element-wise activation gives a diagonal Jacobian: yᵢ depends only on xᵢ, so "
        "the backward pass is just upstream ⊙ f′(x), never a full matrix product",
        "원소별 활성화 함수의 야코비안은 대각 행렬입니다: yᵢ는 xᵢ에만 의존하므로 역전파는 "
        "행렬곱 대신 상류 기울기 ⊙ f′(x) 로 충분합니다",
    ),
    "flattened": (
        "(the input is flattened row by row for the Jacobian)",
        "(야코비안을 위해 입력을 행 순서로 펼쳤습니다)",
    ),
    "depth_output": ("a_{n}: {n} stacked layers", "a_{n}: {n}개 층을 쌓은 출력"),
    "depth_gradient": ("∂a_{n}/∂x over {n} layers", "{n}개 층의 ∂a_{n}/∂x"),
    "depth_table": ("{n} stacked {fn} layers", "{fn} 층 {n}개 쌓기"),
    "depth_note": (
        "a_k = f(a_(k−1)), a_0 = x; by the chain rule ∂a_N/∂x is the product of the N local "
        "derivatives",
        "a_k = f(a_(k−1)), a_0 = x; 연쇄 법칙에 따라 ∂a_N/∂x 는 N개 국소 미분값의 곱입니다",
    ),
    "sigmoid_bound": (
        "σ′ ≤ 0.25, so after {n} layers the gradient is at most 0.25^{n} = {bound}: the "
        "vanishing gradient",
        "σ′ ≤ 0.25 이므로 {n}개 층 뒤 기울기는 최대 0.25^{n} = {bound}: 기울기 소실",
    ),
    "kink_note": (
        "{fn} has a kink at x = 0; like PyTorch's autograd the derivative there is taken from "
        "the left branch (ReLU′(0) = 0, LeakyReLU′(0) = α, ELU′(0) = α)",
        "{fn}는 x = 0에서 꺾입니다. PyTorch autograd와 같이 그 점의 미분값은 왼쪽 가지를 씁니다 "
        "(ReLU′(0) = 0, LeakyReLU′(0) = α, ELU′(0) = α)",
    ),
    "gelu_note": (
        "exact GELU x·Φ(x) with the error function, PyTorch's default (approximate='none')",
        "오차 함수를 쓰는 정확한 GELU x·Φ(x), PyTorch 기본값(approximate='none')",
    ),
    "gelu_tanh_note": (
        "tanh approximation of GELU, PyTorch's approximate='tanh' (c = 0.044715)",
        "GELU의 tanh 근사, PyTorch approximate='tanh' (c = 0.044715)",
    ),
    "stable_note": (
        "σ is computed as 1/(1 + e^(−x)) for x ≥ 0 and e^x/(1 + e^x) for x < 0, so large |x| "
        "never overflows",
        "σ는 x ≥ 0이면 1/(1 + e^(−x)), x < 0이면 e^x/(1 + e^x)로 계산하여 |x|가 커도 넘치지 "
        "않습니다",
    ),
    "silu_note": (
        "SiLU′ = σ(x)(1 + x(1 − σ(x))) is never exactly 0 for finite x < 0, so unlike ReLU no "
        "unit dies; for large x, SiLU(x) ≈ x and SiLU′(x) ≈ 1",
        "SiLU′ = σ(x)(1 + x(1 − σ(x)))는 유한한 x < 0에서 정확히 0이 되지 않아 ReLU처럼 죽은 "
        "노드가 생기지 않습니다. x가 크면 SiLU(x) ≈ x, SiLU′(x) ≈ 1",
    ),
    "form_silu": ("x·σ(x)", "x·σ(x)"),
    "form_swish": ("x·σ(βx)", "x·σ(βx)"),
    "form_sigmoid": ("1/(1 + e^(−x))", "1/(1 + e^(−x))"),
    "form_relu": ("max(0, x)", "max(0, x)"),
    "form_leaky_relu": ("x if x > 0, else αx", "x > 0이면 x, 아니면 αx"),
    "form_tanh": ("tanh(x)", "tanh(x)"),
    "form_gelu": ("x·Φ(x)", "x·Φ(x)"),
    "form_gelu_tanh": (
        "x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))",
        "x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))",
    ),
    "form_elu": ("x if x > 0, else α(eˣ − 1)", "x > 0이면 x, 아니면 α(eˣ − 1)"),
    "form_softplus": ("log(1 + eˣ)", "log(1 + eˣ)"),
    "deriv_silu": ("σ(x)(1 + x(1 − σ(x)))", "σ(x)(1 + x(1 − σ(x)))"),
    "deriv_swish": ("σ(βx)(1 + βx(1 − σ(βx)))", "σ(βx)(1 + βx(1 − σ(βx)))"),
    "deriv_sigmoid": ("σ(x)(1 − σ(x))", "σ(x)(1 − σ(x))"),
    "deriv_relu": ("1 if x > 0, else 0", "x > 0이면 1, 아니면 0"),
    "deriv_leaky_relu": ("1 if x > 0, else α", "x > 0이면 1, 아니면 α"),
    "deriv_tanh": ("1 − tanh²(x)", "1 − tanh²(x)"),
    "deriv_gelu": ("Φ(x) + x·φ(x)", "Φ(x) + x·φ(x)"),
    "deriv_gelu_tanh": (
        "(1 + tanh u)/2 + x(1 − tanh²u)·√(2/π)(1 + 3cx²)/2",
        "(1 + tanh u)/2 + x(1 − tanh²u)·√(2/π)(1 + 3cx²)/2",
    ),
    "deriv_elu": ("1 if x > 0, else f(x) + α", "x > 0이면 1, 아니면 f(x) + α"),
    "deriv_softplus": ("σ(x)", "σ(x)"),
}
