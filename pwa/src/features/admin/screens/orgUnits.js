// Đơn vị hành chính (/admin/org-units): the hierarchy as a tree (city > districts > wards),
// searchable, with each unit's code, level, validity and market count; the CSV import is one
// click away.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, day, errorBox, errorText, field, forgetUnits, input, loadUnits, select, title } from './common.js';

// Since 1 July 2025 Hanoi's units under the city are phường (ward) and xã (commune).
export const LEVELS = ['city', 'district', 'ward', 'commune'];

const memory = { q: '', level: '' };

function unitLine(t, unit) {
  const validity = unit.valid_to
    ? t('admin.units.until', { date: day(unit.valid_to) })
    : unit.valid_from ? t('admin.units.from', { date: day(unit.valid_from) }) : '';
  return h('span', { class: 'unit-line' },
    h('span', { class: 'unit-line__name' }, unit.name),
    h('span', { class: 'unit-line__meta' },
      [unit.code, t(`admin.level.${unit.level}`), t('admin.units.markets', { count: unit.markets }), validity].filter(Boolean).join(' · ')));
}

/** Nested lists; units with children are <details> (closed below the city unless searching). */
function treeList(t, rows, open) {
  const children = new Map();
  for (const row of rows) {
    const parent = row.parent ?? null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(row.unit);
  }
  const build = (parentId, depth) => {
    const kids = children.get(parentId) ?? [];
    if (!kids.length) return null;
    return h('ul', { class: depth ? 'unit-tree unit-tree--nested' : 'unit-tree' }, kids.map((unit) => {
      const sub = build(unit.id, depth + 1);
      if (!sub) return h('li', { class: 'unit-tree__leaf', dataset: { code: unit.code } }, unitLine(t, unit));
      return h('li', { dataset: { code: unit.code } },
        h('details', { open: open || depth === 0 }, h('summary', null, unitLine(t, unit)), sub));
    }));
  };
  return build(null, 0);
}

export default function orgUnitsScreen(ctx) {
  const root = adminRoot();
  const state = { loading: true, units: [], error: '' };
  let treeHost = null;
  let timer = 0;

  async function load() {
    try {
      forgetUnits(); // this screen shows the units as they are now
      state.units = await loadUnits();
    } catch (err) {
      state.error = errorText(ctx.t, err);
    }
    state.loading = false;
    drawTree();
  }

  function drawTree() {
    const { t } = ctx;
    if (state.loading || state.error) {
      replaceChildren(treeHost, errorBox(state.error), state.loading ? h('p', { class: 'empty' }, t('admin.loading')) : null);
      return;
    }
    const query = memory.q.trim();
    const found = admin.searchUnits(state.units, query).filter(({ unit }) => !memory.level || unit.level === memory.level);
    const filtered = Boolean(query || memory.level);
    // Searching keeps each match's ancestors, so a ward still shows under its district.
    const byId = new Map(state.units.map((u) => [u.id, u]));
    const keep = new Set();
    for (const { unit } of found) {
      for (let u = unit; u && !keep.has(u.id); u = byId.get(u.parent_id)) keep.add(u.id);
    }
    const rows = state.units.filter((u) => keep.has(u.id)).map((unit) => ({ unit, parent: keep.has(unit.parent_id) ? unit.parent_id : null }));
    replaceChildren(treeHost,
      h('p', { class: 'count', role: 'status' }, filtered ? t('admin.units.found', { count: found.length }) : t('admin.units.count', { count: state.units.length })),
      rows.length ? treeList(t, rows, filtered) : h('p', { class: 'empty' }, t('admin.units.none')));
  }

  function draw() {
    const { t } = ctx;
    treeHost = h('div', { class: 'admin-results' });
    replaceChildren(root,
      title(t('admin.units.title')),
      h('div', { class: 'row' }, h('a', { class: 'btn btn--secondary', href: '/admin/org-units/import' }, icon('upload'), t('admin.units.import'))),
      h('form', { class: 'admin-filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field('units-q', t('admin.units.search'), input('units-q', memory.q, {
          type: 'search', autocomplete: 'off',
          oninput: (e) => {
            memory.q = e.target.value;
            clearTimeout(timer);
            timer = setTimeout(drawTree, 150);
          },
        })),
        field('units-level', t('admin.units.level'), select('units-level',
          [['', t('admin.units.allLevels')], ...LEVELS.map((level) => [level, t(`admin.level.${level}`)])], memory.level, {
            onchange: (e) => {
              memory.level = e.target.value;
              drawTree();
            },
          }))),
      treeHost);
    drawTree();
  }

  draw();
  load();
  return { root, draw, destroy: () => clearTimeout(timer) };
}
