// Báo cáo kết quả thực hiện chỉ tiêu 4.4: the A4 page the city official prints, signs and sends
// to the People's Committee. Same figures as the API to the digit; Vietnamese administrative
// layout (national motto, place and date, signature block); the app chrome is hidden in print.
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import { loadIndicator, loadMarkets, loadReportSettings } from '../store.js';
import { ROMAN_NUMERALS, formatCount, formatDay, formatDayTime, formatPercent, headline, periodLabel, placeDate } from './format.js';
import { partitionMarkets, sortRows } from './model.js';
import { cityHref, readQuery } from './period.js';
import { cell, problemNote } from './widgets.js';

export const REPORT_TITLE_KEY = 'city.report.title';

export default function cityReport(ctx, { query }) {
  const view = readQuery(query);
  const root = h('section', { class: 'screen city city-report', 'aria-labelledby': 'screen-title' });
  const state = { loading: true, indicator: null, markets: null, error: null };
  let alive = true;

  async function load() {
    const [indicator, markets, settings] = await Promise.allSettled([
      loadIndicator({ period: view.period.id, orgUnit: view.orgUnit }),
      loadMarkets({ period: view.period.id, orgUnit: view.orgUnit }),
      loadReportSettings(),
    ]);
    if (!alive) return;
    // Without an answer (offline, an older server) the page still prints, with blanks to fill.
    state.settings = settings.status === 'fulfilled' ? settings.value : null;
    state.indicator = indicator.status === 'fulfilled' ? indicator.value : null;
    state.markets = markets.status === 'fulfilled' ? markets.value : null;
    state.error = indicator.status === 'rejected' ? indicator.reason : markets.status === 'rejected' ? markets.reason : null;
    state.loading = false;
    redraw(root, draw);
  }

  /** The issuing body, one line per level (the admin's setting); the last line underlined. */
  function agency() {
    const { t } = ctx;
    const lines = (state.settings?.issuer ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    if (!lines.length) return [h('p', null, t('city.report.agency1')), h('p', { class: 'strong underline' }, '……………………')];
    return lines.map((line, i) => h('p', { class: i === lines.length - 1 ? 'strong underline' : null, dataset: { role: 'issuer' } }, line.toLocaleUpperCase('vi')));
  }

  function figuresTable(f) {
    const { t, lang } = ctx;
    const row = (key, value, strong = false) => h('tr', { dataset: { figure: key } },
      h('th', { scope: 'row' }, t(`city.report.fig.${key}`)), h('td', { class: `num ${strong ? 'strong' : ''}` }, value));
    return h('table', { class: 'table report-table report-figures' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('city.report.col.item')), h('th', { scope: 'col', class: 'num' }, t('city.report.col.figure')))),
      h('tbody', null,
        row('markets_total', formatCount(f.markets_total, lang)),
        row('compliant', formatCount(f.compliant, lang)),
        row('non_compliant', formatCount(f.non_compliant, lang)),
        row('not_assessed', formatCount(f.not_assessed, lang)),
        row('pending_review', formatCount(f.pending_review, lang)),
        row('value', formatPercent(f.value, lang), true),
        row('target', formatPercent(f.target, lang)),
        row('coverage', formatPercent(f.coverage, lang))));
  }

  function breakdown(rows) {
    const { t, lang } = ctx;
    const cols = ['markets_total', 'compliant', 'non_compliant', 'not_assessed', 'pending_review', 'value', 'coverage'];
    const keys = { markets_total: 'total', compliant: 'compliant', non_compliant: 'nonCompliant', not_assessed: 'notAssessed', pending_review: 'pending', value: 'value', coverage: 'coverage' };
    return wrapped(h('table', { class: 'table report-table report-breakdown' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('city.col.no')), h('th', { scope: 'col' }, t('city.col.unit')),
        cols.map((c) => h('th', { scope: 'col', class: 'num' }, t(`city.col.${keys[c]}`))))),
      h('tbody', null, sortRows(rows, { key: 'name', dir: 'asc' }).map((r, i) => h('tr', { dataset: { unit: String(r.org_unit.id) } },
        h('td', { class: 'num' }, String(i + 1)), h('th', { scope: 'row' }, r.org_unit.name),
        cols.map((c) => h('td', { class: 'num', dataset: { col: c } }, cell(c, r, lang))))))));
  }

  function marketList(items, withEvidence) {
    const { t } = ctx;
    return wrapped(h('table', { class: 'table report-table report-markets' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('city.col.no')), h('th', { scope: 'col' }, t('city.col.market')),
        h('th', { scope: 'col' }, t('city.col.ward')), h('th', { scope: 'col' }, t('city.col.district')),
        withEvidence
          ? [h('th', { scope: 'col' }, t('city.col.observedAt')), h('th', { scope: 'col' }, t('city.col.inspector')), h('th', { scope: 'col' }, t('city.col.reviewer'))]
          : h('th', { scope: 'col' }, t('city.col.note')))),
      h('tbody', null, items.map((m, i) => h('tr', { dataset: { market: String(m.market?.id) } },
        h('td', { class: 'num' }, String(i + 1)), h('td', null, m.market?.name ?? ''), h('td', null, m.ward?.name ?? ''), h('td', null, m.district?.name ?? ''),
        withEvidence
          ? [h('td', null, formatDay(m.observed_at)), h('td', null, m.inspector?.name ?? ''), h('td', null, m.reviewer?.name ?? '')]
          : h('td', null, m.pending_review ? t('city.status.pending_review') : ''))))));
  }

  // On a phone a wide table scrolls inside its box; the page itself never scrolls sideways.
  function wrapped(table) {
    return h('div', { class: 'table-wrap report-wrap' }, table);
  }

  function draw() {
    const { t, lang } = ctx;
    const f = state.indicator?.data;
    const toolbar = h('div', { class: 'row report-toolbar no-print' },
      h('a', { class: 'btn btn--ghost btn--small', href: cityHref('/city', { period: view.period.id, org_unit: view.orgUnit }) }, icon('back'), t('city.back')),
      h('button', { type: 'button', class: 'btn btn--primary btn--small', onclick: () => window.print(), disabled: !f }, icon('print'), t('city.report.print')),
      h('p', { class: 'hint' }, t('city.report.printHint')));
    const heading = h('h2', { id: 'screen-title', class: 'report-title', tabindex: '-1' }, t(REPORT_TITLE_KEY));
    if (state.loading) {
      replaceChildren(root, toolbar, heading, h('p', { class: 'empty' }, t('city.loading')));
      return;
    }
    if (!f || !state.markets) {
      replaceChildren(root, toolbar, heading, problemNote(t, state.error, { retry: load }));
      return;
    }
    const parts = partitionMarkets(state.markets.data?.markets);
    const user = ctx.app.session?.user;
    const stale = state.indicator.stale || state.markets.stale;
    let section = 0; // a ward has no breakdown: the sections after it move up a number
    const numbered = (key, params = {}) => h('h3', null, t(key, { ...params, n: ROMAN_NUMERALS[section++] }));
    replaceChildren(root,
      toolbar,
      stale ? h('div', { class: 'no-print' }, problemNote(t, null, { stale: true, fetchedAt: state.indicator.fetchedAt, retry: load })) : null,
      h('article', { class: 'report', lang: lang },
        h('header', { class: 'report-head' },
          h('div', { class: 'report-head__agency' }, agency(), h('p', { dataset: { role: 'number' } }, t('city.report.number', { prefix: state.settings?.number_prefix || '……' }))),
          h('div', { class: 'report-head__motto' }, h('p', { class: 'strong' }, t('city.report.motto1')), h('p', { class: 'strong underline' }, t('city.report.motto2')),
            h('p', { class: 'italic' }, placeDate(t)))),
        heading,
        h('p', { class: 'report-sub' }, t('city.report.scope', {
          period: periodLabel(t, view.period), start: formatDay(f.period?.start), end: formatDay(f.period?.end), unit: f.org_unit?.name ?? '',
        })),
        h('p', { class: 'report-to' }, t('city.report.to', { recipient: state.settings?.recipient || '……………………' })),
        h('p', { class: 'report-basis' }, t('city.report.basis')),
        numbered('city.report.section1'),
        figuresTable(f),
        h('p', { class: 'report-sentence', dataset: { role: 'headline' } }, headline(t, lang, f)),
        h('p', { class: 'report-note' }, t(f.final ? 'city.report.final' : 'city.report.provisional', { when: formatDayTime(f.computed_at) })),
        f.breakdown?.length ? [numbered('city.report.section2'), breakdown(f.breakdown)] : null,
        numbered('city.report.section3', { count: formatCount(parts.nonCompliant.length, lang) }),
        parts.nonCompliant.length ? marketList(parts.nonCompliant, true) : h('p', null, t('city.report.noneListed')),
        numbered('city.report.section4', { count: formatCount(parts.notAssessed.length, lang) }),
        parts.notAssessed.length ? marketList(parts.notAssessed, false) : h('p', null, t('city.report.noneListed')),
        h('p', { class: 'report-method' }, t('city.report.method')),
        h('div', { class: 'signatures' },
          h('div', { class: 'signature' }, h('p', { class: 'strong' }, t('city.report.preparer')), h('p', { class: 'italic' }, t('city.report.preparerHint')),
            h('p', { class: 'signature__name' }, user?.display_name ?? '')),
          h('div', { class: 'signature' }, h('p', { class: 'strong' }, t('city.report.head')), h('p', { class: 'italic' }, t('city.report.headHint')),
            h('p', { class: 'signature__name' }, ''))),
        h('div', { class: 'report-recipients' }, h('p', { class: 'strong italic' }, t('city.report.recipients')),
          h('p', null, t('city.report.recipient1')), h('p', null, t('city.report.recipient2')))));
  }

  load();
  return {
    root,
    draw: () => redraw(root, draw),
    destroy() {
      alive = false;
    },
  };
}
