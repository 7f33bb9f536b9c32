"""Admin routes for reference data: markets, CSV imports, indicator targets. Admins only."""

from server.admin import bp
from server.admin.imports import run_import, uploaded_text
from server.admin.markets import change_market, get_market, list_markets
from server.admin.orgunits import list_org_units
from server.admin.schemas import (
    AdminImportQuery,
    AdminMarketsQuery,
    AdminMarketUpdate,
    AdminTargetBody,
)
from server.admin.targets import list_targets, set_target
from server.auth.tokens import require_auth
from server.core.http import json_body, load
from server.core.queryparams import load_query


@bp.get("/markets")
@require_auth("admin")
def markets_index():
    """Markets by code (filters: q in code or name, org_unit_id with its subtree, market_class,
    open), paged.
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AdminMarketsQuery}]
      responses:
        200:
          description: '{"markets": [market as in pull, plus rev], "total": n}'
          content: {application/json: {schema: {type: object}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return list_markets(load_query(AdminMarketsQuery()))


@bp.get("/markets/<int:market_id>")
@require_auth("admin")
def markets_show(market_id: int):
    """One market, with its rev (the edit screen opened by its URL).
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: market_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200:
          description: the market as in pull, plus rev
          content: {application/json: {schema: {type: object}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
    """
    return get_market(market_id)


@bp.patch("/markets/<int:market_id>")
@require_auth("admin")
def markets_update(market_id: int):
    """Change a market (the importer's rules). Moving it to another unit moves its visits
    along: officers on both sides hear of it on their next pull.
    ---
    patch:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: market_id, in: path, required: true, schema: {type: integer}}]
      requestBody: {content: {application/json: {schema: AdminMarketUpdate}}}
      responses:
        200:
          description: the market, with its new rev
          content: {application/json: {schema: {type: object}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    return change_market(market_id, load(AdminMarketUpdate(), json_body()))


@bp.post("/markets/import")
@require_auth("admin")
def markets_import():
    """Import markets from CSV (code,name,org_unit_code,address,lat,lon,market_class,opened_on,
    closed_on): all or nothing; a code already known is updated.
    ---
    post:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AdminImportQuery}]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
          text/csv: {schema: {type: string}}
      responses:
        200: {content: {application/json: {schema: AdminImportOut}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        409: {$ref: "#/components/responses/Error"}
        415: {$ref: "#/components/responses/Error"}
        422:
          description: 'the file is not valid; `fields` names each bad line ("line 3": [...])
            and nothing was written'
          content:
            application/json: {schema: {$ref: "#/components/schemas/ErrorBody"}}
    """
    dry_run = load_query(AdminImportQuery())["dry_run"]
    return run_import("markets", uploaded_text(), dry_run)


@bp.get("/org-units")
@require_auth("admin")
def org_units_index():
    """Every org unit, past and present, by code (the client builds the tree from parent_id).
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  org_units: {type: array, items: AdminOrgUnitOut}
                  total: {type: integer}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return list_org_units()


@bp.post("/org-units/import")
@require_auth("admin")
def org_units_import():
    """Import org units from CSV (code,name,level,parent_code,valid_from,valid_to): all or
    nothing; a code already known is updated.
    ---
    post:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AdminImportQuery}]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
          text/csv: {schema: {type: string}}
      responses:
        200: {content: {application/json: {schema: AdminImportOut}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        409: {$ref: "#/components/responses/Error"}
        415: {$ref: "#/components/responses/Error"}
        422:
          description: 'the file is not valid; `fields` names each bad line ("line 3": [...])
            and nothing was written'
          content:
            application/json: {schema: {$ref: "#/components/schemas/ErrorBody"}}
    """
    dry_run = load_query(AdminImportQuery())["dry_run"]
    return run_import("org_units", uploaded_text(), dry_run)


@bp.get("/targets")
@require_auth("admin")
def targets_index():
    """Indicator targets by period (org_unit_id null: the whole city).
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      responses:
        200:
          content:
            application/json:
              schema: {type: object, properties: {targets: {type: array, items: AdminTargetOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return list_targets()


@bp.put("/targets/<period>")
@require_auth("admin")
def targets_put(period: str):
    """Set the target (0..1) of a period (YYYY, YYYY-Qn or YYYY-MM), city-wide or for a unit.
    ---
    put:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: period, in: path, required: true, schema: {type: string}}]
      requestBody: {content: {application/json: {schema: AdminTargetBody}}}
      responses:
        200: {content: {application/json: {schema: AdminTargetOut}}}
        201: {content: {application/json: {schema: AdminTargetOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    target, created = set_target(period, load(AdminTargetBody(), json_body()))
    return target, 201 if created else 200
