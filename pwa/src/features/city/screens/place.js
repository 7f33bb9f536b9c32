// Where the screen stands in the org-unit tree: the tree (pulled with the markets, or pieced
// together from the indicator's own breakdown before the first sync), the ward officer's scope
// and the path city › district › ward of the unit shown.
import { hanoiToday } from '../../../shared/format.js';
import { loadUnits } from '../store.js';
import { referenceDay, unitTree, unitsInForce } from './model.js';

/** Units known from one /indicator answer alone: the unit and its children. */
export function fallbackUnits(indicator) {
  const unit = indicator?.org_unit;
  if (!unit) return [];
  const id = unit.id ?? 'city';
  return [
    { id, code: unit.code, name: unit.name, level: unit.level, parent_id: null },
    ...(indicator.breakdown ?? []).map((row) => ({ ...row.org_unit, parent_id: id })),
  ];
}

export async function placeFor(ctx, indicator) {
  // The units in force on the period's reference day: the 30 districts for 2023, the 126
  // wards and communes for 2026 (Hanoi's 1 July 2025 reform).
  const day = referenceDay(indicator?.period?.end, hanoiToday());
  const units = unitsInForce(await loadUnits(), day);
  const tree = unitTree(units.length ? units : fallbackUnits(indicator));
  const user = ctx.app.session?.user;
  const scope = user?.role === 'ward_officer' && user.org_unit_id ? tree.find(user.org_unit_id) : null;
  const shown = indicator?.org_unit;
  let path = shown?.id !== null && shown?.id !== undefined ? tree.path(shown.id) : [];
  if (!path.length && tree.city && (!shown || shown.level === 'city')) path = [tree.city];
  return { tree, scope, path };
}
