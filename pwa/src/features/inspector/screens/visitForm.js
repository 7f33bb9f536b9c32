// Phiếu kiểm tra: drawn from the form JSON, validated live with the shared validator (the same
// messages as the server), GPS and up to 5 photos. Work is never lost: typed answers are kept
// as a draft on the phone until saveVisit() resolves, and a failed save leaves the form filled.
// The pieces are in ./visitForm/: fields, checks, draft, location, photos, notes, save.
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { toLocalInputValue } from '../../../shared/format.js';
import { buildFormModel, emptyValues, toValues } from '../../../shared/formModel.js';
import { marketBadge } from '../../../shared/marketClass.js';
import { readDraft } from '../drafts.js';
import * as visitStore from '../store.js';
import { canEdit } from '../visitModel.js';
import { createChecks, FUTURE_SLACK_MS } from './visitForm/checks.js';
import { createDraftKeeper } from './visitForm/draft.js';
import { createFieldRenderer, OBSERVED } from './visitForm/fields.js';
import { createLocationBox } from './visitForm/location.js';
import { formNotes } from './visitForm/notes.js';
import { createPhotoPicker, MAX_PHOTOS, nextPhotoKey } from './visitForm/photos.js';
import { createSaver } from './visitForm/save.js';

export { MAX_PHOTOS };

export default function visitFormScreen(ctx, { params, query }) {
  const { store } = ctx;
  const editId = params.id ?? null;
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  const state = {
    loading: true,
    problem: null, // i18n key of a reason the form cannot be shown
    form: null,
    market: null,
    place: '',
    visit: null,
    values: null,
    observed: '',
    touched: new Set(),
    submitted: false,
    errors: {},
    serverErrors: {},
    location: { status: 'idle', fix: null, errorKey: null },
    photos: [], // {key, data, url, existing}
    photoBusy: 0,
    photoNote: '',
    // Made once per form: saving twice (a double tap, a retry after an error) edits the same
    // visit instead of recording a second one.
    newId: !editId && typeof crypto !== 'undefined' && crypto.randomUUID ? crypto.randomUUID() : undefined,
    saving: false,
    saved: false,
    saveError: '',
    draftAt: null,
    dirty: false,
  };
  const refs = {};
  let destroyed = false;
  const draftKey = () => (editId ? `edit:${editId}` : `new:${state.market?.id ?? query.get('market')}`);
  const { answers, refresh, drawSummary } = createChecks({ ctx, state, refs });
  const { scheduleDraft, flushDraft, discardDraft } = createDraftKeeper({ state, draftKey, draw });

  // ------------------------------------------------------------ loading

  async function load() {
    try {
      const [form, places, visit, people] = await Promise.all([
        store.loadForm(),
        store.loadPlaces(),
        editId ? visitStore.getVisit(editId) : null,
        editId ? visitStore.people() : {},
      ]);
      if (destroyed) return;
      state.people = people;
      state.form = form;
      if (editId) {
        if (!visit) return fail('form.notFoundVisit');
        if (!canEdit(visit.state)) return fail('form.locked');
        state.visit = visit;
      }
      const marketId = String(visit ? visit.market_id : query.get('market') ?? '');
      const market = places.markets.find((m) => String(m.id) === marketId);
      if (!market && !visit) return fail('form.notFoundMarket');
      state.market = market ?? { id: marketId, name: marketId, market_class: 'unclassified' };
      const units = new Map(places.orgUnits.map((u) => [String(u.id), u]));
      state.place = units.get(String(state.market.org_unit_id))?.name ?? '';

      const draft = readDraft(draftKey());
      if (draft) {
        state.values = { ...emptyValues(form), ...draft.values };
        state.observed = draft.observed ?? '';
        if (draft.location) state.location = { status: 'ok', fix: draft.location, errorKey: null };
        state.draftAt = draft.savedAt ?? null;
        state.dirty = true;
      } else if (visit) {
        state.values = toValues(form, visit.answers);
        state.observed = toLocalInputValue(visit.observed_at);
        if (visit.location) state.location = { status: 'ok', fix: visit.location, errorKey: null };
      } else {
        state.values = emptyValues(form);
        state.observed = toLocalInputValue(new Date());
      }
      if (visit) {
        state.photos = visit.photos.map((p) => ({
          key: nextPhotoKey(),
          data: p.source,
          url: p.blob ? URL.createObjectURL(p.blob) : null,
          existing: true,
        }));
        if (visit.state === 'refused' && visit.error?.fields) state.serverErrors = visit.error.fields;
      }
      state.loading = false;
      draw();
      if (state.location.status !== 'ok') locate();
    } catch (err) {
      if (!destroyed) fail('form.loadFailed', String(err?.message ?? err));
    }
  }

  function fail(key, detail = '') {
    state.loading = false;
    state.problem = key;
    state.problemDetail = detail;
    draw();
  }

  // ------------------------------------------------------------ changes, location, photos, fields, saving

  function changed(name, { touch = true } = {}) {
    state.dirty = true;
    state.saveError = '';
    if (touch) state.touched.add(name);
    if (state.serverErrors[name]) {
      const { [name]: _gone, ...rest } = state.serverErrors;
      state.serverErrors = rest;
    }
    refresh();
    scheduleDraft();
  }

  const isDestroyed = () => destroyed;
  const { locate, drawLocation } = createLocationBox({ ctx, state, refs, isDestroyed, scheduleDraft });
  const { addFiles, drawPhotos } = createPhotoPicker({ ctx, state, refs, isDestroyed, flushDraft });
  const { fieldNode, errorBox, describedBy } = createFieldRenderer({ ctx, state, refs, changed });
  const { save, drawSaveState, enterMovesOn } = createSaver({ ctx, state, refs, root, editId, draftKey, answers, refresh, drawSummary });

  // ------------------------------------------------------------ drawing

  function draw() {
    const { t, lang } = ctx;
    Object.assign(refs, { fields: {}, errors: {}, counters: {} });
    const title = h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t(editId ? 'form.titleEdit' : 'form.title'));
    if (state.loading) {
      replaceChildren(root, title, h('p', { class: 'empty' }, t('form.loading')));
      return;
    }
    if (state.problem) {
      replaceChildren(root, title,
        h('div', { class: 'empty' },
          h('p', null, t(state.problem)),
          state.problemDetail ? h('p', { class: 'hint' }, state.problemDetail) : null,
          editId
            ? h('a', { class: 'btn btn--secondary', href: `/visits/${encodeURIComponent(editId)}` }, t('form.toDetail'))
            : h('a', { class: 'btn btn--secondary', href: '/markets' }, t('form.pickMarket'))));
      return;
    }
    const model = buildFormModel(state.form, lang);
    const visit = state.visit;

    refs.camera = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', onchange: (e) => addFiles(e.target) });
    refs.gallery = h('input', { type: 'file', accept: 'image/*', multiple: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', onchange: (e) => addFiles(e.target) });
    refs.location = h('div', { class: 'loc' });
    refs.photos = h('div', { class: 'photos' });
    refs.preview = h('p', { class: 'note', hidden: true, role: 'status' });
    refs.summary = h('div', { class: 'error-box', role: 'alert', tabindex: '-1', hidden: true });
    refs.save = h('button', { type: 'submit', class: 'btn btn--primary btn--block btn--big' });
    refs.saveStatus = h('p', { class: 'save-status', role: 'status' });

    const observedInput = h('input', {
      id: `f-${OBSERVED}`,
      type: 'datetime-local',
      class: 'input',
      value: state.observed,
      max: toLocalInputValue(new Date(Date.now() + FUTURE_SLACK_MS)),
      'aria-describedby': describedBy(OBSERVED),
      required: true,
      onchange: (e) => {
        state.observed = e.target.value;
        changed(OBSERVED);
      },
      oninput: (e) => {
        state.observed = e.target.value;
        changed(OBSERVED, { touch: false });
      },
    });
    refs.fields[OBSERVED] = [observedInput];

    replaceChildren(
      root,
      title,
      h('div', { class: 'market-card' },
        h('p', { class: 'market-card__name' }, icon('store'), h('span', null, state.market.name)),
        h('p', { class: 'market__meta' }, marketBadge(t, state.market.market_class), state.place ? h('span', { class: 'market__place' }, state.place) : null),
        editId ? null : h('a', { class: 'link', href: '/markets' }, t('form.changeMarket')),
      ),
      ...formNotes(t, visit, state, discardDraft),
      h('form', { class: 'form', novalidate: true, onsubmit: save, onkeydown: enterMovesOn },
        h('div', { class: 'field', id: `field-${OBSERVED}` },
          h('label', { class: 'field__label', htmlFor: `f-${OBSERVED}` }, t('form.observed'), h('span', { class: 'req' }, ` (${t('form.required')})`)),
          h('p', { id: `h-${OBSERVED}`, class: 'field__help' }, t('form.observedHelp')),
          observedInput,
          errorBox(OBSERVED)),
        model.map(fieldNode),
        h('section', { class: 'field', 'aria-labelledby': 'loc-title' },
          h('h3', { id: 'loc-title', class: 'field__label' }, t('geo.title')),
          refs.location),
        h('section', { class: 'field', 'aria-labelledby': 'photos-title' },
          h('h3', { id: 'photos-title', class: 'field__label' }, t('photos.title', { max: MAX_PHOTOS })),
          refs.camera, refs.gallery, refs.photos),
        refs.preview,
        refs.summary,
        refs.save,
        refs.saveStatus,
        h('p', { class: 'hint' }, t('form.offlineHint')),
      ),
    );
    drawLocation();
    drawPhotos();
    drawSaveState();
    refresh();
    drawSummary();
  }

  // ------------------------------------------------------------ lifecycle

  const onPageHide = () => flushDraft();
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') flushDraft();
  };
  const onBeforeUnload = (event) => {
    flushDraft();
    if (state.saving || (state.photos.some((p) => !p.existing) && !state.saved)) {
      event.preventDefault();
      event.returnValue = '';
    }
  };
  window.addEventListener('pagehide', onPageHide);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('beforeunload', onBeforeUnload);

  function canLeave() {
    if (state.saved || state.loading || state.problem) return true;
    flushDraft();
    if (state.saving) return window.confirm(ctx.t('form.leaveSaving'));
    if (state.photos.some((p) => !p.existing)) return window.confirm(ctx.t('form.leavePhotos'));
    return true;
  }

  function destroy() {
    destroyed = true;
    flushDraft();
    window.removeEventListener('pagehide', onPageHide);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('beforeunload', onBeforeUnload);
    for (const photo of state.photos) if (photo.url) URL.revokeObjectURL(photo.url);
  }

  draw();
  load();
  return { root, titleKey: editId ? 'form.titleEdit' : 'form.title', draw, canLeave, destroy };
}
