# Reference for tests/test_beta.py: Rey-Montouri style beta-convergence of US state
# per capita income, 1929-1994 (48 states; libpysal us_income, exported by
# beta_us_income_export.py together with the exact rook W as a GAL file).
#   growth_i = (ln y_i,1994 - ln y_i,1929) / 65  on  ln y_i,1929
# OLS (lm), SLX (lmSLX), SDM (lagsarlm Durbin = TRUE), SDEM (errorsarlm Durbin = TRUE), SAR (spatialreg::lagsarlm) and SEM (spatialreg::errorsarlm), ML with
# exact eigenvalue log-determinant, row-standardised rook W.
# Run from the repository root:  Rscript tests/reference/beta_us_income.R
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite); library(plm)})
here <- "tests/reference"
d <- read.csv(file.path(here, "data/us48_income.csv"), colClasses = c(fips = "character"))
nb <- read.gal(file.path(here, "data/us48_rook.gal"), region.id = d$fips)
lw <- nb2listw(nb, style = "W")
fit_ols <- lm(growth ~ ln_y0, data = d)
fit_sar <- lagsarlm(growth ~ ln_y0, data = d, listw = lw, method = "eigen")
fit_sem <- errorsarlm(growth ~ ln_y0, data = d, listw = lw, method = "eigen")
fit_sdem <- errorsarlm(growth ~ ln_y0, data = d, listw = lw, method = "eigen", Durbin = TRUE)
fit_slx <- lmSLX(growth ~ ln_y0, data = d, listw = lw)
fit_sdm <- lagsarlm(growth ~ ln_y0, data = d, listw = lw, method = "eigen", Durbin = TRUE)
imp <- impacts(fit_sar, listw = lw)
imp_sdm <- impacts(fit_sdm, listw = lw)
num <- function(x) unname(as.numeric(x))
# Panel version: 5-year spans (growth over t..t+5 on ln y_t), within estimators (plm).
sp5 <- read.csv(file.path(here, "data/us48_spans5.csv"), colClasses = c(fips = "character"))
pd5 <- pdata.frame(sp5, index = c("fips", "period"))
fe_i <- plm(growth ~ ln_y0, data = pd5, model = "within", effect = "individual")
fe_2 <- plm(growth ~ ln_y0, data = pd5, model = "within", effect = "twoways")
# Region-specific effect matrix of ln_y0 in the SDM, S = (I - rho W)^-1 (beta I + theta W),
# built densely in R (spatialreg::invIrW) for three source states: CA (06), NY (36), TX (48).
Wm <- listw2mat(lw)
S <- invIrW(lw, fit_sdm$rho) %*% (coef(fit_sdm)["ln_y0"] * diag(nrow(d)) + coef(fit_sdm)["lag.ln_y0"] * Wm)
src <- c("06", "36", "48")
js <- match(src, d$fips)
out <- list(
  software = sprintf("R %s; spatialreg %s; spdep %s", paste(R.version$major, R.version$minor, sep = "."),
                     packageVersion("spatialreg"), packageVersion("spdep")),
  data = "libpysal us_income usjoin.csv 1929-1994, 48 states; rook W from us48.shp (data/us48_rook.gal), style W",
  n = nrow(d),
  ols = list(coef = num(coef(fit_ols)), se = num(sqrt(diag(vcov(fit_ols)))),
             loglik = num(logLik(fit_ols)), sigma2_ml = num(sum(residuals(fit_ols)^2) / nrow(d))),
  sar = list(coef = num(coef(fit_sar)[c("(Intercept)", "ln_y0")]), se = num(fit_sar$rest.se),
             rho = num(fit_sar$rho), rho_se = num(fit_sar$rho.se), loglik = num(logLik(fit_sar)),
             sigma2 = num(fit_sar$s2), direct = num(imp$direct), indirect = num(imp$indirect),
             total = num(imp$total)),
  sdm = list(coef = num(coef(fit_sdm)[c("(Intercept)", "ln_y0", "lag.ln_y0")]), se = num(fit_sdm$rest.se),
             rho = num(fit_sdm$rho), rho_se = num(fit_sdm$rho.se), loglik = num(logLik(fit_sdm)),
             sigma2 = num(fit_sdm$s2), direct = num(imp_sdm$direct), indirect = num(imp_sdm$indirect),
             total = num(imp_sdm$total)),
  sdm_spillovers = list(ids = d$fips, sources = src, columns = lapply(js, function(j) num(S[, j])),
                        own = num(diag(S)[js]), total = num(colSums(S)[js]),
                        mean_own = mean(diag(S)), mean_outward = (sum(S) - sum(diag(S))) / nrow(d)),
  sdem = list(coef = num(coef(fit_sdem)[c("(Intercept)", "ln_y0", "lag.ln_y0")]), se = num(fit_sdem$rest.se),
              lambda = num(fit_sdem$lambda), lambda_se = num(fit_sdem$lambda.se), loglik = num(logLik(fit_sdem)),
              sigma2 = num(fit_sdem$s2)),
  slx = list(coef = num(coef(fit_slx)), se = num(sqrt(diag(vcov(fit_slx)))), loglik = num(logLik(fit_slx)),
             names = names(coef(fit_slx))),
  panel_spans5 = list(software = sprintf("plm %s", packageVersion("plm")),
                      within_individual = list(coef = num(coef(fe_i)), se = num(sqrt(diag(vcov(fe_i)))),
                                               ssr = num(deviance(fe_i)), df_resid = num(df.residual(fe_i))),
                      within_twoways = list(coef = num(coef(fe_2)), se = num(sqrt(diag(vcov(fe_2)))),
                                            ssr = num(deviance(fe_2)), df_resid = num(df.residual(fe_2)))),
  sem = list(coef = num(coef(fit_sem)[c("(Intercept)", "ln_y0")]), se = num(fit_sem$rest.se),
             lambda = num(fit_sem$lambda), lambda_se = num(fit_sem$lambda.se), loglik = num(logLik(fit_sem)),
             sigma2 = num(fit_sem$s2))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE), file.path(here, "beta_us_income.json"))
cat(out$software, "\n")
