"""Texts of ``silu`` (activation functions and their derivatives) and of ``stepcalc.symbolic``."""

TEXT = {
    "title": ("activation · {fn}", "활성화 함수 · {fn}"),
    "subtitle": ("{fn}(x) = {form}", "{fn}(x) = {form}"),
    "part_sigma": ("σ, the sigmoid inside {fn}", "σ, {fn} 안의 시그모이드"),
    "part_t": ("the tanh inside {fn}", "{fn} 안의 tanh"),
    "output": ("{fn} of the input", "입력의 {fn}"),
    "derivative": ("{fn}′, derived by SymPy", "{fn}′, SymPy로 미분"),
    "grad_input": ("gradient at the input: upstream ⊙ {fn}′", "입력의 기울기: 상류 기울기 ⊙ {fn}′"),
    "jacobian": ("Jacobian ∂y/∂x: {fn}′ on the diagonal", "야코비안 ∂y/∂x: 대각선에 {fn}′"),
    "jacobian_times": (
        "the same as Jᵀ × upstream (x flattened)",
        "같은 값을 Jᵀ × 상류 기울기로 (x를 펼쳐서)",
    ),
    "layer": ("layer {k}: {fn} of layer {j}", "{k}층: {j}층 출력의 {fn}"),
    "layer_gradient": ("chain rule through layer {k}", "{k}층까지 연쇄 법칙"),
    "shape": ("shape {shape}, but --input is {input}", "크기 {shape}, --input은 {input}입니다"),
    "unused_param": ("only used with --fn {fns}", "--fn {fns}에서만 씁니다"),
    "undefined": ("a part is undefined or infinite (log(0), 1/0)", "일부가 정의되지 않거나 무한대"),
    "compare_table": ("{fn} vs {other}", "{fn} 대 {other}"),
    "compare_note": (
        "where a derivative is 0 the gradient dies: nothing flows back through that unit",
        "미분값이 0인 곳에서는 기울기가 소멸합니다: 그 뉴런을 통해 아무것도 역전파되지 않습니다",
    ),
    "rows_hidden": ("first {shown} of {total} shown", "{total}개 중 앞 {shown}개만 표시"),
    "depth_note": (
        "a_k = f(a_(k−1)), a_0 = x: by the chain rule ∂a_N/∂x is the product of the N f′",
        "a_k = f(a_(k−1)), a_0 = x: 연쇄 법칙에 따라 ∂a_N/∂x 는 N개 f′의 곱입니다",
    ),
    "sigmoid_bound": (
        "σ′ ≤ 0.25, so after {n} layers the gradient is at most 0.25^{n} = {bound}: it vanishes",
        "σ′ ≤ 0.25 이므로 {n}개 층 뒤 기울기는 최대 0.25^{n} = {bound}: 기울기 소실",
    ),
    "jacobian_note": (
        "an element-wise activation gives a diagonal Jacobian: output i depends only on "
        "input i, so the backward pass is just upstream ⊙ f′(x), never a full matrix product",
        "원소별 활성화 함수의 야코비안은 대각 행렬입니다: i번째 출력은 i번째 입력에만 의존하므로 "
        "역전파는 행렬곱 대신 상류 기울기 ⊙ f′(x) 로 충분합니다",
    ),
    "kink_note": (
        "{fn} is not differentiable at x = {points}; as in PyTorch's autograd, {fn}′ is "
        "taken as {values}",
        "{fn}는 x = {points}에서 미분할 수 없습니다. PyTorch autograd와 같이 {fn}′ 값으로 "
        "{values}을(를) 씁니다",
    ),
    "value_at": ("{value} at x = {point}", "x = {point}에서 {value}"),
    "gelu_note": (
        "exact GELU x·Φ(x) with the error function, PyTorch's default (approximate='none')",
        "오차 함수를 쓰는 정확한 GELU x·Φ(x), PyTorch 기본값(approximate='none')",
    ),
    "gelu_tanh_note": (
        "tanh approximation of GELU, PyTorch's approximate='tanh' (0.044715 is its constant)",
        "GELU의 tanh 근사, PyTorch approximate='tanh' (0.044715는 그 상수)",
    ),
    "softplus_note": (
        "like PyTorch, Softplus is x itself for x > 20, where log(1 + exp(x)) − x < 2.1e-9",
        "PyTorch와 같이 x > 20이면 Softplus는 x 자신입니다 (그곳에서 log(1 + exp(x)) − x < 2.1e-9)",
    ),
    "hard_sigmoid_note": (
        "PyTorch's hard sigmoid: ReLU6(x + 3)/6, the line x/6 + 1/2 clipped to [0, 1]",
        "PyTorch의 hard sigmoid: ReLU6(x + 3)/6, 직선 x/6 + 1/2를 [0, 1]로 자른 것",
    ),
    "step_note": (
        "the step function jumps at 0 and is flat everywhere else, so its derivative is 0 "
        "wherever it exists (stepcalc takes 0 at the jump too; PyTorch's torch.heaviside has "
        "no derivative): no gradient flows back through it",
        "계단 함수는 0에서 뛰고 나머지에서는 평평하므로 미분값은 존재하는 모든 곳에서 0입니다 "
        "(점프에서도 0으로 둡니다; PyTorch의 torch.heaviside는 미분이 없습니다): 이 함수를 통해 "
        "기울기가 전혀 역전파되지 않습니다",
    ),
    "silu_note": (
        "SiLU′ = 0 only at x ≈ −1.2785, where SiLU has its minimum ≈ −0.2785; below it "
        "SiLU′ < 0, and it tends to 0 as x decreases. Since SiLU′(x) + SiLU′(−x) = 1, "
        "SiLU′ > 1 for x > 1.2785. ReLU′ instead is 0 for every x ≤ 0",
        "SiLU′는 x ≈ −1.2785에서만 0이며 그곳에서 SiLU가 최솟값 ≈ −0.2785를 가집니다. 그보다 "
        "작은 x에서는 SiLU′ < 0이고 x가 작아질수록 0에 가까워집니다. SiLU′(x) + SiLU′(−x) = 1 "
        "이므로 x > 1.2785에서 SiLU′ > 1입니다. 반면 ReLU′는 모든 x ≤ 0에서 0입니다",
    ),
}
