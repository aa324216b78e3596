"""Apparent cargo: what the AIS ship type declares, laden or in ballast from the reported draught, and an
estimated cargo (deadweight x load fraction) in tonnes and, for tankers, barrels, with an interval.

Every figure here is an ESTIMATE from AIS self-reports and textbook ship proportions; cargo records from
cited sources belong in the registry, beside these. Formulas and the source of every default:
docs/methods/cargo.md.
"""

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowfleet.detect._arrays import check_sorted, floats, ints, require_columns, ts_us
from shadowfleet.model.units import BARRELS_PER_CUBIC_METER

SEAWATER_DENSITY_T_M3 = 1.025

# AIS ship type (ITU-R M.1371, message 5 "type of ship and cargo type"), first digit -> category.
_CATEGORY_BY_TENS = {
    2: "wing_in_ground",
    4: "high_speed_craft",
    6: "passenger",
    7: "cargo",
    8: "tanker",
    9: "other",
}
_CATEGORY_BY_CODE = {
    30: "fishing",
    31: "towing",
    32: "towing",
    33: "dredging_or_underwater_ops",
    34: "diving_ops",
    35: "military_ops",
    36: "sailing",
    37: "pleasure_craft",
    50: "pilot",
    51: "search_and_rescue",
    52: "tug",
    53: "port_tender",
    54: "anti_pollution",
    55: "law_enforcement",
    58: "medical_transport",
    59: "noncombatant",
}
# Second digit of types 2x, 4x, 6x, 7x, 8x, 9x: the IMO hazard category of the cargo carried.
_HAZARD_BY_UNITS = {1: "A", 2: "B", 3: "C", 4: "D"}


@dataclass(frozen=True)
class CargoParams:
    # Laden when the load fraction is at least this (the middle of the vessel's draught range).
    laden_min_load_fraction: float = 0.5
    # The observed draught range is trusted as ballast..laden only when at least this wide.
    min_observed_range_m: float = 2.0
    # +/- on a load fraction read from the observed range (crew-entered draught, trim, a range that
    # may not span full ballast to full load).
    observed_range_fraction_uncertainty: float = 0.15
    # Without a usable range: ballast draught as a share of the design draught (MARPOL Annex I reg. 18
    # minimum ballast draught 2.0 + 0.02 L m is ~0.4 of design for a VLCC; ballast passages run 0.4-0.6).
    ballast_draught_ratio: float = 0.45
    design_draught_fraction_uncertainty: float = 0.25
    # Deadweight from dimensions: DWT = Cb x Lpp x B x T x rho_sw x (DWT / displacement).
    lbp_over_loa: tuple[float, float, float] = (0.95, 0.96, 0.97)  # low, central, high
    beam_over_draught: tuple[float, float, float] = (2.2, 2.6, 3.0)  # design B/T of tankers, bulkers
    tanker_block_coefficient: tuple[float, float, float] = (0.78, 0.82, 0.86)
    tanker_deadweight_over_displacement: tuple[float, float, float] = (0.78, 0.83, 0.86)
    cargo_block_coefficient: tuple[float, float, float] = (0.60, 0.75, 0.85)
    cargo_deadweight_over_displacement: tuple[float, float, float] = (0.65, 0.75, 0.83)
    # Share of deadweight that is cargo on a laden passage (the rest: fuel, water, stores, constant).
    cargo_share_of_deadweight: tuple[float, float, float] = (0.94, 0.96, 0.98)
    # A declared deadweight (registry) is known to about this relative error (summer vs. tropical, etc.).
    declared_deadweight_rel_uncertainty: float = 0.03
    # Tankers this large (estimated deadweight, t) are assumed to carry crude, smaller ones products.
    crude_min_deadweight_t: float = 80_000.0
    # Cargo densities, t/m3 (low, central, high): crude from light (~0.82) to Venezuelan heavy Merey 16
    # (16 deg API = 0.96); refined products from gasoline (~0.72) to gasoil/diesel (~0.88).
    crude_density_t_m3: tuple[float, float, float] = (0.82, 0.87, 0.96)
    product_density_t_m3: tuple[float, float, float] = (0.72, 0.80, 0.88)


CARGO_SCHEMA = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("ship_type", pa.int16()),
        pa.field("ship_type_category", pa.string()),
        pa.field("cargo_hazard_category", pa.string()),
        pa.field("draught_m", pa.float64()),
        pa.field("draught_min_m", pa.float64()),
        pa.field("draught_max_m", pa.float64()),
        pa.field("load_fraction", pa.float64()),
        pa.field("load_fraction_low", pa.float64()),
        pa.field("load_fraction_high", pa.float64()),
        pa.field("load_basis", pa.string()),
        pa.field("laden_status", pa.string()),
        pa.field("deadweight_t", pa.float64()),
        pa.field("deadweight_low_t", pa.float64()),
        pa.field("deadweight_high_t", pa.float64()),
        pa.field("deadweight_basis", pa.string()),
        pa.field("cargo_kind", pa.string()),
        pa.field("cargo_t", pa.float64()),
        pa.field("cargo_low_t", pa.float64()),
        pa.field("cargo_high_t", pa.float64()),
        pa.field("cargo_bbl", pa.float64()),
        pa.field("cargo_low_bbl", pa.float64()),
        pa.field("cargo_high_bbl", pa.float64()),
        pa.field("is_estimate", pa.bool_(), nullable=False),
    ]
)


def ship_type_category(ship_type: np.ndarray) -> np.ndarray:
    """AIS ship type code -> category name (object array); "unknown" for 0, nulls and reserved codes."""
    codes = np.asarray(ship_type, dtype=np.int64)
    out = np.full(len(codes), "unknown", dtype=object)
    for tens, name in _CATEGORY_BY_TENS.items():
        out[(codes >= tens * 10) & (codes < tens * 10 + 10)] = name
    for code, name in _CATEGORY_BY_CODE.items():
        out[codes == code] = name
    return out


def cargo_hazard_category(ship_type: np.ndarray) -> np.ndarray:
    codes = np.asarray(ship_type, dtype=np.int64)
    has = np.isin(codes // 10, list(_CATEGORY_BY_TENS))
    out = np.full(len(codes), None, dtype=object)
    for units, name in _HAZARD_BY_UNITS.items():
        out[has & (codes % 10 == units)] = name
    return out


def load_fraction(
    draught_m: np.ndarray, min_m: np.ndarray, max_m: np.ndarray, min_range_m: float
) -> np.ndarray:
    """Position of the draught within the vessel's observed range, 0 (lightest) .. 1 (deepest);
    NaN where the range is narrower than `min_range_m` or a value is missing."""
    span = np.asarray(max_m, dtype=np.float64) - np.asarray(min_m, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (np.asarray(draught_m, dtype=np.float64) - min_m) / span
    return np.where(span >= min_range_m, np.clip(frac, 0.0, 1.0), np.nan)


def laden_status(fraction: np.ndarray, laden_min_load_fraction: float) -> np.ndarray:
    """ "laden" / "ballast" / "unknown" (NaN fraction)."""
    fraction = np.asarray(fraction, dtype=np.float64)
    return np.where(
        np.isnan(fraction), "unknown", np.where(fraction >= laden_min_load_fraction, "laden", "ballast")
    ).astype(object)


def _spread(central: np.ndarray, rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return central * (1.0 - rel), central * (1.0 + rel)


def _rel(triple: tuple[float, float, float]) -> float:
    """Half-width of (low, central, high) relative to central (the larger side)."""
    low, mid, high = triple
    return max(mid - low, high - mid) / mid


def estimate_deadweight_t(
    length_m: np.ndarray,
    beam_m: np.ndarray,
    is_tanker: np.ndarray,
    observed_max_draught_m: np.ndarray,
    params: CargoParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(central, low, high) deadweight in tonnes from length overall and beam; NaN where unknown.

    DWT = Cb x (LOA x Lpp/LOA) x B x T x 1.025 x (DWT/displacement), with the design draught T = B / (B/T)
    but never less than the deepest draught the vessel has reported. Relative ranges of the
    assumptions are combined in quadrature (treated as independent).
    """
    length = np.asarray(length_m, dtype=np.float64)
    beam = np.asarray(beam_m, dtype=np.float64)
    tanker = np.asarray(is_tanker, dtype=bool)
    observed = np.nan_to_num(np.asarray(observed_max_draught_m, dtype=np.float64), nan=0.0)
    design_t = np.maximum(beam / params.beam_over_draught[1], observed)
    cb = np.where(tanker, params.tanker_block_coefficient[1], params.cargo_block_coefficient[1])
    ratio = np.where(
        tanker, params.tanker_deadweight_over_displacement[1], params.cargo_deadweight_over_displacement[1]
    )
    central = cb * length * params.lbp_over_loa[1] * beam * design_t * SEAWATER_DENSITY_T_M3 * ratio
    rel_tanker = math.sqrt(
        _rel(params.lbp_over_loa) ** 2
        + _rel(params.beam_over_draught) ** 2
        + _rel(params.tanker_block_coefficient) ** 2
        + _rel(params.tanker_deadweight_over_displacement) ** 2
    )
    rel_cargo = math.sqrt(
        _rel(params.lbp_over_loa) ** 2
        + _rel(params.beam_over_draught) ** 2
        + _rel(params.cargo_block_coefficient) ** 2
        + _rel(params.cargo_deadweight_over_displacement) ** 2
    )
    ok = (length > 0) & (beam > 0) & (length > beam)
    central = np.where(ok, central, np.nan)
    low, high = _spread(central, np.where(tanker, rel_tanker, rel_cargo).astype(np.float64))
    return central, low, high


def estimate_cargo(vessels: pa.Table, params: CargoParams) -> pa.Table:
    """One estimate per row of `vessels`: columns mmsi, ship_type, length_m, beam_m, draught_m (the
    draught now, or at the moment of interest), draught_min_m and draught_max_m (the vessel's observed
    range), and optionally deadweight_t (declared, e.g. from the registry) and cargo_kind ("crude",
    "product") from a cited source. `vessel_cargo_inputs` builds this table from static reports."""
    require_columns(
        vessels,
        ("mmsi", "ship_type", "length_m", "beam_m", "draught_m", "draught_min_m", "draught_max_m"),
        "vessels",
    )
    n = vessels.num_rows
    ship_type = ints(vessels.column("ship_type"), null=0)
    category = ship_type_category(ship_type)
    tanker = category == "tanker"
    carrier = tanker | (category == "cargo")
    draught = floats(vessels.column("draught_m"))
    d_min, d_max = floats(vessels.column("draught_min_m")), floats(vessels.column("draught_max_m"))
    length, beam = floats(vessels.column("length_m")), floats(vessels.column("beam_m"))

    dwt, dwt_low, dwt_high = estimate_deadweight_t(length, beam, tanker, d_max, params)
    basis = np.full(n, None, dtype=object)
    basis[np.isfinite(dwt)] = "estimated_from_dimensions"
    if "deadweight_t" in vessels.column_names:
        declared = floats(vessels.column("deadweight_t"))
        known = declared > 0
        rel = params.declared_deadweight_rel_uncertainty
        dwt = np.where(known, declared, dwt)
        dwt_low = np.where(known, declared * (1 - rel), dwt_low)
        dwt_high = np.where(known, declared * (1 + rel), dwt_high)
        basis[known] = "declared"

    # Load fraction: from the observed range when it is wide enough, else against the design draught.
    frac = load_fraction(draught, d_min, d_max, params.min_observed_range_m)
    frac_unc = np.full(n, params.observed_range_fraction_uncertainty)
    load_basis = np.full(n, None, dtype=object)
    load_basis[np.isfinite(frac)] = "observed_range"
    design_t = np.maximum(beam / params.beam_over_draught[1], np.nan_to_num(d_max, nan=0.0))
    r = params.ballast_draught_ratio
    with np.errstate(invalid="ignore", divide="ignore"):
        by_design = np.clip((draught / design_t - r) / (1 - r), 0.0, 1.0)
    use_design = np.isnan(frac) & np.isfinite(by_design) & (draught > 0)
    frac = np.where(use_design, by_design, frac)
    frac_unc = np.where(use_design, params.design_draught_fraction_uncertainty, frac_unc)
    load_basis[use_design] = "design_draught"
    frac_low = np.clip(frac - frac_unc, 0.0, 1.0)
    frac_high = np.clip(frac + frac_unc, 0.0, 1.0)
    status = laden_status(frac, params.laden_min_load_fraction)

    share = params.cargo_share_of_deadweight
    cargo_t = np.where(carrier, dwt * frac * share[1], np.nan)
    cargo_low_t = np.where(carrier, dwt_low * frac_low * share[0], np.nan)
    cargo_high_t = np.where(carrier, dwt_high * frac_high * share[2], np.nan)

    kind = np.full(n, None, dtype=object)
    kind[tanker] = "product"
    kind[tanker & (dwt >= params.crude_min_deadweight_t)] = "crude"
    kind[tanker & ~np.isfinite(dwt)] = None
    kind[category == "cargo"] = "dry_or_general"
    if "cargo_kind" in vessels.column_names:
        given = np.array(vessels.column("cargo_kind").cast(pa.string()).to_pylist(), dtype=object)
        override = np.array([g in ("crude", "product") for g in given], dtype=bool) & tanker
        kind[override] = given[override]
    crude = kind == "crude"
    rho = params.crude_density_t_m3, params.product_density_t_m3
    rho_mid = np.where(crude, rho[0][1], rho[1][1])
    rho_low = np.where(crude, rho[0][0], rho[1][0])
    rho_high = np.where(crude, rho[0][2], rho[1][2])
    bbl = np.where(tanker, cargo_t / rho_mid * BARRELS_PER_CUBIC_METER, np.nan)
    bbl_low = np.where(tanker, cargo_low_t / rho_high * BARRELS_PER_CUBIC_METER, np.nan)
    bbl_high = np.where(tanker, cargo_high_t / rho_low * BARRELS_PER_CUBIC_METER, np.nan)

    def col(values: np.ndarray, digits: int = 1) -> pa.Array:
        values = np.round(np.asarray(values, dtype=np.float64), digits)
        return pa.array(values, pa.float64(), mask=~np.isfinite(values))

    return pa.table(
        {
            "mmsi": pa.array(ints(vessels.column("mmsi")), pa.int64()),
            "ship_type": pa.array(ship_type, pa.int16(), mask=ship_type <= 0),
            "ship_type_category": pa.array(category.tolist(), pa.string()),
            "cargo_hazard_category": pa.array(cargo_hazard_category(ship_type).tolist(), pa.string()),
            "draught_m": col(draught, 2),
            "draught_min_m": col(d_min, 2),
            "draught_max_m": col(d_max, 2),
            "load_fraction": col(frac, 3),
            "load_fraction_low": col(frac_low, 3),
            "load_fraction_high": col(frac_high, 3),
            "load_basis": pa.array(load_basis.tolist(), pa.string()),
            "laden_status": pa.array(status.tolist(), pa.string()),
            "deadweight_t": col(dwt, 0),
            "deadweight_low_t": col(dwt_low, 0),
            "deadweight_high_t": col(dwt_high, 0),
            "deadweight_basis": pa.array(basis.tolist(), pa.string()),
            "cargo_kind": pa.array(kind.tolist(), pa.string()),
            "cargo_t": col(cargo_t, 0),
            "cargo_low_t": col(cargo_low_t, 0),
            "cargo_high_t": col(cargo_high_t, 0),
            "cargo_bbl": col(bbl, 0),
            "cargo_low_bbl": col(bbl_low, 0),
            "cargo_high_bbl": col(bbl_high, 0),
            "is_estimate": pa.array(np.ones(n, dtype=bool)),
        },
        schema=CARGO_SCHEMA,
    )


def _last_valid(mmsi: np.ndarray, values: np.ndarray, vessels: np.ndarray) -> np.ndarray:
    """Per vessel (sorted unique mmsi), the last finite value in row order; NaN if none."""
    ok = np.flatnonzero(np.isfinite(values))
    out = np.full(len(vessels), np.nan)
    if len(ok):
        group = np.searchsorted(vessels, mmsi[ok])
        # Later rows overwrite earlier ones: fancy assignment keeps the last write per index.
        out[group] = values[ok]
    return out


def vessel_cargo_inputs(statics: pa.Table, valid_draught_max_m: float = 25.5) -> pa.Table:
    """Per vessel: the latest reported ship type, length, beam and draught, and its draught range, from
    static reports sorted by (mmsi, ts) -- the input `estimate_cargo` takes."""
    require_columns(statics, ("mmsi", "ts", "ship_type", "length_m", "beam_m", "draught_m"), "statics")
    mmsi, ts = ints(statics.column("mmsi")), ts_us(statics.column("ts"))
    check_sorted(mmsi, ts, "statics")
    vessels = np.unique(mmsi)
    ship_type = ints(statics.column("ship_type"), null=0).astype(np.float64)
    ship_type[ship_type <= 0] = np.nan
    draught = floats(statics.column("draught_m"))
    draught[(draught <= 0) | (draught > valid_draught_max_m)] = np.nan
    length, beam = floats(statics.column("length_m")), floats(statics.column("beam_m"))
    length[length <= 0] = np.nan
    beam[beam <= 0] = np.nan
    d_min = np.full(len(vessels), np.nan)
    d_max = np.full(len(vessels), np.nan)
    ok = np.flatnonzero(np.isfinite(draught))
    if len(ok):
        group = np.searchsorted(vessels, mmsi[ok])
        np.fmin.at(d_min, group, draught[ok])
        np.fmax.at(d_max, group, draught[ok])
    last_type = _last_valid(mmsi, ship_type, vessels)

    def col(values: np.ndarray) -> pa.Array:
        return pa.array(values, pa.float64(), mask=np.isnan(values))

    return pa.table(
        {
            "mmsi": pa.array(vessels, pa.int64()),
            "ship_type": pa.array(
                np.nan_to_num(last_type, nan=0).astype(np.int16), pa.int16(), mask=np.isnan(last_type)
            ),
            "length_m": col(_last_valid(mmsi, length, vessels)),
            "beam_m": col(_last_valid(mmsi, beam, vessels)),
            "draught_m": col(_last_valid(mmsi, draught, vessels)),
            "draught_min_m": col(d_min),
            "draught_max_m": col(d_max),
        }
    )
