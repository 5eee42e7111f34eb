# Randomised cross-check against R spatialreg (inputs from tests/reference/fuzz_vs_r.py).
#
# Reads tests/reference/data/fuzz_vs_r/cases.json and, per case, <case>.csv (y, x1, x2) and
# <case>_w.csv (edge list from,to,weight; 1-based ids). W = the edge weights, style "W"
# (row-standardised) or "B" (used as given), per the case's transform. Formula y ~ x1 + x2.
#
# Small N (r_method "eigen"): lagsarlm / errorsarlm (Durbin = TRUE for SDM / SDEM), sacsarlm,
#   lmSLX, all method = "eigen" (analytic "asymptotic" covariance). Impacts of SAR/SDM/SAC:
#   impacts(fit, listw = lw) for row-standardised W; for the binary W the dense
#   (I - rho W)^-1 (beta I + theta W) averages (spatialreg's impacts() assume a row-standardised W).
# Large N (r_method "LU" or "Matrix"): the sparse log-determinant in the search, with
#   interval = 1 / range(Re(real eigenvalues of W)) passed explicitly (the sparse methods' default is
#   c(-1, 0.999)), and control = list(small = 10000) so that the covariance is the same analytic
#   (asymptotic) information matrix as for "eigen" (computed densely; otherwise R uses a numerical
#   Hessian above N = 1500). For the case with lambda < -1 the fit with R's default interval is also
#   stored ("default_interval"), without SEs.
#
# Run from the repository root: Rscript tests/reference/fuzz_vs_r.R [case ...]
# (~15 min single-threaded with the reference BLAS). With case names only those are (re)computed and
# merged into the existing JSON. Output: tests/reference/fuzz_vs_r.json (or $FUZZ_OUT).
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite)})
here <- "tests/reference"
ddir <- file.path(here, "data", "fuzz_vs_r")
out_file <- Sys.getenv("FUZZ_OUT", file.path(here, "fuzz_vs_r.json"))
num <- function(x) unname(as.numeric(x))
named <- function(x) as.list(setNames(num(x), names(x)))
man <- fromJSON(file.path(ddir, "cases.json"), simplifyVector = FALSE)
args <- commandArgs(trailingOnly = TRUE)
todo <- if (length(args)) args else names(man$cases)
f <- y ~ x1 + x2

read_case <- function(name, spec) {
  d <- read.csv(file.path(ddir, paste0(name, ".csv")))
  e <- read.csv(file.path(ddir, paste0(name, "_w.csv")))
  n <- nrow(d)
  stopifnot(n == spec$n)
  fac <- factor(e$from, levels = seq_len(n))
  nb <- lapply(split(e$to, fac), as.integer)
  glist <- lapply(split(as.numeric(e$weight), fac), as.numeric)
  names(nb) <- names(glist) <- NULL
  class(nb) <- "nb"
  attr(nb, "region.id") <- as.character(seq_len(n))
  attr(nb, "sym") <- is.symmetric.nb(nb, verbose = FALSE, force = TRUE)
  lw <- nb2listw(nb, glist = glist, style = if (spec$transform == "row") "W" else "B")
  list(d = d, lw = lw, n = n)
}

dense_impacts <- function(W, rho, beta, theta = NULL) {
  n <- nrow(W); S0 <- solve(diag(n) - rho * W)
  out <- list(direct = list(), indirect = list(), total = list())
  for (v in names(beta)) {
    th <- if (!is.null(theta) && v %in% names(theta)) theta[[v]] else 0
    S <- S0 %*% (beta[[v]] * diag(n) + th * W)
    out$direct[[v]] <- mean(diag(S)); out$total[[v]] <- sum(S) / n
    out$indirect[[v]] <- out$total[[v]] - out$direct[[v]]
  }
  out
}

imp_part <- function(fit, lw) {
  im <- impacts(fit, listw = lw)
  list(direct = setNames(as.list(num(im$direct)), attr(im, "bnames")),
       indirect = setNames(as.list(num(im$indirect)), attr(im, "bnames")),
       total = setNames(as.list(num(im$total)), attr(im, "bnames")))
}

fit_part <- function(fit, with_se = TRUE) {
  out <- list(coef = named(coef(fit)), logLik = num(logLik(fit)), AIC = num(AIC(fit)), s2 = num(fit$s2),
              interval = num(fit$interval), method = fit$method)
  out$coef <- out$coef[!(names(out$coef) %in% c("rho", "lambda"))]
  if (!is.null(fit$rho)) out$rho <- num(fit$rho)
  if (!is.null(fit$lambda)) out$lambda <- num(fit$lambda)
  if (with_se) {
    out$ase <- isTRUE(fit$ase)  # TRUE: analytic (asymptotic) covariance, not a numerical Hessian
    out$rest_se <- setNames(as.list(num(fit$rest.se)), names(out$coef))
    if (!is.null(fit$rho)) out$rho_se <- num(fit$rho.se)
    if (!is.null(fit$lambda)) out$lambda_se <- num(fit$lambda.se)
    v <- vcov(fit); out$vcov <- list(names = rownames(v), matrix = unname(as.matrix(v)))
  }
  out
}

eig_interval <- function(lw, spec) {
  # real eigenvalues of W; for a row-standardised W with a symmetric B those of the similar symmetric matrix
  if (spec$transform == "row" && isTRUE(spec$symmetric_B)) {
    ev <- eigen(as.matrix(spatialreg:::similar.listw_Matrix(lw)), symmetric = TRUE, only.values = TRUE)$values
  } else {
    ev <- eigenw(lw)
  }
  if (is.complex(ev)) {
    ncomplex <- sum(Im(ev) != 0)
    ev <- Re(ev[Im(ev) == 0])
  } else ncomplex <- 0L
  list(range = range(ev), interval = 1 / range(ev), n_complex = ncomplex)
}

run_case <- function(name, spec) {
  cs <- read_case(name, spec); d <- cs$d; lw <- cs$lw
  small <- spec$r_method == "eigen"
  ei <- eig_interval(lw, spec)
  res <- list(n = cs$n, r_method = spec$r_method, w_eigen_real_range = num(ei$range),
              w_interval = num(ei$interval), w_n_complex_eigen = ei$n_complex, models = list())
  for (m in unlist(spec$models)) {
    t0 <- proc.time()[["elapsed"]]
    durbin <- m %in% c("sdm", "sdem")
    if (m == "slx") {
      fit <- lmSLX(f, d, lw)
      s <- summary(fit)$coefficients
      part <- list(coef = named(coef(fit)), se = named(setNames(s[, 2], rownames(s))), logLik = num(logLik(fit)))
    } else {
      ctrl <- if (small) list() else list(small = 10000)
      iv <- if (small) NULL else ei$interval
      fit <- switch(m,
        sar = , sdm = lagsarlm(f, d, lw, method = spec$r_method, Durbin = durbin, interval = iv, control = ctrl),
        sem = , sdem = errorsarlm(f, d, lw, method = spec$r_method, Durbin = durbin, interval = iv, control = ctrl),
        sac = sacsarlm(f, d, lw, method = spec$r_method))
      part <- fit_part(fit)
      if (small && m %in% c("sar", "sdm", "sac")) {
        if (spec$transform == "row") {
          part$impacts <- imp_part(fit, lw)
        } else {
          stopifnot(m != "sdm")  # Durbin with a binary W would lag the intercept (README)
          part$impacts <- dense_impacts(listw2mat(lw), fit$rho, as.list(coef(fit)[c("x1", "x2")]))
        }
      }
      if (!small && !is.null(fit$lambda) && fit$lambda < -1) {
        w <- character(0)
        fd <- withCallingHandlers(
          errorsarlm(f, d, lw, method = spec$r_method, Durbin = durbin, control = list(fdHess = FALSE)),
          warning = function(cond) { w <<- c(w, conditionMessage(cond)); invokeRestart("muffleWarning") })
        part$default_interval <- c(fit_part(fd, with_se = FALSE), list(warnings = as.list(w)))
      }
    }
    part$seconds <- proc.time()[["elapsed"]] - t0
    res$models[[m]] <- part
    message(name, " ", m, " ", round(part$seconds, 1), " s")
  }
  res
}

cases <- if (length(args) && file.exists(out_file)) fromJSON(out_file, simplifyVector = FALSE)$cases else list()
for (name in todo) cases[[name]] <- run_case(name, man$cases[[name]])
cases <- cases[intersect(names(man$cases), names(cases))]

out <- list(header = list(software = paste("R", getRversion(), "spatialreg", packageVersion("spatialreg"),
                                           "spdep", packageVersion("spdep"), "Matrix", packageVersion("Matrix"),
                                           "jsonlite", packageVersion("jsonlite")),
                          blas = sessionInfo()$BLAS,
                          script = "tests/reference/fuzz_vs_r.R",
                          inputs = "tests/reference/data/fuzz_vs_r/ written by tests/reference/fuzz_vs_r.py",
                          generator_seed = man$base_seed,
                          created = format(Sys.time(), tz = "UTC", usetz = TRUE)),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
