"""L-BFGS (Liu & Nocedal, 1989): a quasi-Newton direction from the last history_size steps.

Closure-driven: one `step(closure)` runs up to max_iter iterations, each evaluating the loss.
Like torch, one param group only, and all state sits under the first parameter.
"""

import functools

import torch
from torch import Tensor
from torch.optim import Optimizer

from ._base import check_lr, require


def lbfgs_direction(grad: Tensor, old_dirs, old_stps, ro, H_diag, al) -> Tensor:
    """d = −H·grad by the two-loop recursion. y_i are old_dirs, s_i old_stps, ρ_i = 1/(y_iᵀs_i)."""
    q = grad.neg()  # q ← −g
    for i in reversed(range(len(old_dirs))):
        al[i] = old_stps[i].dot(q) * ro[i]  # α_i ← ρ_i·s_iᵀq
        q.add_(old_dirs[i], alpha=-al[i])  # q ← q − α_i·y_i
    r = torch.mul(q, H_diag)  # r ← γ·q   (γ = H_diag, the initial Hessian's scale)
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]  # β_i ← ρ_i·y_iᵀr
        r.add_(old_stps[i], alpha=al[i] - be_i)  # r ← r + (α_i − β_i)·s_i
    return r


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, f'=g1) and (x2, f2, f'=g2), clamped to bounds."""
    xmin_bound, xmax_bound = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (xmin_bound + xmax_bound) / 2.0  # no real minimiser: bisect
    d2 = d2_square.sqrt()
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, xmin_bound), xmax_bound)


def strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d with f(t) ≤ f + c1·t·gtd (enough decrease) and |g(t)ᵀd| ≤ −c2·gtd (flat
    enough), found as minFunc and torch do: bracket, then zoom. A point is (t, f, gᵀd, g).

    Returns f(t), g(t), t and the number of evaluations.
    """
    d_norm = d.abs().max()
    f_new, g_new = evaluate(t, d)
    evals, ls_iter, done = 1, 0, False
    prev, new = (0, f, gtd, g), (t, f_new, g_new.dot(d), g_new)
    while ls_iter < max_ls:  # bracket: grow t until an interval must hold a Wolfe point
        if new[1] > f + c1 * t * gtd or (ls_iter > 1 and new[1] >= prev[1]):
            bracket = [prev, new]  # too high: the point lies between
            break
        if abs(new[2]) <= -c2 * gtd:
            bracket, done = [new], True  # both conditions hold
            break
        if new[2] >= 0:
            bracket = [prev, new]  # the slope turned: a minimum lies between
            break
        bounds = (t + 0.01 * (t - prev[0]), t * 10)
        prev, t = new, cubic_interpolate(*prev[:3], *new[:3], bounds=bounds)
        f_new, g_new = evaluate(t, d)
        evals, ls_iter = evals + 1, ls_iter + 1
        new = (t, f_new, g_new.dot(d), g_new)
    else:
        bracket = [(0, f, None, g), new]  # out of evaluations
    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    insuf_progress = False
    while not done and ls_iter < max_ls:  # zoom: shrink the bracket around a Wolfe point
        lo, hi = min(bracket[0][0], bracket[1][0]), max(bracket[0][0], bracket[1][0])
        if (hi - lo) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(*bracket[0][:3], *bracket[1][:3])
        eps = 0.1 * (hi - lo)
        if min(hi - t, t - lo) < eps:  # too close to an end: after twice, or outside, move 10% in
            if insuf_progress or t >= hi or t <= lo:
                t = hi - eps if abs(t - hi) < abs(t - lo) else lo + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = evaluate(t, d)
        evals, ls_iter = evals + 1, ls_iter + 1
        new = (t, f_new, g_new.dot(d), g_new)
        if f_new > f + c1 * t * gtd or f_new >= bracket[low][1]:
            bracket[high] = new  # not low enough: the new point is the high end
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if abs(new[2]) <= -c2 * gtd:
                done = True
            elif new[2] * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = bracket[low]  # the slope points away from high: old low is high
            bracket[low] = new
    t, f_new, _, g_new = bracket[low]
    return f_new, g_new, t, evals


class LBFGS(Optimizer):
    def __init__(
        self,
        params,
        lr=1,
        max_iter=20,
        max_eval=None,
        tolerance_grad=1e-7,
        tolerance_change=1e-9,
        history_size=100,
        line_search_fn=None,
    ):
        check_lr(lr)
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_iter * 5 // 4 if max_eval is None else max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        require(
            len(self.param_groups) == 1,
            "LBFGS doesn't support per-parameter options (parameter groups)",
        )
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self) -> Tensor:
        """g: every gradient in one vector (a sparse one made dense), zeros where there is none."""
        return torch.cat(
            [
                p.new_zeros(p.numel()) if p.grad is None else p.grad.to_dense().view(-1)
                for p in self._params
            ]
        )

    def _add(self, t, d: Tensor) -> None:
        """x ← x + t·d, d cut into the parameters' shapes."""
        for p, piece in zip(self._params, d.split([p.numel() for p in self._params]), strict=True):
            p.add_(piece.view_as(p), alpha=t)

    def _evaluate(self, closure, t, d):
        """f and g at x + t·d; x is left as it was."""
        x = [p.clone() for p in self._params]
        self._add(t, d)
        loss = float(closure())
        flat_grad = self._flat_grad()
        for p, value in zip(self._params, x, strict=True):
            p.copy_(value)
        return loss, flat_grad

    @torch.no_grad()
    def step(self, closure):
        closure = torch.enable_grad()(closure)
        group = self.param_groups[0]
        lr = group["lr"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise RuntimeError("only 'strong_wolfe' is supported")
        require(
            not any(p.is_complex() for p in self._params),
            "complex parameters are not supported; use torch.optim",
        )
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss, current_evals = float(orig_loss), 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return orig_loss  # already optimal

        d, t, prev_flat_grad = state.get("d"), state.get("t"), state.get("prev_flat_grad")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_loss = state.get("H_diag"), state.get("prev_loss")
        for n_iter in range(1, group["max_iter"] + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, H_diag = flat_grad.neg(), [], [], [], 1  # d ← −g
            else:
                y, s = flat_grad.sub(prev_flat_grad), d.mul(t)  # y ← g − g_prev, s ← t·d
                ys = y.dot(s)
                if ys > 1e-10:  # keep only pairs of positive curvature
                    if len(old_dirs) == group["history_size"]:
                        for history in (old_dirs, old_stps, ro):
                            del history[0]  # forget the oldest pair
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)  # ρ ← 1/(yᵀs)
                    H_diag = ys / y.dot(y)  # γ ← yᵀs / yᵀy
                al = state.setdefault("al", [None] * group["history_size"])
                d = lbfgs_direction(flat_grad, old_dirs, old_stps, ro, H_diag, al)
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # first step ever: t = lr·min(1, 1/‖g‖₁); afterwards t = lr
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)  # gᵀd
            if gtd > -tolerance_change:
                break  # d is no longer a descent direction

            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, evals = strong_wolfe(
                    functools.partial(self._evaluate, closure),
                    t,
                    d,
                    loss,
                    flat_grad,
                    gtd,
                    max_ls=group["max_eval"] - current_evals,
                )
                self._add(t, d)  # x ← x + t·d
            else:
                self._add(t, d)  # x ← x + t·d, a fixed step
                evals = 0
                if n_iter != group["max_iter"]:  # the last iteration's loss is never needed
                    loss, flat_grad, evals = float(closure()), self._flat_grad(), 1
            current_evals += evals
            state["func_evals"] += evals

            if (
                n_iter == group["max_iter"]
                or current_evals >= group["max_eval"]
                or flat_grad.abs().max() <= tolerance_grad  # optimal
                or d.mul(t).abs().max() <= tolerance_change  # the step is tiny
                or abs(loss - prev_loss) < tolerance_change  # the loss stalled
            ):
                break

        state.update(
            d=d,
            t=t,
            old_dirs=old_dirs,
            old_stps=old_stps,
            ro=ro,
            H_diag=H_diag,
            prev_flat_grad=prev_flat_grad,
            prev_loss=prev_loss,
        )
        return orig_loss
