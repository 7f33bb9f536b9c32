// Phiếu kiểm tra: drawn from the form JSON, validated live with the shared validator (the same
// messages as the server), GPS and up to 5 photos. Work is never lost: typed answers are kept
// as a draft on the phone until saveVisit() resolves, and a failed save leaves the form filled.
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { formatNumber, formatWhen, parseLocalInputValue, toIsoWithOffset, toLocalInputValue } from '../../../shared/format.js';
import { buildFormModel, charCount, emptyValues, fieldErrors, previewCompliant, toAnswers, toValues } from '../../../shared/formModel.js';
import { canEdit } from '../visitModel.js';
import { marketBadge } from '../../../shared/marketClass.js';
import { clearDraft, readDraft, writeDraft } from '../drafts.js';
import { createFieldRenderer, OBSERVED } from './visitForm/fields.js';
import { createLocationBox } from './visitForm/location.js';
import { createPhotoPicker, MAX_PHOTOS, nextPhotoKey } from './visitForm/photos.js';
import * as visitStore from '../store.js';

export { MAX_PHOTOS };
const FUTURE_SLACK_MS = 5 * 60 * 1000;

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
  let draftTimer = 0;
  let destroyed = false;
  const draftKey = () => (editId ? `edit:${editId}` : `new:${state.market?.id ?? query.get('market')}`);

  // ------------------------------------------------------------ loading

  async function load() {
    try {
      const [form, places, visit] = await Promise.all([
        store.loadForm(),
        store.loadPlaces(),
        editId ? visitStore.getVisit(editId) : null,
      ]);
      if (destroyed) return;
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

  // ------------------------------------------------------------ validation

  function answers() {
    return toAnswers(state.form, state.values);
  }

  function observedError() {
    const { t } = ctx;
    const date = parseLocalInputValue(state.observed);
    if (!date) return [t('form.observed.required')];
    if (date.getTime() > Date.now() + FUTURE_SLACK_MS) return [t('form.observed.future')];
    return null;
  }

  function computeErrors() {
    const errs = fieldErrors(state.form, answers(), ctx.lang);
    const obs = observedError();
    if (obs) errs[OBSERVED] = obs;
    state.errors = errs;
    return errs;
  }

  const visible = (name) => state.submitted || state.touched.has(name);

  function refresh() {
    if (!state.form || !refs.fields) return;
    const errs = computeErrors();
    for (const name of [OBSERVED, ...state.form.fields.map((f) => f.name)]) {
      const box = refs.errors[name];
      if (!box) continue;
      const own = visible(name) ? errs[name] ?? [] : [];
      const server = state.serverErrors[name] ?? [];
      const messages = [...own, ...server.filter((m) => !own.includes(m))];
      replaceChildren(box, messages.length ? [icon('alert'), messages.join(' ')] : null);
      box.hidden = !messages.length;
      for (const input of refs.fields[name] ?? []) {
        if (messages.length) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      }
    }
    for (const [name, counter] of Object.entries(refs.counters)) {
      const spec = state.form.fields.find((f) => f.name === name);
      const n = charCount(state.values[name]);
      counter.textContent = spec.max_length
        ? ctx.t('form.counter', { count: formatNumber(n, ctx.lang), max: formatNumber(spec.max_length, ctx.lang) })
        : ctx.t('form.counterNoMax', { count: formatNumber(n, ctx.lang) });
      counter.classList.toggle('counter--over', !!spec.max_length && n > spec.max_length);
    }
    drawPreview();
    if (state.submitted) drawSummary();
  }

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

  // ------------------------------------------------------------ drafts

  function scheduleDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(flushDraft, 300);
  }

  function flushDraft() {
    clearTimeout(draftTimer);
    if (!state.dirty || state.saved || !state.values) return;
    writeDraft(draftKey(), {
      values: state.values,
      observed: state.observed,
      location: state.location.status === 'ok' ? state.location.fix : null,
      savedAt: new Date().toISOString(),
    });
  }

  function discardDraft() {
    clearDraft(draftKey());
    state.draftAt = null;
    state.dirty = false;
    state.touched.clear();
    state.submitted = false;
    state.serverErrors = {};
    state.values = state.visit ? toValues(state.form, state.visit.answers) : emptyValues(state.form);
    state.observed = toLocalInputValue(state.visit ? state.visit.observed_at : new Date());
    draw();
  }

  // ------------------------------------------------------------ location, photos, fields

  const isDestroyed = () => destroyed;
  const { locate, drawLocation } = createLocationBox({ ctx, state, refs, isDestroyed, scheduleDraft });
  const { addFiles, drawPhotos } = createPhotoPicker({ ctx, state, refs, isDestroyed, flushDraft });
  const { fieldNode, errorBox, describedBy } = createFieldRenderer({ ctx, state, refs, changed });

  // ------------------------------------------------------------ saving

  function drawPreview() {
    if (!refs.preview) return;
    const verdict = previewCompliant(state.form, answers());
    const n = answers()[state.form.compliant_when?.field];
    refs.preview.hidden = verdict === null || !!state.errors[state.form.compliant_when?.field];
    refs.preview.className = `note ${verdict ? 'note--ok' : 'note--warn'}`;
    replaceChildren(refs.preview, icon(verdict ? 'check' : 'alert'),
      h('span', null, verdict ? ctx.t('form.preview.ok') : ctx.t('form.preview.bad', { count: formatNumber(n ?? 0, ctx.lang) })));
  }

  function drawSummary() {
    const box = refs.summary;
    if (!box) return;
    // Only after a save attempt: refresh() keeps it current from then on (before that, draw()
    // would show the blank form's count, which nothing updates as the inspector fills it in).
    const count = state.submitted ? Object.keys(state.errors).length : 0;
    const text = state.saveError || (count ? ctx.t('form.fixErrors', { count }) : '');
    box.hidden = !text;
    replaceChildren(box, text ? [icon('alert'), h('span', null, text)] : null);
  }

  function drawSaveState() {
    if (!refs.save) return;
    refs.save.disabled = state.saving || state.saved;
    refs.save.textContent = ctx.t(state.saving ? 'form.saving' : editId ? 'form.saveEdit' : 'form.save');
    refs.saveStatus.textContent = state.saved ? ctx.t('form.saved') : state.saving ? ctx.t('form.saving') : '';
  }

  async function save(event) {
    event?.preventDefault();
    if (state.saving || state.saved) return;
    state.submitted = true;
    state.saveError = '';
    refresh();
    const names = Object.keys(state.errors);
    if (names.length) {
      drawSummary();
      focusField(names[0]);
      return;
    }
    if (state.photoBusy) {
      state.saveError = ctx.t('photos.wait');
      drawSummary();
      return;
    }
    state.saving = true;
    drawSaveState();
    const draft = {
      answers: answers(),
      observed_at: toIsoWithOffset(parseLocalInputValue(state.observed)),
      location: state.location.fix ?? null,
      photos: state.photos.map((p) => p.data),
    };
    try {
      let id = editId;
      if (editId) await visitStore.editVisit(editId, draft);
      else id = await visitStore.saveVisit({ id: state.newId, market_id: state.market.id, ...draft });
      // Durable from here on.
      state.saving = false;
      state.saved = true;
      clearDraft(draftKey());
      drawSaveState();
      ctx.flash(ctx.t(editId ? 'form.savedEdit' : 'form.savedNew', { market: state.market.name }), 'ok');
      ctx.afterSave(id);
      ctx.navigate('/visits', { replace: true, force: true });
    } catch (err) {
      state.saving = false;
      const fields = visitStore.invalidFields(err);
      if (store.isStorageFull(err)) state.saveError = ctx.t('form.storageFull');
      else if (fields) {
        state.serverErrors = Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]),
        );
        // Problems with no field on screen (photos, location, market) go into the summary.
        const shown = new Set([OBSERVED, ...state.form.fields.map((f) => f.name)]);
        const other = Object.entries(state.serverErrors).filter(([k]) => !shown.has(k)).flatMap(([, m]) => m);
        state.saveError = [ctx.t('form.invalid'), ...other].join(' ');
      } else state.saveError = ctx.t('form.saveFailed', { message: String(err?.message ?? err) });
      drawSaveState();
      refresh();
      drawSummary();
      refs.summary?.focus();
    }
  }

  // Enter in a one-line field goes to the next field instead of saving a half-filled form.
  function enterMovesOn(event) {
    const el = event.target;
    if (event.key !== 'Enter' || !(el instanceof HTMLInputElement) || el.type === 'submit') return;
    event.preventDefault();
    const fields = [...root.querySelectorAll('input:not([type=file]):not([type=radio]):not([type=checkbox]), textarea')];
    const next = fields[fields.indexOf(el) + 1];
    if (next) next.focus();
    else el.blur();
  }

  function focusField(name) {
    const el = refs.fields[name]?.[0];
    if (!el) return;
    el.focus();
    el.closest('.field')?.scrollIntoView({ block: 'center' });
  }

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
      visit?.state === 'returned' && visit.comment
        ? h('div', { class: 'note note--warn note--block' },
            h('p', { class: 'note__title' }, icon('undo'), t('visits.returnedBy')),
            h('blockquote', { class: 'quote' }, visit.comment))
        : null,
      visit?.state === 'refused'
        ? h('div', { class: 'note note--bad note--block' },
            h('p', { class: 'note__title' }, icon('alert'), t('visits.refusedTitle')),
            visit.error?.message ? h('p', null, visit.error.message) : null)
        : null,
      state.draftAt
        ? h('div', { class: 'note note--info note--block', role: 'status' },
            h('p', null, t('form.draftRestored', { when: formatWhen(state.draftAt) })),
            h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: discardDraft }, t('form.draftDiscard')))
        : null,
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
