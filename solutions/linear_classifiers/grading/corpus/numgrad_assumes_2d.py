# eval_numerical_gradient uses two nested loops over rows and columns (fine for W of shape (D, C)) so it silently does the wrong thing for arrays of any other number of dimensions.
# expect-lose: eval_numerical_gradient
# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.zeros(x.shape)
    rows, cols = x.shape[0], x.shape[1]
    for r in range(rows):
        for c in range(cols):
            saved = x[r, c]
            x[r, c] = saved + h
            f_plus = f(x)
            x[r, c] = saved - h
            f_minus = f(x)
            x[r, c] = saved
            grad[r, c] = (f_plus - f_minus) / (2 * h)
            if verbose:
                print((r, c), grad[r, c])
    return grad
