import pytest

import spatialecon as se
from spatialecon._options import Effects, LogDetMethod, validate
from spatialecon.errors import OptionError, SpatialEconError


def test_validate_accepts_and_rejects():
    assert validate("logdet", "lu", LogDetMethod) == "lu"
    with pytest.raises(OptionError, match=r"logdet='LU' is not valid; choose one of 'auto', 'eigen'"):
        validate("logdet", "LU", LogDetMethod)
    assert validate("effects", None, Effects, allow_none=True) is None
    with pytest.raises(OptionError, match="or None"):
        validate("effects", "fixed", Effects, allow_none=True)


@pytest.mark.parametrize(
    "name",
    ["RegionMatchError", "PanelError", "WeightsError", "EstimationError", "NonConvergenceError",
     "ParameterBoundError", "SingularDesignError", "OptionError", "DataError"],
)
def test_every_error_derives_from_root(name):
    assert issubclass(getattr(se.errors, name), SpatialEconError)


def test_region_match_error_keeps_suggestions_and_message():
    err = se.errors.RegionMatchError("unmatched: 'Guangdon' (did you mean 'Guangdong'?)", {"Guangdon": ["Guangdong"]})
    assert err.unmatched == {"Guangdon": ["Guangdong"]}
    assert str(err).startswith("unmatched")


def test_lazy_public_names_resolve_or_fail_cleanly():
    with pytest.raises(AttributeError):
        se.not_a_public_name  # noqa: B018
