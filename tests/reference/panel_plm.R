# Reference numbers from R plm for the non-spatial panel parts on Munnell's Produc.
# Run from the repository root:  Rscript tests/reference/panel_plm.R
# Writes tests/reference/panel_plm.json (header names R and plm versions).
# Model: log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp  (Baltagi, Econometric Analysis of Panel Data).
suppressPackageStartupMessages({library(plm); library(jsonlite)})
data("Produc", package = "plm")
f <- log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp
nm <- c("lpcap", "lpc", "lemp", "unemp")
rec <- function(m, names) {
  b <- coef(m); v <- vcov(m)
  list(params = setNames(as.list(unname(b)), names), se = setNames(as.list(unname(sqrt(diag(v)))), names),
       vcov = unname(v),
       ssr = sum(residuals(m)^2), df_resid = df.residual(m), nobs = nobs(m))
}
pd <- pdata.frame(Produc, index = c("state", "year"))
out <- list(
  header = list(software = "R plm", versions = list(R = R.version.string, plm = as.character(packageVersion("plm"))),
                data = "plm::Produc (48 states x 17 years)", model = "log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp",
                script = "tests/reference/panel_plm.R"),
  within_region = rec(plm(f, pd, model = "within", effect = "individual"), nm),
  within_time = rec(plm(f, pd, model = "within", effect = "time"), nm),
  within_twoways = rec(plm(f, pd, model = "within", effect = "twoways"), nm),
  pooling = rec(plm(f, pd, model = "pooling"), c("const", nm))
)
# random effects: ML is not in plm; Swamy-Arora (the default) and Amemiya for the record.
re <- plm(f, pd, model = "random", effect = "individual", random.method = "swar")
r <- rec(re, c("const", nm)); r$theta <- unname(ercomp(re)$theta); r$sigma2 <- as.list(ercomp(re)$sigma2)
out$random_swar <- r
fe_ind <- plm(f, pd, model = "within", effect = "individual")
fx <- fixef(fe_ind, type = "level")
out$fixef_region <- list(ids = names(fx), level = unname(as.numeric(fx)), se = unname(as.numeric(summary(fx)[, 2])))
ht <- phtest(fe_ind, re)
out$hausman <- list(stat = unname(ht$statistic), df = unname(ht$parameter), pvalue = ht$p.value)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/panel_plm.json")
