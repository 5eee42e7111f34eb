# Reference for tests/test_vs_r.py: cross-section spatial models in R spatialreg / spdep.
#
# Data and weights are the files written by cross_section_export.py and boston_export.R
# (data/*.csv, data/*.gal),
# so R and Python estimate on identical inputs. Cases:
#   columbus_W  : CRIME ~ INC + HOVAL, columbus queen contiguity, row-standardised (style "W")
#   columbus_B  : same, binary queen weights (style "B", NOT row-standardised: the impacts trap,
#                 spatialreg issue #23; total impact is not beta / (1 - rho) here). spatialreg 1.2.6
#                 refuses trace-based impacts for it ("Only row-standardised weights supported");
#                 the error message is stored and the dense computation below is the reference)
#   columbus_S  : same, binary queen weights divided by their largest eigenvalue (spectral
#                 normalisation; glist with style "B" in spdep, so the same impacts caveats apply)
#   baltimore_W : PRICE ~ NROOM + NBATH + AGE + SQFT, 4 nearest neighbours (asymmetric), style "W"
#   boston_W    : log(CMEDV) ~ CRIM + ZN + INDUS + CHAS + NOX^2 + RM^2 + AGE + log(DIS) + log(RAD) + TAX
#                 + PTRATIO + B + log(LSTAT) (spData boston.c, 506 tracts, exported by boston_export.R),
#                 sphere-of-influence neighbours boston.soi, style "W"
# For each case: OLS (lm), Moran's I of OLS residuals (lm.morantest), LM tests (lm.LMtests),
# SLX (lmSLX), SAR (lagsarlm), SDM (lagsarlm Durbin = TRUE), SEM (errorsarlm),
# SDEM (errorsarlm Durbin = TRUE), SAC (sacsarlm), all ML with method = "eigen"; impacts
# (exact, from listw; trace-based, trW type "mult"; and an independent dense computation
# (I - rho W)^-1 (beta I + theta W) written out here), and the LR common-factor test SDM vs SEM.
#
# Run from the repository root:  Rscript tests/reference/spatialreg_cross_section.R
# Writes tests/reference/spatialreg_cross_section.json.
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite)})
here <- "tests/reference"
num <- function(x) unname(as.numeric(x))

read_case <- function(csv, gal, style) {
  d <- read.csv(file.path(here, "data", csv), colClasses = c(id = "character"))
  nb <- read.gal(file.path(here, "data", gal), region.id = d$id)
  if (style == "S") {  # spectral normalisation: binary W divided by its largest eigenvalue
    lwb <- nb2listw(nb, style = "B")
    lmax <- max(Re(eigenw(lwb)))
    return(list(d = d, lw = nb2listw(nb, glist = lapply(lwb$weights, function(x) x / lmax), style = "B")))
  }
  list(d = d, lw = nb2listw(nb, style = style))
}

named <- function(x) as.list(setNames(num(x), names(x)))

# Impacts by order of W (LeSage-Pace): impacts(fit, tr, Q = 6) attribute "Qres"; row q is the
# contribution of W^(q-1) (order 0 = beta I, order 1 = (rho beta + theta) W, ...).
# Stored per kind as a list over regressors of the 6 order-wise values.
order_part <- function(fit, trs, xn) {
  im <- tryCatch(impacts(fit, tr = trs, Q = 6), error = identity)
  if (inherits(im, "error")) return(list(error = conditionMessage(im)))
  q <- attr(im, "Qres")
  out <- list(names = xn, orders = 0:5)
  for (k in c("direct", "indirect", "total")) {
    m <- matrix(q[[k]], nrow = 6)
    out[[k]] <- lapply(seq_along(xn), function(j) num(m[, j]))
  }
  out
}

vc <- function(v) list(names = rownames(v), matrix = unname(as.matrix(v)))

lm_part <- function(fit) {
  n <- length(residuals(fit))
  list(coef = named(coef(fit)), se = named(sqrt(diag(vcov(fit)))), loglik = num(logLik(fit)),
       aic = num(AIC(fit)), sigma2_ml = sum(residuals(fit)^2) / n,
       sigma2_ols = sum(residuals(fit)^2) / df.residual(fit))
}

sarlm_part <- function(fit) {
  out <- list(coef = named(coef(fit)), loglik = num(logLik(fit)), aic = num(AIC(fit)),
              bic = num(BIC(fit)), s2 = num(fit$s2), ase = isTRUE(fit$ase),
              
              rest_se = named(setNames(fit$rest.se, names(fit$coefficients))),
              vcov = vc(vcov(fit)))
  if (!is.null(fit$rho)) { out$rho <- num(fit$rho); out$rho_se <- num(fit$rho.se) }
  if (!is.null(fit$lambda)) { out$lambda <- num(fit$lambda); out$lambda_se <- num(fit$lambda.se) }
  sm <- summary(fit)
  if (!is.null(sm$LR1)) out$lr_vs_ols <- list(stat = num(sm$LR1$statistic), df = num(sm$LR1$parameter),
                                              p = num(sm$LR1$p.value))
  if (!is.null(sm$Wald1)) out$wald <- list(stat = num(sm$Wald1$statistic), df = num(sm$Wald1$parameter),
                                           p = num(sm$Wald1$p.value))
  out
}

imp_part <- function(im) {
  if (inherits(im, "error")) return(list(error = conditionMessage(im)))
  if (!is.null(im$impacts)) {  # SLX / SDEM ("estimable"): point estimates and their delta-method SEs
    return(list(names = attr(im, "bnames"), direct = num(im$impacts$direct), indirect = num(im$impacts$indirect),
                total = num(im$impacts$total), direct_se = num(im$se$direct),
                indirect_se = num(im$se$indirect), total_se = num(im$se$total)))
  }
  list(names = attr(im, "bnames"), direct = num(im$direct), indirect = num(im$indirect),
       total = num(im$total))
}

# Independent dense impacts: S_k = (I - rho W)^-1 (beta_k I + theta_k W); direct = mean(diag S_k),
# total = mean(rowSums S_k), indirect = total - direct. rho = 0 for SLX/SDEM.
dense_imp <- function(lw, rho, beta, theta) {
  W <- listw2mat(lw); n <- nrow(W)
  Ai <- solve(diag(n) - rho * W)
  res <- sapply(seq_along(beta), function(k) {
    S <- Ai %*% (beta[k] * diag(n) + theta[k] * W)
    c(direct = mean(diag(S)), total = mean(rowSums(S)))
  })
  list(names = names(beta), direct = num(res["direct", ]), indirect = num(res["total", ] - res["direct", ]),
       total = num(res["total", ]))
}

# Impacts by power of W, written out densely: the W^j term of (I - rho W)^-1 (beta I + theta W) is
# c_j W^j with c_0 = beta, c_j = beta rho^j + theta rho^(j-1); direct = c_j tr(W^j)/n,
# total = c_j 1'W^j 1/n. (spatialreg's Qres groups by the power of rho instead: its term q is
# rho^q W^q (beta I + theta W); the two coincide for SAR, theta = 0.)
dense_order <- function(lw, rho, beta, theta, m = 5) {
  W <- listw2mat(lw); n <- nrow(W); P <- diag(n)
  res <- list(names = names(beta), orders = 0:m, direct = list(), indirect = list(), total = list())
  dir <- tot <- matrix(0, m + 1, length(beta))
  for (j in 0:m) {
    cj <- if (j == 0) beta else beta * rho^j + theta * rho^(j - 1)
    dir[j + 1, ] <- cj * sum(diag(P)) / n
    tot[j + 1, ] <- cj * sum(P) / n
    P <- P %*% W
  }
  for (k in seq_along(beta)) {
    res$direct[[k]] <- num(dir[, k]); res$total[[k]] <- num(tot[, k])
    res$indirect[[k]] <- num(tot[, k] - dir[, k])
  }
  res
}

run_case <- function(key, csv, gal, style, f) {
  cs <- read_case(csv, gal, style)
  d <- cs$d; lw <- cs$lw
  xn <- attr(terms(f), "term.labels")
  W <- as(lw, "CsparseMatrix")
  trs <- trW(W, m = 100, type = "mult")
  ev <- eigenw(lw)
  ols <- lm(f, data = d)
  mt <- lm.morantest(ols, lw)
  mt2 <- lm.morantest(ols, lw, alternative = "two.sided")
  lmt <- lm.LMtests(ols, lw, test = "all")
  lmt_part <- lapply(lmt, function(t) list(stat = num(t$statistic), df = num(t$parameter), p = num(t$p.value)))
  slx <- lmSLX(f, data = d, listw = lw)
  sar <- lagsarlm(f, data = d, listw = lw, method = "eigen")
  sdm <- lagsarlm(f, data = d, listw = lw, method = "eigen", Durbin = TRUE)
  sem <- errorsarlm(f, data = d, listw = lw, method = "eigen")
  sdem <- errorsarlm(f, data = d, listw = lw, method = "eigen", Durbin = TRUE)
  sac <- sacsarlm(f, data = d, listw = lw, method = "eigen")
  b_sar <- coef(sar)[xn]; b_sdm <- coef(sdm)[xn]; t_sdm <- coef(sdm)[paste0("lag.", xn)]
  b_sac <- coef(sac)[xn]
  cf <- LR.Sarlm(sdm, sem)
  cf_sar <- LR.Sarlm(sdm, sar)
  out <- list(
    dataset = csv, weights = gal, style = style, formula = deparse(f), n = nrow(d),
    w_eigen_range = num(range(Re(ev))), w_eigen_complex = is.complex(ev),
    ols = lm_part(ols),
    moran = list(I = num(mt$estimate[1]), expectation = num(mt$estimate[2]), variance = num(mt$estimate[3]),
                 z = num(mt$statistic), p_greater = num(mt$p.value), p_two_sided = num(mt2$p.value)),
    lm_tests = lmt_part,
    slx = c(lm_part(slx), list(impacts = imp_part(impacts(slx)),
                               impacts_dense = dense_imp(lw, 0, coef(slx)[xn], coef(slx)[paste0("lag.", xn)]))),
    sar = c(sarlm_part(sar), list(
      impacts = imp_part(tryCatch(impacts(sar, listw = lw), error = identity)),
      impacts_tr = imp_part(tryCatch(impacts(sar, tr = trs), error = identity)),
      impacts_by_order = order_part(sar, trs, xn),
      impacts_dense = dense_imp(lw, sar$rho, b_sar, 0 * b_sar))),
    sdm = c(sarlm_part(sdm), list(
      impacts = imp_part(tryCatch(impacts(sdm, listw = lw), error = identity)),
      impacts_tr = imp_part(tryCatch(impacts(sdm, tr = trs), error = identity)),
      impacts_by_order = order_part(sdm, trs, xn),
      impacts_by_w_power_dense = dense_order(lw, sdm$rho, b_sdm, t_sdm),
      impacts_dense = dense_imp(lw, sdm$rho, b_sdm, t_sdm))),
    sem = sarlm_part(sem),
    sdem = c(sarlm_part(sdem), list(impacts = imp_part(impacts(sdem)))),
    sac = c(sarlm_part(sac), list(
      impacts = imp_part(tryCatch(impacts(sac, listw = lw), error = identity)),
      impacts_dense = dense_imp(lw, sac$rho, b_sac, 0 * b_sac))),
    common_factor = list(stat = num(cf$statistic), df = num(cf$parameter), p = num(cf$p.value)),
    lr_sdm_sar = list(stat = num(cf_sar$statistic), df = num(cf_sar$parameter), p = num(cf_sar$p.value))
  )
  out
}

cases <- list(
  columbus_W = run_case("columbus_W", "columbus.csv", "columbus_queen.gal", "W", CRIME ~ INC + HOVAL),
  columbus_B = run_case("columbus_B", "columbus.csv", "columbus_queen.gal", "B", CRIME ~ INC + HOVAL),
  columbus_S = run_case("columbus_S", "columbus.csv", "columbus_queen.gal", "S", CRIME ~ INC + HOVAL),
  baltimore_W = run_case("baltimore_W", "baltimore.csv", "baltimore_knn4.gal", "W",
                         PRICE ~ NROOM + NBATH + AGE + SQFT),
  boston_W = run_case("boston_W", "boston.csv", "boston_soi.gal", "W",
                      LCMEDV ~ CRIM + ZN + INDUS + CHAS + NOX2 + RM2 + AGE + LDIS + LRAD + TAX + PTRATIO + B +
                        LLSTAT)
)
meta <- list(
  software = sprintf("R %s; spatialreg %s; spdep %s; jsonlite %s",
                     paste(R.version$major, R.version$minor, sep = "."), packageVersion("spatialreg"),
                     packageVersion("spdep"), packageVersion("jsonlite")),
  script = "tests/reference/spatialreg_cross_section.R",
  date = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
  notes = paste("ML, method = 'eigen'; SEs as returned (rest.se, rho.se, lambda.se);",
                "AIC/BIC count sigma^2 and the spatial parameters; s2 = SSE/n;",
                "impacts: exact (listw), trace (trW mult, m = 100), dense (written out here)")
)
writeLines(toJSON(list(meta = meta, cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "spatialreg_cross_section.json"))
cat("wrote", file.path(here, "spatialreg_cross_section.json"), "\n")
