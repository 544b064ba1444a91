# grad_check_sparse nudges x[ix] with += h and -= 2 * h as in the old CS231n gradient_check.py but drops the final "x[ix] += h  # reset", so every checked entry is left at x - h.
# expect-lose: grad_check_sparse
# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    errors = []
    for _ in range(num_checks):
        ix = tuple(np.random.randint(m) for m in x.shape)
        x[ix] += h
        fxph = f(x)
        x[ix] -= 2 * h
        fxmh = f(x)
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        rel = abs(grad_numerical - grad_analytic) / (abs(grad_numerical) + abs(grad_analytic))
        errors.append(rel)
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, rel))
    return np.array(errors)
