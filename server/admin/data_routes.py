"""Admin routes for reference data: markets, CSV imports, indicator targets. Admins only."""

from server.admin import bp
from server.admin.imports import run_import, uploaded_text
from server.admin.markets import change_market, get_market, list_markets
from server.admin.orgunits import list_org_units
from server.admin.schemas import (
    AdminImportOut,
    AdminImportQuery,
    AdminMarketList,
    AdminMarketOut,
    AdminMarketsQuery,
    AdminMarketUpdate,
    AdminOrgUnitList,
    AdminTargetBody,
    AdminTargetList,
    AdminTargetOut,
)
from server.admin.targets import list_targets, set_target
from server.auth.tokens import require_auth
from server.core.apidoc import Body, doc
from server.core.queryparams import load_query

CSV_UPLOAD = Body("the CSV file, as a multipart `file` field or as the raw body", {
    "multipart/form-data": {"schema": {"type": "object",
                                       "properties": {"file": {"type": "string",
                                                               "format": "binary"}}}},
    "text/csv": {"schema": {"type": "string"}},
})
BAD_FILE = ('The file is not valid; `fields` names each bad line ("line 3": [...]) and nothing '
            "was written.")
IMPORT_ERRORS = {400: None, 401: None, 403: None, 409: None, 415: None, 422: BAD_FILE}


@bp.get("/markets")
@require_auth("admin")
@doc(tags=["admin"], query=AdminMarketsQuery, responses={200: AdminMarketList},
     errors=(400, 401, 403))
def markets_index():
    """Markets by code (filters: q in code or name, org_unit_id with its subtree, market_class,
    open), paged."""
    return list_markets(load_query(AdminMarketsQuery()))


@bp.get("/markets/<int:market_id>")
@require_auth("admin")
@doc(tags=["admin"], responses={200: AdminMarketOut}, errors=(401, 403, 404))
def markets_show(market_id: int):
    """One market, with its rev (the edit screen opened by its URL)."""
    return get_market(market_id)


@bp.patch("/markets/<int:market_id>")
@require_auth("admin")
@doc(tags=["admin"], body=AdminMarketUpdate, load_body=True, responses={200: AdminMarketOut},
     errors=(400, 401, 403, 404, 415, 422))
def markets_update(market_id: int, body: dict):
    """Change a market (the importer's rules). Moving it to another unit moves its visits
    along: officers on both sides hear of it on their next pull."""
    return change_market(market_id, body)


@bp.post("/markets/import")
@require_auth("admin")
@doc(tags=["admin"], query=AdminImportQuery, body=CSV_UPLOAD, responses={200: AdminImportOut},
     errors=IMPORT_ERRORS)
def markets_import():
    """Import markets from CSV (code,name,org_unit_code,address,lat,lon,market_class,opened_on,
    closed_on): all or nothing; a code already known is updated."""
    dry_run = load_query(AdminImportQuery())["dry_run"]
    return run_import("markets", uploaded_text(), dry_run)


@bp.get("/org-units")
@require_auth("admin")
@doc(tags=["admin"], responses={200: AdminOrgUnitList}, errors=(401, 403))
def org_units_index():
    """Every org unit, past and present, by code (the client builds the tree from parent_id)."""
    return list_org_units()


@bp.post("/org-units/import")
@require_auth("admin")
@doc(tags=["admin"], query=AdminImportQuery, body=CSV_UPLOAD, responses={200: AdminImportOut},
     errors=IMPORT_ERRORS)
def org_units_import():
    """Import org units from CSV (code,name,level,parent_code,valid_from,valid_to): all or
    nothing; a code already known is updated."""
    dry_run = load_query(AdminImportQuery())["dry_run"]
    return run_import("org_units", uploaded_text(), dry_run)


@bp.get("/targets")
@require_auth("admin")
@doc(tags=["admin"], responses={200: AdminTargetList}, errors=(401, 403))
def targets_index():
    """Indicator targets by period (org_unit_id null: the whole city)."""
    return list_targets()


@bp.put("/targets/<period>")
@require_auth("admin")
@doc(tags=["admin"], body=AdminTargetBody, load_body=True,
     responses={200: AdminTargetOut, 201: AdminTargetOut}, errors=(400, 401, 403, 415, 422))
def targets_put(period: str, body: dict):
    """Set the target (0..1) of a period (YYYY, YYYY-Qn or YYYY-MM), city-wide or for a unit."""
    target, created = set_target(period, body)
    return target, 201 if created else 200
