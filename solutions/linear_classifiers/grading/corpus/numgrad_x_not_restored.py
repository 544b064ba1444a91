# eval_numerical_gradient evaluates f(x + h) and f(x - h) but never puts the entry back, so x is left shifted by -h everywhere after the call.
# expect-lose: eval_numerical_gradient
# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        original = x[ix]
        x[ix] = original + h
        plus = f(x)
        x[ix] = original - h
        minus = f(x)
        grad[ix] = (plus - minus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad
