// The dashboard's actions: CSV/XLSX downloads (fetched with the token, saved under the server's
// file name) and "mark the period final", which asks first: a final snapshot never changes.
import { h, icon } from '../../../shared/dom.js';
import { hanoiToday } from '../../../shared/format.js';
import { downloadReport, failure, markFinal, saveBlob } from '../store.js';
import { periodLabel } from './format.js';

const FINAL_ROLES = ['city_officer', 'admin'];

export const canMarkFinal = (ctx) => FINAL_ROLES.includes(ctx.app.session?.user?.role);

function errorText(t, err) {
  const kind = failure(err);
  return kind === 'other' ? t('city.error.other', { message: String(err?.message ?? err) }) : t(`city.error.${kind}`);
}

/** A download button; `busy` is shown while the file comes. */
export function downloadButton(ctx, { period, orgUnit, unitCode, format }) {
  const { t } = ctx;
  const label = t(format === 'csv' ? 'city.download.csv' : 'city.download.xlsx');
  const button = h('button', { type: 'button', class: 'btn btn--ghost btn--small', dataset: { download: format } }, icon('download'), label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const { blob, filename } = await downloadReport({ period: period.id, orgUnit, unitCode, format });
      saveBlob(blob, filename);
      ctx.flash(t('city.download.done', { filename }), 'info');
    } catch (err) {
      ctx.flash(errorText(t, err), 'bad');
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/** "Chốt số liệu" for city officers and admins, when the period is still provisional. */
export function finalButton(ctx, { period, figures, onDone }) {
  const { t } = ctx;
  // A period not begun has nothing to settle (the server refuses it too: period_not_started).
  if (!canMarkFinal(ctx) || figures?.final || figures?.period?.start > hanoiToday()) return null;
  const button = h('button', { type: 'button', class: 'btn btn--warn btn--small', dataset: { action: 'final' } }, icon('lock'), t('city.final.button'));
  button.addEventListener('click', async () => {
    if (!window.confirm(t('city.final.confirm', { period: periodLabel(t, period) }))) return;
    button.disabled = true;
    try {
      await markFinal(period.id);
      ctx.flash(t('city.final.done', { period: periodLabel(t, period) }), 'info');
    } catch (err) {
      ctx.flash(err?.code === 'already_final' ? t('city.final.already') : errorText(t, err), err?.code === 'already_final' ? 'info' : 'bad');
    } finally {
      button.disabled = false;
      onDone?.();
    }
  });
  return button;
}
