# eval_numerical_gradient keeps the step h = 0.00001 hard-coded inside the body (as in the old CS231n gradient_check.py before h became a parameter) and ignores the h argument.
# expect-lose: eval_numerical_gradient
# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    step = 0.00001
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + step
        fxph = f(x)
        x[ix] = oldval - step
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * step)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad
