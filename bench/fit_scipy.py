#!/usr/bin/python3
"""The SciPy baseline for kith's BG/NBD and Gamma-Gamma maximum-likelihood fits.

Reads a customer summary CSV with the header `id,frequency,recency,T,monetary_value` (frequency =
x repeat purchases, an integer; recency = t_x; T = age; times in weeks; monetary_value = the mean
spend of the repeat purchases, 0 when x = 0) and fits, as a user of SciPy would write it:
- BG/NBD (Fader, Hardie & Lee 2005, Marketing Science), params r, alpha, a, b, on all customers;
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"), params p, q, gamma, on the repeat buyers.
The likelihoods are those of the Python `lifetimes` library. Each fit minimises the negative
log-likelihood per customer (the total / n, as lifetimes does) over the log-parameters with
scipy.optimize.minimize(method="BFGS"), numpy vectorised, from all parameters 1.0, with SciPy's
default finite-difference gradient (--analytic-grad: the exact gradient instead) and default gtol.

Prints one line per model, e.g.
  scipy BG/NBD: 0.043 s r=0.2426 alpha=4.4136 a=0.7929 b=2.4258 loglik=-9582.4256 converged=True
  scipy Gamma-Gamma: 0.009 s p=6.2487 q=3.7446 gamma=15.4480 loglik=-4055.9232 converged=True
The seconds are the wall time of minimize alone (not the CSV reading); with --runs N, the median.

usage: bench/fit_scipy.py FILE.csv [--runs N] [--analytic-grad]
Needs Debian's python3-numpy and python3-scipy (scripts/install-deps); run under another python3
without them (e.g. pyenv's, first in PATH), it re-executes itself with /usr/bin/python3.
"""
import argparse
import csv
import math
import os
import statistics
import sys
import time

try:
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import digamma, gammaln
except ImportError as e:
    if sys.executable != "/usr/bin/python3" and os.access("/usr/bin/python3", os.X_OK):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit(f"fit_scipy: {e}; install python3-numpy and python3-scipy (scripts/install-deps)")

HEADER = ["id", "frequency", "recency", "T", "monetary_value"]


def fail(msg):
    print(f"fit_scipy: {msg}", file=sys.stderr)
    sys.exit(1)


def read_csv(path):
    """Returns the arrays x, t_x, T, m; exits with a message on any malformed input."""
    try:
        return read_rows(path, open(path, newline="", encoding="utf-8-sig"))
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    except (UnicodeDecodeError, csv.Error) as e:
        fail(f"{path}: not a UTF-8 CSV file: {e}")


def read_rows(path, f):
    x, tx, age, m = [], [], [], []
    with f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None:
            fail(f"{path} is empty")
        if [h.strip() for h in header] != HEADER:
            fail(f"{path}: header is {','.join(header)!r}, expected {','.join(HEADER)!r}")
        for row in rows:
            line = rows.line_num
            if not row:
                continue
            if len(row) != len(HEADER):
                fail(f"{path}:{line}: {len(row)} fields, expected {len(HEADER)}")
            try:
                xi, ti, Ti, mi = (float(v) for v in row[1:])
            except ValueError:
                fail(f"{path}:{line}: not a number in {','.join(row[1:])!r}")
            if not all(math.isfinite(v) for v in (xi, ti, Ti, mi)):
                fail(f"{path}:{line}: non-finite value")
            if xi < 0 or xi != int(xi):
                fail(f"{path}:{line}: frequency {row[1]!r} is not a non-negative integer")
            if not 0 <= ti <= Ti or Ti <= 0:
                fail(f"{path}:{line}: need 0 <= recency <= T and T > 0 (recency {row[2]}, T {row[3]})")
            if xi == 0 and ti != 0:
                fail(f"{path}:{line}: frequency 0 but recency {row[2]} is not 0")
            if xi > 0 and mi <= 0:
                fail(f"{path}:{line}: frequency {row[1]} > 0 but monetary_value {row[4]} is not > 0")
            x.append(xi)
            tx.append(ti)
            age.append(Ti)
            m.append(mi)
    if not x:
        fail(f"{path}: no customers")
    return np.array(x), np.array(tx), np.array(age), np.array(m)


def bgnbd(x, tx, age):
    """The negative BG/NBD log-likelihood of the log-parameters, and its gradient."""
    rep = x > 0
    xm1 = np.where(rep, x - 1, 0.0)      # b + x - 1 only where x > 0 (b - 1 may be <= 0)
    txs = np.where(rep, tx, age)         # log(alpha + t_x) only where x > 0

    def parts(theta):
        r, alpha, a, b = np.exp(theta)
        A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        A3 = -(r + x) * np.log(alpha + age)
        A4 = np.where(rep, np.log(a) - np.log(b + xm1) - (r + x) * np.log(alpha + txs), -np.inf)
        return r, alpha, a, b, A1, A2, A3, A4

    def nll(theta):
        _, _, _, _, A1, A2, A3, A4 = parts(theta)
        return -np.sum(A1 + A2 + np.logaddexp(A3, A4))

    def grad(theta):
        r, alpha, a, b, A1, A2, A3, A4 = parts(theta)
        L = np.logaddexp(A3, A4)
        w3, w4 = np.exp(A3 - L), np.exp(A4 - L)
        d_r = (digamma(r + x) - digamma(r) + np.log(alpha)
               - w3 * np.log(alpha + age) - w4 * np.log(alpha + txs))
        d_alpha = r / alpha - w3 * (r + x) / (alpha + age) - w4 * (r + x) / (alpha + txs)
        d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
        d_b = (digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x)
               - w4 / (b + xm1))
        g = np.array([d_r.sum(), d_alpha.sum(), d_a.sum(), d_b.sum()])
        return -g * np.array([r, alpha, a, b])      # chain rule for the log-parameters

    return nll, grad


def gammagamma(x, m):
    """The negative Gamma-Gamma log-likelihood of the log-parameters (repeat buyers only)."""
    rep = x > 0
    x, m = x[rep], m[rep]
    logm, logx = np.log(m), np.log(x)

    def nll(theta):
        p, q, g = np.exp(theta)
        px = p * x
        ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + (px - 1) * logm
              + px * logx - (px + q) * np.log(g + x * m))
        return -np.sum(ll)

    def grad(theta):
        p, q, g = np.exp(theta)
        px = p * x
        lgxm = np.log(g + x * m)
        dpq = digamma(px + q)
        d_p = x * (dpq - digamma(px) + logm + logx - lgxm)
        d_q = dpq - digamma(q) + np.log(g) - lgxm
        d_g = q / g - (px + q) / (g + x * m)
        return -np.array([d_p.sum(), d_q.sum(), d_g.sum()]) * np.array([p, q, g])

    return nll, grad


def fit(name, names, n, nll, grad, runs):
    """Minimises nll/n (the mean over the n customers, as lifetimes does: with the total, the first
    BFGS step, -gradient, is n times too long, and on CDNOW Gamma-Gamma then stalls at p = 24244,
    gamma = 0.0025 with "precision loss"); prints the total log-likelihood."""
    f = lambda theta: nll(theta) / n
    jac = None if grad is None else (lambda theta: grad(theta) / n)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        res = minimize(f, np.zeros(len(names)), jac=jac, method="BFGS")
        times.append(time.perf_counter() - t0)
    params = " ".join(f"{k}={v:.4f}" for k, v in zip(names, np.exp(res.x)))
    print(f"scipy {name}: {statistics.median(times):.3f} s {params} loglik={-res.fun * n:.4f} "
          f"converged={bool(res.success)}", flush=True)
    if not res.success:
        print(f"fit_scipy: {name}: {res.message} (nit {res.nit}, nfev {res.nfev})",
              file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", help="CSV with header " + ",".join(HEADER))
    ap.add_argument("--runs", type=int, default=1, help="fit N times, print the median time")
    ap.add_argument("--analytic-grad", action="store_true",
                    help="give BFGS the exact gradient instead of finite differences")
    args = ap.parse_args()
    if args.runs < 1:
        fail("--runs must be >= 1")
    x, tx, age, m = read_csv(args.file)
    if not (x > 0).any():
        fail(f"{args.file}: no repeat buyers (frequency > 0); cannot fit Gamma-Gamma")

    nll, grad = bgnbd(x, tx, age)
    fit("BG/NBD", ["r", "alpha", "a", "b"], len(x), nll, grad if args.analytic_grad else None,
        args.runs)
    nll, grad = gammagamma(x, m)
    fit("Gamma-Gamma", ["p", "q", "gamma"], int((x > 0).sum()), nll,
        grad if args.analytic_grad else None, args.runs)


if __name__ == "__main__":
    main()
