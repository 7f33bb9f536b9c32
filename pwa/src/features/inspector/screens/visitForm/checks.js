// The form's live checks: the answers as the shared validator sees them, field errors (the
// inspector's and the server's), character counters, the compliance preview and the summary.
import { h, icon, replaceChildren } from '../../../../shared/dom.js';
import { formatNumber, parseLocalInputValue } from '../../../../shared/format.js';
import { charCount, fieldErrors, previewCompliant, toAnswers } from '../../../../shared/formModel.js';
import { OBSERVED } from './fields.js';

/** How far in the future (phone clock) an observation time may be. */
export const FUTURE_SLACK_MS = 5 * 60 * 1000;

/** → {answers, refresh, drawSummary} working on the form's state.errors and refs. */
export function createChecks({ ctx, state, refs }) {
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

  return { answers, refresh, drawSummary };
}
