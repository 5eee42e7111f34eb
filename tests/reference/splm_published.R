# Inputs for tests/test_vs_splm_published.py: Munnell's Produc and the 48-state queen W that
# splm's examples use, so that published splm output can be compared with our estimators.
#
# Source of the numbers (typed into tests/reference/splm_published.json, not produced here):
#   a public, knitted R Markdown document that ran splm::spml() on plm's Produc with
#   W_US <- nb2listw(usa48.nb) (spData's 48 contiguous states, Produc's alphabetical order,
#   row-standardised) -- "04 Further Topics in Spatial Econometrics", Takuya Shimamura, 2020-06-08,
#   sections "Example 4.5" and "Example 4.6". See the JSON header for what is and is not compared.
#   The Journal of Statistical Software paper (Millo and Piras 2012, 47(1)) could not be read here,
#   so its tables are NOT used.
#
# splm's own `usaww` (data/usaww.rda) is "queen contiguity of the 48 continental states, Arizona and
# Colorado neighbours, row-standardised" (man/usaww.Rd). spData's usa48.nb is that neighbour set
# (AZ has CA, NV, UT, NM, CO); its order is Produc's (alphabetical by state name). Our libpysal-based
# queen W of the same states (tests/reference/panel_data.py::us48_graph) is identical to it.
#
# Run from the repository root:  Rscript tests/reference/splm_published.R
# Writes tests/reference/data/splm_produc.csv and tests/reference/data/splm_usa48_W.csv.
suppressPackageStartupMessages({library(spdep); library(spData); library(plm)})
data("Produc", package = "plm")
stopifnot(length(usa48.nb) == 48, nlevels(Produc$state) == 48)
lw <- nb2listw(usa48.nb, style = "W")
W <- listw2mat(lw)
abbr <- attr(usa48.nb, "region.id")
states <- levels(Produc$state)
# usa48.nb is in Produc's order (alphabetical by name): check a few anchors
stopifnot(abbr[c(1, 2, 8, 40, 48)] == c("AL", "AZ", "FL", "TN", "WY"),
          states[c(1, 2, 8, 40, 48)] == c("ALABAMA", "ARIZONA", "FLORIDA", "TENNESSE", "WYOMING"))
stopifnot(all(abs(rowSums(W) - 1) < 1e-12), "CO" %in% abbr[usa48.nb[[2]]])
dimnames(W) <- list(states, states)
out <- Produc[, c("state", "year", "gsp", "pcap", "pc", "emp", "unemp")]
out$state <- as.character(out$state)
write.csv(out, "tests/reference/data/splm_produc.csv", row.names = FALSE)
write.csv(data.frame(state = states, W, check.names = FALSE), "tests/reference/data/splm_usa48_W.csv",
          row.names = FALSE)
cat("R", R.version.string, "| spData", as.character(packageVersion("spData")),
    "| spdep", as.character(packageVersion("spdep")), "| plm", as.character(packageVersion("plm")), "\n")
