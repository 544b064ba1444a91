# grad_check_sparse always runs 10 checks (range(10), copied from the notebook's default) whatever num_checks it is given.
# expect-lose: grad_check_sparse
# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    results = []
    for i in range(10):
        ix = tuple(np.random.randint(n) for n in x.shape)
        old = x[ix]
        x[ix] = old + h
        f_up = f(x)
        x[ix] = old - h
        f_down = f(x)
        x[ix] = old
        numeric = (f_up - f_down) / (2 * h)
        analytic = analytic_grad[ix]
        total = abs(numeric) + abs(analytic)
        results.append(abs(numeric - analytic) / total if total > 0 else 0.0)
        print("numerical: %f analytic: %f, relative error: %e" % (numeric, analytic, results[-1]))
    return np.array(results)
