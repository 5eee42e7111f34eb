# Extra cross-check (H10): columbus CRIME ~ INC + HOVAL with the kNN(6) neighbours used BINARY
# (style "B": asymmetric AND not row-standardised; complex eigenvalues). lm.morantest, lm.LMtests,
# lagsarlm, errorsarlm, sacsarlm (method = "eigen"). Inputs: data/columbus.csv, data/columbus_knn6.gal.
# Run from the repository root: Rscript tests/reference/crosscheck_extra_knnB.R
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite)})
here <- "tests/reference"
num <- function(x) unname(as.numeric(x))
named <- function(x) as.list(setNames(num(x), names(x)))
d <- read.csv(file.path(here, "data", "columbus.csv"), colClasses = c(id = "character"))
lw <- nb2listw(read.gal(file.path(here, "data", "columbus_knn6.gal"), region.id = d$id), style = "B")
f <- CRIME ~ INC + HOVAL
fit_part <- function(fit) {
  out <- list(coef = named(coef(fit)), logLik = num(logLik(fit)), s2 = num(fit$s2))
  out$coef <- out$coef[!(names(out$coef) %in% c("rho", "lambda"))]
  out$rest_se <- setNames(as.list(num(fit$rest.se)), names(out$coef))
  if (!is.null(fit$rho)) { out$rho <- num(fit$rho); out$rho_se <- num(fit$rho.se) }
  if (!is.null(fit$lambda)) { out$lambda <- num(fit$lambda); out$lambda_se <- num(fit$lambda.se) }
  out$interval <- num(fit$interval)
  out
}
o <- lm(f, data = d)
mt <- lm.morantest(o, lw)
lmt <- suppressWarnings(lm.LMtests(o, lw, test = "all"))
ev <- eigenw(lw)
out <- list(meta = list(software = paste("R", getRversion(), "spatialreg", packageVersion("spatialreg"),
                                         "spdep", packageVersion("spdep")),
                        script = "tests/reference/crosscheck_extra_knnB.R"),
            w_eigen_real_range = range(Re(ev)),
            moran = list(I = num(mt$estimate[1]), expectation = num(mt$estimate[2]),
                         variance = num(mt$estimate[3]), z = num(mt$statistic), p = num(mt$p.value)),
            lm = lapply(lmt, function(t) list(stat = num(t$statistic), p = num(t$p.value))),
            sar = fit_part(lagsarlm(f, d, lw, method = "eigen")),
            sem = fit_part(errorsarlm(f, d, lw, method = "eigen")),
            sac = fit_part(sacsarlm(f, d, lw, method = "eigen")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "crosscheck_extra_knnB.json"))
