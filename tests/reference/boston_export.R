# Export the Boston housing data (spData::boston.c, 506 census tracts; Harrison and Rubinfeld 1978,
# corrected by Gilley and Pace 1996) and the sphere-of-influence neighbours spData::boston.soi
# to tests/reference/data/boston.csv and data/boston_soi.gal, so that R, spreg and spatialecon
# estimate on identical files. spData is CC0. Variables are written already transformed as in the
# spatialreg examples: log(CMEDV) ~ CRIM + ZN + INDUS + CHAS + I(NOX^2) + I(RM^2) + AGE + log(DIS)
# + log(RAD) + TAX + PTRATIO + B + log(LSTAT).
# Run from the repository root:  Rscript tests/reference/boston_export.R
suppressPackageStartupMessages({library(spdep); library(spData)})
here <- "tests/reference"
data(boston, package = "spData")
b <- boston.c
d <- data.frame(id = as.character(seq_len(nrow(b))), LCMEDV = log(b$CMEDV), CRIM = b$CRIM, ZN = b$ZN,
                INDUS = b$INDUS, CHAS = as.numeric(as.character(b$CHAS)), NOX2 = b$NOX^2, RM2 = b$RM^2,
                AGE = b$AGE, LDIS = log(b$DIS), LRAD = log(b$RAD), TAX = b$TAX, PTRATIO = b$PTRATIO,
                B = b$B, LLSTAT = log(b$LSTAT))
write.csv(d, file.path(here, "data/boston.csv"), row.names = FALSE)
nb <- boston.soi
attr(nb, "region.id") <- d$id
write.nb.gal(nb, file.path(here, "data/boston_soi.gal"))
cat("boston:", nrow(d), "tracts,", sum(card(nb)) / 2, "soi links\n")
