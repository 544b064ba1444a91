# grad_check_sparse computes the relative error as (numerical - analytic) / (|numerical| + |analytic|) without abs() on the difference, so it returns negative "errors".
# expect-lose: grad_check_sparse
# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    out = np.zeros(num_checks)
    for k in range(num_checks):
        idx = tuple(np.random.randint(0, s) for s in x.shape)
        v = x[idx]
        x[idx] = v + h
        fp = f(x)
        x[idx] = v - h
        fm = f(x)
        x[idx] = v
        num = (fp - fm) / (2 * h)
        ana = analytic_grad[idx]
        out[k] = (num - ana) / (abs(num) + abs(ana))
        print("numerical: %f analytic: %f, relative error: %e" % (num, ana, out[k]))
    return out
