# grad_check_sparse draws the random index once, before the loop, so all num_checks checks look at the same entry.
# expect-lose: grad_check_sparse
# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    errors = np.zeros(num_checks)
    ix = tuple(np.random.randint(m) for m in x.shape)
    for i in range(num_checks):
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        denom = abs(grad_numerical) + abs(grad_analytic)
        errors[i] = abs(grad_numerical - grad_analytic) / denom if denom else 0.0
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, errors[i]))
    return errors
