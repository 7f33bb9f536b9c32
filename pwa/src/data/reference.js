// Reference data from the pull replica (DESIGN §5.2): markets, org units and form definitions.
// Replica rows are stored as {id, rev, data, epoch}; readers get `data`, exactly as pulled.
import bundledForm from '../../../shared_schema/forms/market_visit-2023.1.json';

import { S, openDb } from './db.js';

export const BUNDLED_FORM = bundledForm;

/** The pull id of a form definition (server/sync/pull.py). */
export const formKey = (version) => `market_visit@${version}`;

/** Every market the user may see (plain market objects, DESIGN §5.2); [] before the first pull. */
export async function listMarkets() {
  return (await (await openDb()).getAll(S.markets)).map((row) => row.data);
}

export async function getMarket(id) {
  return (await (await openDb()).get(S.markets, id))?.data ?? null;
}

/** Every org unit {id, code, name, level, parent_id}; [] before the first pull. */
export async function listOrgUnits() {
  return (await (await openDb()).getAll(S.orgUnits)).map((row) => row.data);
}

/**
 * The form definition of `version`: the server's copy when pulled, else the one bundled with
 * the app (so a visit can be recorded before the first sync), else null.
 */
export async function getForm(version = bundledForm.version) {
  const row = await (await openDb()).get(S.forms, formKey(version));
  if (row?.data && Array.isArray(row.data.fields)) return row.data;
  return version === bundledForm.version ? bundledForm : null;
}
