# Extra cross-check (H10): absolute beta-convergence of Mexican states 1940-2000 (libpysal example
# "mexico", data/mexico.csv and data/mexico_queen.gal written by crosscheck_extra_export.py).
# g = (log(y2000) - log(y1940)) / 60 on ln_y0 = log(y1940): lm, lagsarlm, errorsarlm (method = "eigen"),
# queen contiguity row-standardised; SAR direct/total impact of ln_y0; moran.test of ln y in 1940 and 2000.
# Run from the repository root: Rscript tests/reference/crosscheck_extra_mexico.R
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite)})
here <- "tests/reference"
d <- read.csv(file.path(here, "data", "mexico.csv"), colClasses = c(code = "character"))
d$ln_y0 <- log(d$PCGDP1940); d$g <- (log(d$PCGDP2000) - log(d$PCGDP1940)) / 60
lw <- nb2listw(read.gal(file.path(here, "data", "mexico_queen.gal"), region.id = d$code), style = "W")
num <- function(x) unname(as.numeric(x))
o <- lm(g ~ ln_y0, data = d)
sar <- lagsarlm(g ~ ln_y0, d, lw, method = "eigen"); sem <- errorsarlm(g ~ ln_y0, d, lw, method = "eigen")
im <- impacts(sar, listw = lw)
out <- list(meta = list(software = paste("R", getRversion(), "spatialreg", packageVersion("spatialreg"),
                                         "spdep", packageVersion("spdep")),
                        script = "tests/reference/crosscheck_extra_mexico.R"),
            ols = list(coef = num(coef(o)), se = num(summary(o)$coefficients[, 2]), logLik = num(logLik(o))),
            sar = list(coef = num(sar$coefficients), se = num(sar$rest.se), rho = num(sar$rho),
                       rho_se = num(sar$rho.se), logLik = num(logLik(sar)), direct = num(im$direct),
                       total = num(im$total)),
            sem = list(coef = num(sem$coefficients), se = num(sem$rest.se), lambda = num(sem$lambda),
                       lambda_se = num(sem$lambda.se), logLik = num(logLik(sem))))
# Global Moran's I of ln y (normality assumption) in 1940 and 2000: spdep::moran.test(randomisation = FALSE)
mor <- function(x, alt) {
  m <- moran.test(x, lw, randomisation = FALSE, alternative = alt)
  list(I = num(m$estimate[1]), EI = num(m$estimate[2]), var = num(m$estimate[3]), z = num(m$statistic),
       p = num(m$p.value))
}
out$moran <- list(y1940 = list(greater = mor(log(d$PCGDP1940), "greater"), two = mor(log(d$PCGDP1940), "two.sided")),
                  y2000 = list(greater = mor(log(d$PCGDP2000), "greater"), two = mor(log(d$PCGDP2000), "two.sided")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "crosscheck_extra_mexico.json"))
