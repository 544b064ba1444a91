# eval_numerical_gradient uses the one-sided difference (f(x + h) - f(x)) / h from the CS231n optimization notes (as in jackyu86/learnSpace gradient_check.py) instead of the centered one.
# expect-lose: eval_numerical_gradient
# expect-fail: eval_numerical_gradient: centered
# expect-pass: eval_numerical_gradient: every-entry
# expect-hint: eval_numerical_gradient: these are one-sided differences
# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    fx = f(x)  # value at the original point
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxh = f(x)
        x[ix] = old  # restore
        grad[ix] = (fxh - fx) / h
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad
