// The form's draft: typed answers kept on the phone (drafts.js) until the save resolves.
import { toLocalInputValue } from '../../../../shared/format.js';
import { emptyValues, toValues } from '../../../../shared/formModel.js';
import { clearDraft, writeDraft } from '../../drafts.js';

/** → {scheduleDraft, flushDraft, discardDraft}; `draw` redraws the form after a discard. */
export function createDraftKeeper({ state, draftKey, draw }) {
  let draftTimer = 0;

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

  return { scheduleDraft, flushDraft, discardDraft };
}
