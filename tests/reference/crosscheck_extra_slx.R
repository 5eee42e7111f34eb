# Extra cross-check (H10): LM tests and Moran's I of SLX residuals (spdep accepts lmSLX fits):
# columbus CRIME ~ INC + HOVAL, W x for INC only, kNN(6) row-standardised (crosscheck_extra_export.py).
# Run from the repository root: Rscript tests/reference/crosscheck_extra_slx.R
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite)})
here <- "tests/reference"
num <- function(x) unname(as.numeric(x))
d <- read.csv(file.path(here, "data", "columbus.csv"), colClasses = c(id = "character"))
lw <- nb2listw(read.gal(file.path(here, "data", "columbus_knn6.gal"), region.id = d$id), style = "W")
s <- lmSLX(CRIME ~ INC + HOVAL, d, lw, Durbin = ~INC)
mt <- lm.morantest(s, lw)
lmt <- lm.LMtests(s, lw, test = "all")
out <- list(meta = list(software = paste("R", getRversion(), "spatialreg", packageVersion("spatialreg"),
                                         "spdep", packageVersion("spdep")),
                        script = "tests/reference/crosscheck_extra_slx.R"),
            moran = list(I = num(mt$estimate[1]), expectation = num(mt$estimate[2]),
                         variance = num(mt$estimate[3]), z = num(mt$statistic), p = num(mt$p.value)),
            lm = lapply(lmt, function(t) list(stat = num(t$statistic), p = num(t$p.value), df = num(t$parameter))))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "crosscheck_extra_slx.json"))
