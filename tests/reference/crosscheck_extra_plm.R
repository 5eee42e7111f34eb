# Extra cross-check (H10): non-spatial panel within/pooled regressions in R plm on a second
# dataset, plm::Grunfeld (10 firms x 20 years, balanced): inv ~ value + capital.
# Also writes the data to data/grunfeld.csv so every side reads the same numbers.
# Run from the repository root: Rscript tests/reference/crosscheck_extra_plm.R
suppressPackageStartupMessages({library(plm); library(jsonlite)})
here <- "tests/reference"
data("Grunfeld", package = "plm")
write.csv(Grunfeld[, c("firm", "year", "inv", "value", "capital")], file.path(here, "data", "grunfeld.csv"),
          row.names = FALSE)
pd <- pdata.frame(Grunfeld, index = c("firm", "year"))
f <- inv ~ value + capital
rec <- function(m) {
  v <- vcov(m)
  list(params = as.list(coef(m)), se = as.list(sqrt(diag(v))), ssr = sum(residuals(m)^2),
       df_resid = df.residual(m), nobs = nobs(m))
}
out <- list(meta = list(software = paste("R", getRversion(), "plm", packageVersion("plm"), "jsonlite",
                                         packageVersion("jsonlite")),
                        data = "plm::Grunfeld (10 firms x 20 years)", model = "inv ~ value + capital",
                        script = "tests/reference/crosscheck_extra_plm.R"),
            within_region = rec(plm(f, pd, model = "within", effect = "individual")),
            within_time = rec(plm(f, pd, model = "within", effect = "time")),
            within_twoways = rec(plm(f, pd, model = "within", effect = "twoways")),
            pooling = rec(plm(f, pd, model = "pooling")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "crosscheck_extra_plm.json"))
