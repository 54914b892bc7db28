//! A limited-memory BFGS minimiser that follows the iteration of L-BFGS-B 3.0 (Byrd, Lu,
//! Nocedal, Zhu; as called by `scipy.optimize.minimize(method="L-BFGS-B")`) on problems
//! without bounds, so that it stops where scikit-learn's `LogisticRegression` stops.
//!
//! Without bounds L-BFGS-B reduces to: first direction `-g` with initial step `1/‖g‖`,
//! then quasi-Newton directions `-H g` (limited-memory inverse Hessian with `m` pairs and
//! `H₀ = (sᵀy / yᵀy) I`, computed here by the two-loop recursion), a Moré–Thuente line
//! search (MINPACK-2 `dcsrch`, `ftol = 1e-3`, `gtol = 0.9`, `xtol = 0.1`, steps in
//! `[0, 1e10]`, initial step 1), a pair skipped when `sᵀy <= ε · (−gᵀd · step)`, and a restart
//! with an empty memory when the line search fails. It stops when `max |gᵢ| <= gtol`, when
//! the relative decrease of `f` is at most `ftol`, or after `max_iter` iterations.
//! Rounding differs from the Fortran/C code (two-loop recursion instead of the compact
//! representation), so iterates agree to rounding, not bit for bit.

use std::collections::VecDeque;

/// Options of [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LbfgsOptions {
    /// Maximum number of iterations.
    pub max_iter: usize,
    /// Stop when the largest absolute gradient entry is at most this.
    pub gtol: f64,
    /// Stop when `(f_old - f) <= ftol * max(|f_old|, |f|, 1)`.
    pub ftol: f64,
    /// Number of stored correction pairs.
    pub memory: usize,
    /// Maximum number of function evaluations per line search.
    pub max_line_search: usize,
}

/// The outcome of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LbfgsResult {
    /// The final iterate.
    pub x: Vec<f64>,
    /// Number of iterations done.
    pub n_iter: usize,
    /// Whether a convergence test (not the iteration limit) stopped it.
    pub converged: bool,
}

/// Largest step of the line search (L-BFGS-B's `big`).
const STEP_MAX: f64 = 1e10;
/// Sufficient-decrease parameter of the line search.
const LS_FTOL: f64 = 1e-3;
/// Curvature parameter of the line search.
const LS_GTOL: f64 = 0.9;
/// Relative width tolerance of the line search.
const LS_XTOL: f64 = 0.1;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn inf_norm(a: &[f64]) -> f64 {
    a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
}

/// One stored correction pair.
struct Pair {
    s: Vec<f64>,
    y: Vec<f64>,
    /// `sᵀy` as L-BFGS-B computes it.
    sy: f64,
}

/// `-H g` by the two-loop recursion with `H₀ = I / theta`.
fn direction(g: &[f64], pairs: &VecDeque<Pair>, theta: f64) -> Vec<f64> {
    let mut q: Vec<f64> = g.to_vec();
    let mut alpha = vec![0.0; pairs.len()];
    for (i, p) in pairs.iter().enumerate().rev() {
        let a = dot(&p.s, &q) / p.sy;
        alpha[i] = a;
        for (qj, yj) in q.iter_mut().zip(&p.y) {
            *qj -= a * yj;
        }
    }
    for qj in &mut q {
        *qj /= theta;
    }
    for (i, p) in pairs.iter().enumerate() {
        let b = dot(&p.y, &q) / p.sy;
        let a = alpha[i];
        for (qj, sj) in q.iter_mut().zip(&p.s) {
            *qj += (a - b) * sj;
        }
    }
    for qj in &mut q {
        *qj = -*qj;
    }
    q
}

/// Minimises `f` from `x0`. `fg(x, grad)` returns `f(x)` and writes the gradient.
pub(crate) fn minimize<F>(mut fg: F, x0: Vec<f64>, opts: &LbfgsOptions) -> LbfgsResult
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut f = fg(&x, &mut g);
    if inf_norm(&g) <= opts.gtol {
        return LbfgsResult {
            x,
            n_iter: 0,
            converged: true,
        };
    }
    let mut pairs: VecDeque<Pair> = VecDeque::with_capacity(opts.memory);
    let mut theta = 1.0;
    let mut n_iter = 0usize;
    let mut x_old = vec![0.0; n];
    let mut g_old = vec![0.0; n];
    loop {
        let d = if pairs.is_empty() {
            g.iter().map(|v| -v).collect()
        } else {
            direction(&g, &pairs, theta)
        };
        let gd_old = dot(&g, &d);
        if gd_old >= 0.0 || !gd_old.is_finite() {
            // Not a descent direction: restart from steepest descent, or give up.
            if pairs.is_empty() {
                return LbfgsResult {
                    x,
                    n_iter,
                    converged: false,
                };
            }
            pairs.clear();
            theta = 1.0;
            continue;
        }
        let mut stp = if n_iter == 0 {
            (1.0 / dot(&d, &d).sqrt()).min(STEP_MAX)
        } else {
            1.0
        };
        x_old.copy_from_slice(&x);
        g_old.copy_from_slice(&g);
        let f_old = f;
        let (failed, gd) = line_search(
            &mut fg,
            &mut x,
            &mut g,
            &mut f,
            &mut stp,
            (&x_old, &d, gd_old),
            opts.max_line_search,
        );
        if failed {
            // Restore the previous iterate; restart with an empty memory, or give up.
            x.copy_from_slice(&x_old);
            g.copy_from_slice(&g_old);
            f = f_old;
            if pairs.is_empty() {
                return LbfgsResult {
                    x,
                    n_iter: n_iter + 1,
                    converged: false,
                };
            }
            pairs.clear();
            theta = 1.0;
            continue;
        }
        n_iter += 1;
        // The gradient and relative-decrease tests, then the iteration limit.
        let converged =
            inf_norm(&g) <= opts.gtol || f_old - f <= opts.ftol * f_old.abs().max(f.abs()).max(1.0);
        if converged || n_iter >= opts.max_iter {
            return LbfgsResult {
                x,
                n_iter,
                converged,
            };
        }
        let y: Vec<f64> = g.iter().zip(&g_old).map(|(a, b)| a - b).collect();
        let (dr, ddum) = if stp == 1.0 {
            (gd - gd_old, -gd_old)
        } else {
            ((gd - gd_old) * stp, -gd_old * stp)
        };
        // Skip the pair unless the curvature sᵀy is clearly positive.
        if dr > f64::EPSILON * ddum {
            theta = dot(&y, &y) / dr;
            let s: Vec<f64> = if stp == 1.0 {
                d
            } else {
                d.iter().map(|v| stp * v).collect()
            };
            if pairs.len() == opts.memory {
                pairs.pop_front();
            }
            pairs.push_back(Pair { s, y, sy: dr });
        }
    }
}

/// Runs the line search from `x_old` along `d` (`gd_old = gᵀd < 0`), starting at `*stp`.
/// On return `x`, `g`, `f` hold the last evaluated point, `*stp` its step; returns whether
/// the search failed (too many evaluations or a non-finite value) and `gᵀd` at the point.
fn line_search<F>(
    fg: &mut F,
    x: &mut [f64],
    g: &mut [f64],
    f: &mut f64,
    stp: &mut f64,
    (x_old, d, gd_old): (&[f64], &[f64], f64),
    max_evaluations: usize,
) -> (bool, f64)
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let mut search = LineSearch::start(*f, gd_old, *stp);
    let mut gd = gd_old;
    for _ in 0..max_evaluations {
        for ((xi, xo), di) in x.iter_mut().zip(x_old).zip(d) {
            *xi = *stp * di + xo;
        }
        *f = fg(x, g);
        gd = dot(g, d);
        if !f.is_finite() {
            return (true, gd);
        }
        if let SearchStatus::Done = search.step(stp, *f, gd) {
            return (false, gd);
        }
    }
    (true, gd)
}

/// What the caller does after a line-search step.
enum SearchStatus {
    /// Evaluate the function at the new step.
    Evaluate,
    /// The step satisfies the conditions (or no better step can be found).
    Done,
}

/// The Moré–Thuente line search (MINPACK-2 `dcsrch`), as a state machine.
struct LineSearch {
    bracketed: bool,
    stage_one: bool,
    f_init: f64,
    g_test: f64,
    g_init: f64,
    width: f64,
    width1: f64,
    stx: f64,
    fx: f64,
    gx: f64,
    sty: f64,
    fy: f64,
    gy: f64,
    st_min: f64,
    st_max: f64,
}

impl LineSearch {
    /// Starts a search from `f(0) = f`, `f'(0) = g < 0` with first trial step `stp`.
    fn start(f: f64, g: f64, stp: f64) -> Self {
        let width = STEP_MAX;
        LineSearch {
            bracketed: false,
            stage_one: true,
            f_init: f,
            g_test: LS_FTOL * g,
            g_init: g,
            width,
            width1: width / 0.5,
            stx: 0.0,
            fx: f,
            gx: g,
            sty: 0.0,
            fy: f,
            gy: g,
            st_min: 0.0,
            st_max: stp + 4.0 * stp,
        }
    }

    /// Takes `f(stp)` and `f'(stp)`; either accepts `stp` or replaces it by the next trial.
    fn step(&mut self, stp: &mut f64, f: f64, g: f64) -> SearchStatus {
        let ftest = self.f_init + *stp * self.g_test;
        if self.stage_one && f <= ftest && g >= 0.0 {
            self.stage_one = false;
        }
        // Warnings (rounding, width, bounds) and convergence all end the search at `stp`.
        if self.bracketed && (*stp <= self.st_min || *stp >= self.st_max) {
            return SearchStatus::Done;
        }
        if self.bracketed && self.st_max - self.st_min <= LS_XTOL * self.st_max {
            return SearchStatus::Done;
        }
        if *stp == STEP_MAX && f <= ftest && g <= self.g_test {
            return SearchStatus::Done;
        }
        if *stp == 0.0 && (f > ftest || g >= self.g_test) {
            return SearchStatus::Done;
        }
        if f <= ftest && g.abs() <= LS_GTOL * -self.g_init {
            return SearchStatus::Done;
        }
        let mut new_stp;
        if self.stage_one && f <= self.fx && f > ftest {
            // Modified function values in stage one.
            let fm = f - *stp * self.g_test;
            let mut fxm = self.fx - self.stx * self.g_test;
            let mut fym = self.fy - self.sty * self.g_test;
            let gm = g - self.g_test;
            let mut gxm = self.gx - self.g_test;
            let mut gym = self.gy - self.g_test;
            new_stp = *stp;
            cstep(
                &mut self.stx,
                &mut fxm,
                &mut gxm,
                &mut self.sty,
                &mut fym,
                &mut gym,
                &mut new_stp,
                fm,
                gm,
                &mut self.bracketed,
                self.st_min,
                self.st_max,
            );
            self.fx = fxm + self.stx * self.g_test;
            self.fy = fym + self.sty * self.g_test;
            self.gx = gxm + self.g_test;
            self.gy = gym + self.g_test;
        } else {
            new_stp = *stp;
            cstep(
                &mut self.stx,
                &mut self.fx,
                &mut self.gx,
                &mut self.sty,
                &mut self.fy,
                &mut self.gy,
                &mut new_stp,
                f,
                g,
                &mut self.bracketed,
                self.st_min,
                self.st_max,
            );
        }
        if self.bracketed {
            if (self.sty - self.stx).abs() >= 0.66 * self.width1 {
                new_stp = self.stx + 0.5 * (self.sty - self.stx);
            }
            self.width1 = self.width;
            self.width = (self.sty - self.stx).abs();
            self.st_min = self.stx.min(self.sty);
            self.st_max = self.stx.max(self.sty);
        } else {
            self.st_min = new_stp + 1.1 * (new_stp - self.stx);
            self.st_max = new_stp + 4.0 * (new_stp - self.stx);
        }
        new_stp = new_stp.clamp(0.0, STEP_MAX);
        if self.bracketed
            && (new_stp <= self.st_min
                || new_stp >= self.st_max
                || self.st_max - self.st_min <= LS_XTOL * self.st_max)
        {
            new_stp = self.stx;
        }
        *stp = new_stp;
        SearchStatus::Evaluate
    }
}

/// numpy's `sign`: -1, 0 or 1.
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// MINPACK-2 `dcstep`: a safeguarded cubic/quadratic step that updates the interval of
/// uncertainty `[stx, sty]`.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn cstep(
    stx: &mut f64,
    fx: &mut f64,
    dx: &mut f64,
    sty: &mut f64,
    fy: &mut f64,
    dy: &mut f64,
    stp: &mut f64,
    fp: f64,
    dp: f64,
    bracketed: &mut bool,
    stpmin: f64,
    stpmax: f64,
) {
    let sgnd = sign(dp) * sign(*dx);
    let stpf;
    if fp > *fx {
        // Higher function value: the minimum is bracketed.
        let theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (*dx / s) * (dp / s)).sqrt();
        if *stp < *stx {
            gamma = -gamma;
        }
        let p = (gamma - *dx) + theta;
        let q = ((gamma - *dx) + gamma) + dp;
        let r = p / q;
        let stpc = *stx + r * (*stp - *stx);
        let stpq = *stx + ((*dx / ((*fx - fp) / (*stp - *stx) + *dx)) / 2.0) * (*stp - *stx);
        stpf = if (stpc - *stx).abs() <= (stpq - *stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        *bracketed = true;
    } else if sgnd < 0.0 {
        // Derivatives of opposite sign: the minimum is bracketed.
        let theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (*dx / s) * (dp / s)).sqrt();
        if *stp > *stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + *dx;
        let r = p / q;
        let stpc = *stp + r * (*stx - *stp);
        let stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        stpf = if (stpc - *stp).abs() > (stpq - *stp).abs() {
            stpc
        } else {
            stpq
        };
        *bracketed = true;
    } else if dp.abs() < dx.abs() {
        // Same sign, decreasing derivative magnitude.
        let theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * (0.0_f64.max((theta / s).powi(2) - (*dx / s) * (dp / s))).sqrt();
        if *stp > *stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = (gamma + (*dx - dp)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            *stp + r * (*stx - *stp)
        } else if *stp > *stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        if *bracketed {
            let mut v = if (stpc - *stp).abs() < (stpq - *stp).abs() {
                stpc
            } else {
                stpq
            };
            v = if *stp > *stx {
                v.min(*stp + 0.66 * (*sty - *stp))
            } else {
                v.max(*stp + 0.66 * (*sty - *stp))
            };
            stpf = v;
        } else {
            let v = if (stpc - *stp).abs() > (stpq - *stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = v.min(stpmax).max(stpmin);
        }
    } else if *bracketed {
        // Same sign, derivative magnitude not decreasing, bracketed: cubic towards sty.
        let theta = 3.0 * (fp - *fy) / (*sty - *stp) + *dy + dp;
        let s = theta.abs().max(dy.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (*dy / s) * (dp / s)).sqrt();
        if *stp > *sty {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + *dy;
        let r = p / q;
        stpf = *stp + r * (*sty - *stp);
    } else if *stp > *stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    // Update the interval.
    if fp > *fx {
        *sty = *stp;
        *fy = fp;
        *dy = dp;
    } else {
        if sgnd < 0.0 {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = *stp;
        *fx = fp;
        *dx = dp;
    }
    *stp = stpf;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_rosenbrock_function() {
        let opts = LbfgsOptions {
            max_iter: 500,
            gtol: 1e-10,
            ftol: 64.0 * f64::EPSILON,
            memory: 10,
            max_line_search: 50,
        };
        let res = minimize(
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            vec![-1.2, 1.0],
            &opts,
        );
        assert!(res.converged);
        assert!((res.x[0] - 1.0).abs() < 1e-6 && (res.x[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn quadratic_converges_and_stops_at_gtol() {
        let opts = LbfgsOptions {
            max_iter: 100,
            gtol: 1e-8,
            ftol: 0.0,
            memory: 10,
            max_line_search: 50,
        };
        let res = minimize(
            |x, g| {
                let mut f = 0.0;
                for (i, (xi, gi)) in x.iter().zip(g.iter_mut()).enumerate() {
                    let c = (i + 1) as f64;
                    *gi = c * (xi - 1.0);
                    f += 0.5 * c * (xi - 1.0) * (xi - 1.0);
                }
                f
            },
            vec![0.0; 5],
            &opts,
        );
        assert!(res.converged);
        assert!(res.x.iter().all(|v| (v - 1.0).abs() < 1e-7));
    }
}
