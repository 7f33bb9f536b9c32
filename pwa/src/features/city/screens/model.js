// Pure logic of the city screens: sorting the breakdown, sorting markets into the dashboard's
// lists, and the org-unit tree behind the unit picker and the breadcrumb.

export const SORT_KEYS = ['name', 'markets_total', 'compliant', 'non_compliant', 'not_assessed', 'pending_review', 'value', 'coverage'];

/** "value:desc" → {key: 'value', dir: 'desc'}; anything else → by name, ascending. */
export function parseSort(text) {
  const [key, dir] = String(text ?? '').split(':');
  if (!SORT_KEYS.includes(key)) return { key: 'name', dir: 'asc' };
  return { key, dir: dir === 'desc' ? 'desc' : 'asc' };
}

export const sortText = ({ key, dir }) => `${key}:${dir}`;

/** The next sort when a column header is pressed: the same column flips, another starts asc. */
export function nextSort(current, key) {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'name' ? 'asc' : 'desc' };
}

const collator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });

/**
 * Breakdown rows sorted by a column. Units without a value (no markets) always go last, so
 * "lowest first" shows the units that need attention, not the empty ones. Ties: by name.
 */
export function sortRows(rows, { key, dir }) {
  const sign = dir === 'desc' ? -1 : 1;
  const byName = (a, b) => collator.compare(a.org_unit?.name ?? '', b.org_unit?.name ?? '');
  return [...(rows ?? [])].sort((a, b) => {
    if (key === 'name') return sign * byName(a, b);
    const x = a[key];
    const y = b[key];
    const xMissing = typeof x !== 'number';
    const yMissing = typeof y !== 'number';
    if (xMissing || yMissing) return xMissing === yMissing ? byName(a, b) : xMissing ? 1 : -1;
    return x === y ? byName(a, b) : sign * (x - y);
  });
}

/** Markets of /indicator/markets split for the dashboard's lists (each sorted by ward, name). */
export function partitionMarkets(markets) {
  const order = (a, b) =>
    collator.compare(a.district?.name ?? '', b.district?.name ?? '') ||
    collator.compare(a.ward?.name ?? '', b.ward?.name ?? '') ||
    collator.compare(a.market?.name ?? '', b.market?.name ?? '');
  const all = [...(markets ?? [])].sort(order);
  return {
    compliant: all.filter((m) => m.status === 'compliant'),
    nonCompliant: all.filter((m) => m.status === 'non_compliant'),
    notAssessed: all.filter((m) => m.status === 'not_assessed'),
    pendingReview: all.filter((m) => m.pending_review === true),
  };
}

/** Keeps the markets whose status matches the URL's filter ('' = all). */
export function filterMarkets(markets, status) {
  if (!status) return markets ?? [];
  if (status === 'pending_review') return (markets ?? []).filter((m) => m.pending_review === true);
  return (markets ?? []).filter((m) => m.status === status);
}

/**
 * The day whose hierarchy a period's figures use (docs/INDICATOR.md): its last day, or today
 * for a period not over yet. ISO dates compare as text.
 */
export function referenceDay(periodEnd, today) {
  if (!periodEnd) return today;
  return periodEnd < today ? periodEnd : today;
}

/** The units in force on `day` (YYYY-MM-DD); rows without validity dates always are. */
export function unitsInForce(units, day) {
  if (!day) return units ?? [];
  return (units ?? []).filter((u) => (!u.valid_from || u.valid_from <= day) && (!u.valid_to || u.valid_to >= day));
}

/** The org-unit rows of the data layer as a tree: {byId, children(id), path(id), city}. */
export function unitTree(units) {
  const byId = new Map();
  const kids = new Map();
  for (const unit of units ?? []) {
    if (unit && unit.id !== undefined && unit.id !== null) byId.set(String(unit.id), unit);
  }
  for (const unit of byId.values()) {
    const parent = unit.parent_id === null || unit.parent_id === undefined ? '' : String(unit.parent_id);
    if (!kids.has(parent)) kids.set(parent, []);
    kids.get(parent).push(unit);
  }
  for (const list of kids.values()) list.sort((a, b) => collator.compare(a.name, b.name));
  const city = [...byId.values()].find((u) => u.level === 'city') ?? null;
  const find = (ref) => {
    if (ref === null || ref === undefined || ref === '') return null;
    const key = String(ref);
    return byId.get(key) ?? [...byId.values()].find((u) => u.code === key) ?? null;
  };
  return {
    size: byId.size,
    city,
    find,
    children: (ref) => {
      const unit = ref === '' || ref === null || ref === undefined ? city : find(ref);
      return unit ? kids.get(String(unit.id)) ?? [] : [];
    },
    /** [city, district, ward] down to `ref` (the unit itself last); [] when unknown. */
    path(ref) {
      const out = [];
      const seen = new Set();
      let unit = find(ref);
      while (unit && !seen.has(unit.id)) {
        seen.add(unit.id);
        out.unshift(unit);
        unit = unit.parent_id === null || unit.parent_id === undefined ? null : byId.get(String(unit.parent_id));
      }
      return out;
    },
    /** Every unit id in the subtree of `ref` (itself included), as strings. */
    subtree(ref) {
      const root = ref === '' || ref === null || ref === undefined ? city : find(ref);
      const out = new Set();
      const stack = root ? [root] : [];
      while (stack.length) {
        const unit = stack.pop();
        if (out.has(String(unit.id))) continue;
        out.add(String(unit.id));
        stack.push(...(kids.get(String(unit.id)) ?? []));
      }
      return out;
    },
  };
}

/**
 * Overdue markets inside the unit shown: all of them for the whole city, else those whose ward
 * is in the unit's subtree (unknown tree → all, the server has already scoped them to the user).
 */
export function overdueInUnit(markets, tree, orgUnit) {
  const list = markets ?? [];
  if (!orgUnit || !tree || tree.size === 0 || !tree.find(orgUnit)) return list;
  if (tree.find(orgUnit).level === 'city') return list;
  const ids = tree.subtree(orgUnit);
  return list.filter((m) => ids.has(String(m.org_unit_id)));
}

/** Whole days between an instant and now (null when never visited). */
export function daysSince(value, now = new Date()) {
  const ms = Date.parse(value ?? '');
  if (!Number.isFinite(ms)) return null;
  return Math.max(0, Math.floor((now.getTime() - ms) / 86_400_000));
}
