"""The estimation core: pure numpy/scipy, shared by every model (cross-section and panel).

Modules
-------
bounds      eigenvalue interval of rho/lambda, symmetric form of W
logdet      ``make_logdet``: log|I - rho W| by eigenvalues, sparse LU, approximations
likelihood  the one set of concentrated log-likelihoods (lag, error, SAC)
optimise    bounded 1-D / 2-D maximisation with boundary checks
covariance  analytic information matrices, traces, numerical Hessian
approx      Chebyshev / Monte Carlo log-determinants (large N)
traces      traces of W^k and of G = W (I - rho W)^{-1} without N x N inverses
panel       panel transformations (within, Lee-Yu, random effects)
panel_re    random-effects spatial error panel in the Baltagi-Song-Koh form (dense, N <= 3000)

The signatures are documented at the top of :mod:`.likelihood` and in
``docs/design.md`` ("Estimation core API").

Examples
--------
>>> import numpy as np
>>> from spatialecon.estimation.logdet import make_logdet
>>> make_logdet(np.array([[0, 1.0], [1.0, 0]]), "eigen").method
'eigen'
"""
