# Extra cross-checks (H10) against R spatialreg / spdep: cases not in spatialreg_cross_section.R.
#
# Inputs: data/columbus.csv, data/columbus_queen.gal (cross_section_export.py) and
# data/columbus_knn6.gal, data/columbus_idw.csv (crosscheck_extra_export.py).
# Cases (all ML, method = "eigen"):
#   knn6_W   : CRIME ~ INC + HOVAL, 6 nearest neighbours (asymmetric), style "W";
#              SAR, SEM, SAC, SDM with Durbin = ~INC (subset), SDEM with Durbin = ~INC
#   idw_B    : CRIME ~ INC + HOVAL, inverse distance within a band, NOT normalised (style "B" with glist)
#              SAR, SEM, SAC; impacts computed densely (R's impacts() assume row-standardised W)
#   idw_W    : same inverse distance weights, row-standardised (style "W" with glist); SAR, SEM, SDM
#   nocons_W : CRIME ~ INC - 1 (no intercept, one regressor), queen, style "W"; SAR, SEM
#   formula_W: log(CRIME) ~ log(HOVAL) + I(INC^2), queen, style "W"; SAR, SEM, SDM
#   lattice50_W: y ~ x1 + x2 on a 50 x 50 rook lattice (N = 2500), style "W"; SAR, SEM, SAC
# Per case also lm, lm.morantest (one-sided "greater"), lm.LMtests.
# Run from the repository root: Rscript tests/reference/crosscheck_extra.R
suppressPackageStartupMessages({library(spdep); library(spatialreg); library(jsonlite)})
here <- "tests/reference"
num <- function(x) unname(as.numeric(x))
named <- function(x) as.list(setNames(num(x), names(x)))

d <- read.csv(file.path(here, "data", "columbus.csv"), colClasses = c(id = "character"))
queen <- read.gal(file.path(here, "data", "columbus_queen.gal"), region.id = d$id)
knn6 <- read.gal(file.path(here, "data", "columbus_knn6.gal"), region.id = d$id)
idw <- read.csv(file.path(here, "data", "columbus_idw.csv"), colClasses = c(from = "character", to = "character"))
W_idw <- matrix(0, nrow(d), nrow(d), dimnames = list(d$id, d$id))
W_idw[cbind(match(idw$from, d$id), match(idw$to, d$id))] <- idw$weight
lw_idw_B <- mat2listw(W_idw, row.names = d$id, style = "B")
lw_idw_W <- mat2listw(W_idw, row.names = d$id, style = "W")

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
  im <- tryCatch(impacts(fit, listw = lw), error = identity)
  if (inherits(im, "error")) return(list(error = conditionMessage(im)))
  if (!is.null(im$impacts)) {  # SLX/SDEM "estimable" impacts (NA indirect where x has no W term), with SEs
    nn <- function(x) lapply(setNames(as.list(num(x)), names(x)), function(v) if (is.na(v)) NULL else v)
    return(list(direct = nn(im$impacts$direct), indirect = nn(im$impacts$indirect), total = nn(im$impacts$total),
                direct_se = nn(im$se$direct), indirect_se = nn(im$se$indirect), total_se = nn(im$se$total)))
  }
  list(direct = setNames(as.list(num(im$direct)), attr(im, "bnames")),
       indirect = setNames(as.list(num(im$indirect)), attr(im, "bnames")),
       total = setNames(as.list(num(im$total)), attr(im, "bnames")))
}

fit_part <- function(fit) {
  out <- list(coef = named(coef(fit)), logLik = num(logLik(fit)), AIC = num(AIC(fit)), s2 = num(fit$s2))
  out$coef <- out$coef[!(names(out$coef) %in% c("rho", "lambda"))]
  out$rest_se <- setNames(as.list(num(fit$rest.se)), names(out$coef))  # SEM labels rest.se oddly
  if (!is.null(fit$rho)) { out$rho <- num(fit$rho); out$rho_se <- num(fit$rho.se) }
  if (!is.null(fit$lambda)) { out$lambda <- num(fit$lambda); out$lambda_se <- num(fit$lambda.se) }
  v <- vcov(fit); out$vcov <- list(names = rownames(v), matrix = unname(as.matrix(v)))
  out
}

ols_part <- function(f, lw) {
  o <- lm(f, data = d)
  mt <- lm.morantest(o, lw)
  lmt <- lm.LMtests(o, lw, test = "all")
  list(coef = named(coef(o)), se = named(setNames(summary(o)$coefficients[, 2], names(coef(o)))), logLik = num(logLik(o)),
       moran = list(I = num(mt$estimate[1]), expectation = num(mt$estimate[2]),
                    variance = num(mt$estimate[3]), z = num(mt$statistic), p = num(mt$p.value)),
       lm = lapply(lmt, function(t) list(stat = num(t$statistic), p = num(t$p.value))))
}

cases <- list()
f <- CRIME ~ INC + HOVAL

# knn6_W
lw <- nb2listw(knn6, style = "W")
sar <- lagsarlm(f, d, lw, method = "eigen"); sem <- errorsarlm(f, d, lw, method = "eigen")
sac <- sacsarlm(f, d, lw, method = "eigen")
sdm <- lagsarlm(f, d, lw, method = "eigen", Durbin = ~INC)
sdem <- errorsarlm(f, d, lw, method = "eigen", Durbin = ~INC)
cases$knn6_W <- list(ols = ols_part(f, lw),
  sar = c(fit_part(sar), list(impacts = imp_part(sar, lw))),
  sem = fit_part(sem), sac = c(fit_part(sac), list(impacts = imp_part(sac, lw))),
  sdm = c(fit_part(sdm), list(impacts = imp_part(sdm, lw))),
  sdem = c(fit_part(sdem), list(impacts = imp_part(sdem, lw))))
slx <- lmSLX(f, d, lw, Durbin = ~INC)
sslx <- summary(slx)$coefficients
cases$knn6_W$slx <- list(coef = named(coef(slx)), se = named(setNames(sslx[, 2], rownames(sslx))),
                         logLik = num(logLik(slx)), impacts = imp_part(slx, lw))

# idw_B (not normalised) and idw_W
for (key in c("idw_B", "idw_W")) {
  lw <- if (key == "idw_B") lw_idw_B else lw_idw_W
  W <- listw2mat(lw)
  sar <- lagsarlm(f, d, lw, method = "eigen"); sem <- errorsarlm(f, d, lw, method = "eigen")
  b <- coef(sar)[c("INC", "HOVAL")]
  cs <- list(ols = ols_part(f, lw),
             sar = c(fit_part(sar), list(impacts = dense_impacts(W, sar$rho, as.list(b)))),
             sem = fit_part(sem))
  if (key == "idw_B") {
    sac <- sacsarlm(f, d, lw, method = "eigen")
    cs$sac <- c(fit_part(sac), list(impacts = dense_impacts(W, sac$rho, as.list(coef(sac)[c("INC", "HOVAL")]))))
  } else {
    sdm <- lagsarlm(f, d, lw, method = "eigen", Durbin = TRUE)
    cf <- coef(sdm)
    cs$sdm <- c(fit_part(sdm), list(impacts = imp_part(sdm, lw)))
  }
  cases[[key]] <- cs
}

# nocons_W
lw <- nb2listw(queen, style = "W")
f0 <- CRIME ~ INC - 1
sar <- lagsarlm(f0, d, lw, method = "eigen"); sem <- errorsarlm(f0, d, lw, method = "eigen")
cases$nocons_W <- list(ols = ols_part(f0, lw), sar = c(fit_part(sar), list(impacts = imp_part(sar, lw))),
                       sem = fit_part(sem))

# formula_W
f2 <- log(CRIME) ~ log(HOVAL) + I(INC^2)
sar <- lagsarlm(f2, d, lw, method = "eigen"); sem <- errorsarlm(f2, d, lw, method = "eigen")
sdm <- lagsarlm(f2, d, lw, method = "eigen", Durbin = TRUE)
cases$formula_W <- list(ols = ols_part(f2, lw), sar = c(fit_part(sar), list(impacts = imp_part(sar, lw))),
                        sem = fit_part(sem), sdm = c(fit_part(sdm), list(impacts = imp_part(sdm, lw))))

# lattice50_W: N = 2500 (50 x 50 rook lattice, simulated SAR data, crosscheck_extra_export.py), style "W";
# SAR, SEM, SAC with method = "eigen" (analytic information-matrix SEs; sacsarlm too)
dl <- read.csv(file.path(here, "data", "lattice50.csv"), colClasses = c(id = "character"))
lwl <- nb2listw(read.gal(file.path(here, "data", "lattice50_rook.gal"), region.id = dl$id), style = "W")
fl <- y ~ x1 + x2
sar <- lagsarlm(fl, dl, lwl, method = "eigen"); sem <- errorsarlm(fl, dl, lwl, method = "eigen")
sac <- sacsarlm(fl, dl, lwl, method = "eigen")
cases$lattice50_W <- list(sar = c(fit_part(sar), list(impacts = imp_part(sar, lwl))), sem = fit_part(sem),
                          sac = fit_part(sac))

out <- list(meta = list(software = paste("R", getRversion(), "spatialreg", packageVersion("spatialreg"),
                                         "spdep", packageVersion("spdep"), "jsonlite", packageVersion("jsonlite")),
                        script = "tests/reference/crosscheck_extra.R", created = format(Sys.time(), tz = "UTC")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(here, "crosscheck_extra.json"))
