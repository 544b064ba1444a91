# eval_numerical_gradient walks x.flat but loops over range(len(x)) instead of range(x.size), so only the first len(x) = x.shape[0] entries get a gradient and the rest stay 0.
# expect-lose: eval_numerical_gradient
# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.zeros(x.shape)
    for k in range(len(x)):
        keep = x.flat[k]
        x.flat[k] = keep + h
        up = f(x)
        x.flat[k] = keep - h
        down = f(x)
        x.flat[k] = keep
        grad.flat[k] = (up - down) / (2 * h)
        if verbose:
            print(np.unravel_index(k, x.shape), grad.flat[k])
    return grad
