"""Cox proportional hazards regression with Efron's ties and a cluster-robust variance.

The cause-specific Cox model of SAP amendment 1.2e: local failure is the event, a competing
death and every other end of follow-up censor. Newton-Raphson on Efron's partial likelihood;
the robust (sandwich) variance is D'D with D the per-cluster sums of the score residuals
times the inverse information, no small-sample factor (Lin and Wei 1989): what lifelines'
`CoxPHFitter(...).fit(..., cluster_col=...)` computes, against which the tests check it.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class CoxFit:
    """Coefficients (log hazard ratios), their robust covariance and Wald tests."""

    beta: np.ndarray
    covariance: np.ndarray

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.covariance))

    @property
    def hr(self) -> np.ndarray:
        return np.exp(self.beta)

    @property
    def ci95(self) -> tuple[np.ndarray, np.ndarray]:
        return np.exp(self.beta - Z95 * self.se), np.exp(self.beta + Z95 * self.se)

    @property
    def p(self) -> np.ndarray:
        return 2 * stats.norm.sf(np.abs(self.beta / self.se))


def _efron(beta: np.ndarray, time: np.ndarray, event: np.ndarray, x: np.ndarray):
    """Log partial likelihood, gradient, Hessian and score residuals (one row per record)."""
    p = x.shape[1]
    risk_score = np.exp(x @ beta)
    loglik, grad, hess = 0.0, np.zeros(p), np.zeros((p, p))
    residuals = np.zeros_like(x)
    for s in np.unique(time[event]):
        at_risk = time >= s
        dying = at_risk & event & (time == s)
        d = int(dying.sum())
        r, xr = risk_score[at_risk], x[at_risk]
        rd, xd = risk_score[dying], x[dying]
        s0r, s1r = r.sum(), r @ xr
        s2r = (xr * r[:, None]).T @ xr
        s0d, s1d = rd.sum(), rd @ xd
        s2d = (xd * rd[:, None]).T @ xd
        loglik += float(xd.sum(axis=0) @ beta)
        grad += xd.sum(axis=0)
        dying_in_risk = dying[at_risk]
        for step in range(d):
            f = step / d
            s0, s1, s2 = s0r - f * s0d, s1r - f * s1d, s2r - f * s2d
            mean = s1 / s0
            loglik -= np.log(s0)
            grad -= mean
            hess -= s2 / s0 - np.outer(mean, mean)
            weight = np.where(dying_in_risk, 1 - f, 1.0)
            centred = xr - mean
            residuals[at_risk] -= (r * weight / s0)[:, None] * centred
            residuals[dying] += centred[dying_in_risk] / d
    return loglik, grad, hess, residuals


def cox_fit(
    time: np.ndarray, event: np.ndarray, x: np.ndarray, cluster: np.ndarray, tol: float = 1e-10
) -> CoxFit:
    """Fit by Newton-Raphson (step halving if the likelihood drops) until no coefficient moves
    by `tol`; robust covariance over `cluster`. `x` is records x covariates, no intercept."""
    time, event = np.asarray(time, float), np.asarray(event, bool)
    x = np.asarray(x, float).reshape(len(time), -1)
    beta = np.zeros(x.shape[1])
    loglik, grad, hess, _ = _efron(beta, time, event, x)
    for _ in range(100):
        step = np.linalg.solve(-hess, grad)
        for _ in range(30):
            new = _efron(beta + step, time, event, x)
            if new[0] >= loglik - 1e-12:
                break
            step /= 2
        beta = beta + step
        loglik, grad, hess, _ = new
        if np.max(np.abs(step)) < tol:
            break
    else:
        raise RuntimeError("the Cox model did not converge")
    _, _, hess, residuals = _efron(beta, time, event, x)
    information_inverse = np.linalg.inv(-hess)
    _, index = np.unique(np.asarray(cluster), return_inverse=True)
    delta = residuals @ information_inverse
    per_cluster = np.zeros((index.max() + 1, x.shape[1]))
    np.add.at(per_cluster, index, delta)
    return CoxFit(beta, per_cluster.T @ per_cluster)
