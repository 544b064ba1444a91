# grad_check_sparse keeps "h = 1e-5" as the first line of the body, as in the old CS231n signature grad_check_sparse(f, x, analytic_grad, num_checks) (seen in amanraj209/CIFAR10_Models), which shadows the h argument.
# expect-lose: grad_check_sparse
# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    h = 1e-5
    errs = np.zeros(num_checks)
    for i in range(num_checks):
        ix = tuple(np.random.randint(m) for m in x.shape)
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        denom = abs(grad_numerical) + abs(grad_analytic)
        errs[i] = abs(grad_numerical - grad_analytic) / denom if denom > 0 else 0.0
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, errs[i]))
    return errs
