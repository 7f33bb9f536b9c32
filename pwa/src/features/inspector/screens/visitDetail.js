// One visit, read-only: answers with their labels, time, place, photos, the review.
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { formatDistance, formatNumber, formatWhen } from '../../../shared/format.js';
import { buildFormModel } from '../../../shared/formModel.js';
import { distanceMeters } from '../geo.js';
import { stateChip, visitActions, visitNotes } from './visits.js';
import * as visitStore from '../store.js';

export default function visitDetailScreen(ctx, { params }) {
  const { store } = ctx;
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  const state = { loading: true, visit: null, market: null, form: null, people: {}, error: '' };
  const urls = [];
  let lastSignature = '';

  async function load() {
    try {
      const [visit, form, { markets }, people] = await Promise.all([visitStore.getVisit(params.id), store.loadForm(), store.loadPlaces(), visitStore.people()]);
      state.people = people;
      state.visit = visit;
      state.form = form;
      state.market = visit ? markets.find((m) => String(m.id) === String(visit.market_id)) ?? null : null;
    } catch (err) {
      state.error = String(err?.message ?? err);
    }
    state.loading = false;
    draw();
  }

  function answerText(field, value) {
    const { t, lang } = ctx;
    if (value === undefined || value === null || value === '') return t('detail.blank');
    if (field.kind === 'boolean') return t(value ? 'form.yes' : 'form.no');
    if (field.kind === 'integer') return typeof value === 'number' ? formatNumber(value, lang) : String(value);
    if (field.kind === 'choices') {
      if (!Array.isArray(value) || !value.length) return t('detail.blank');
      return value.map((v) => field.options.find((o) => o.value === v)?.label ?? v).join(', ');
    }
    return String(value);
  }

  function draw() {
    const { t, lang } = ctx;
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    const back = h('a', { class: 'link back', href: '/visits' }, icon('back'), t('detail.back'));
    const title = h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('detail.title'));
    if (state.loading) return replaceChildren(root, back, title, h('p', { class: 'empty' }, t('visits.loading')));
    const visit = state.visit;
    if (!visit) return replaceChildren(root, back, title, h('p', { class: 'empty' }, state.error || t('form.notFoundVisit')));

    const model = buildFormModel(state.form, lang);
    const distance = visit.location ? distanceMeters(visit.location, state.market) : null;
    const rows = [
      [t('form.observed'), formatWhen(visit.observed_at)],
      ...model.map((field) => [field.label, answerText(field, visit.answers[field.name])]),
      [
        t('geo.title'),
        visit.location
          ? [
              t('geo.accuracy', { accuracy: formatNumber(visit.location.accuracy_m ?? 0, lang) }),
              distance !== null ? t('geo.distance', { distance: formatDistance(distance, lang) }) : '',
            ].filter(Boolean).join(' · ')
          : t('detail.noLocation'),
      ],
    ];
    const photos = visit.photos.map((photo, i) => {
      if (!photo.blob) return h('li', { class: 'thumb' }, h('span', { class: 'thumb__img thumb__img--none' }, icon('image'), t('photos.stored')));
      const url = URL.createObjectURL(photo.blob);
      urls.push(url);
      return h('li', { class: 'thumb' }, h('img', { class: 'thumb__img', src: url, alt: t('photos.alt', { n: i + 1 }), width: '96', height: '96' }));
    });

    replaceChildren(
      root,
      back,
      title,
      h('div', { class: 'market-card' },
        h('p', { class: 'market-card__name' }, icon('store'), h('span', null, state.market?.name ?? t('visits.unknownMarket'))),
        h('p', null, stateChip(t, visit.state))),
      visitNotes(t, visit, state.people),
      visitActions(t, visit),
      h('dl', { class: 'answers' }, rows.map(([label, value]) => [h('dt', null, label), h('dd', null, value)])),
      h('h3', { class: 'list-title' }, t('photos.titleShort', { count: visit.photos.length })),
      photos.length ? h('ul', { class: 'thumbs' }, photos) : h('p', { class: 'hint' }, t('photos.none')),
    );
  }

  function onStatus(status) {
    const signature = `${status.syncing}|${status.lastSyncedAt}`;
    if (signature === lastSignature) return;
    lastSignature = signature;
    if (!status.syncing) load();
  }

  lastSignature = `${ctx.app.status.syncing}|${ctx.app.status.lastSyncedAt}`;
  draw();
  load();
  return {
    root,
    titleKey: 'detail.title',
    draw,
    onStatus,
    destroy: () => urls.splice(0).forEach((u) => URL.revokeObjectURL(u)),
  };
}
