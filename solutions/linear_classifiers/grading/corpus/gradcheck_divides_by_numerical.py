# grad_check_sparse divides |numerical - analytic| by |numerical| only (the textbook "relative to the true value" error) instead of by |numerical| + |analytic|.
# expect-lose: grad_check_sparse
# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    rel_errors = np.zeros(num_checks)
    for i in range(num_checks):
        ix = tuple([np.random.randint(m) for m in x.shape])
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        rel_errors[i] = abs(grad_numerical - grad_analytic) / max(abs(grad_numerical), 1e-12)
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, rel_errors[i]))
    return rel_errors
