// Saving the form: checks first, then one durable save (or edit) through the inspector's store;
// a failed save keeps the form filled and says why. Also the keyboard: Enter moves on.
import { parseLocalInputValue, toIsoWithOffset } from '../../../../shared/format.js';
import { clearDraft } from '../../drafts.js';
import * as visitStore from '../../store.js';
import { OBSERVED } from './fields.js';

/** → {save, drawSaveState, enterMovesOn}. */
export function createSaver({ ctx, state, refs, root, editId, draftKey, answers, refresh, drawSummary }) {
  const { store } = ctx;

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
      focusFirst(names);
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
      const market = state.market.name;
      // The toast follows the visit: once it is sent it no longer says "will be sent".
      const follow = async () => {
        const visit = await visitStore.getVisit(id);
        return visit && visit.state !== 'pending' && visit.state !== 'refused' && visit.state !== 'conflict'
          ? ctx.t('form.sentNow', { market })
          : null;
      };
      ctx.flash(ctx.t(editId ? 'form.savedEdit' : 'form.savedNew', { market }), 'ok', { follow });
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

  // The error highest on the page, whatever order the checks found them in: the inspector
  // fixes the form top to bottom, and an error above the focused one would be out of sight.
  function focusFirst(names) {
    const els = names.map((name) => refs.fields[name]?.[0]).filter(Boolean);
    if (!els.length) return;
    const el = els.reduce((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_PRECEDING ? b : a));
    el.focus();
    el.closest('.field')?.scrollIntoView({ block: 'center' });
  }

  return { save, drawSaveState, enterMovesOn };
}
