// The form's photos: take or choose up to MAX_PHOTOS, downscaled on the phone, removable.
import { h, icon, replaceChildren } from '../../../../shared/dom.js';
import * as visitStore from '../../store.js';

export const MAX_PHOTOS = 5;

let photoKeys = 0;
/** A key for a photo shown on the form (unique for the page's life). */
export const nextPhotoKey = () => ++photoKeys;

/** → {addFiles, drawPhotos} working on the form's `state.photos` and `refs.photos`. */
export function createPhotoPicker({ ctx, state, refs, isDestroyed, flushDraft }) {
  const { store } = ctx;

  async function addFiles(input) {
    const files = [...(input.files ?? [])];
    input.value = ''; // the same file may be chosen again later
    state.photoNote = '';
    const room = MAX_PHOTOS - state.photos.length - state.photoBusy;
    if (files.length > room) state.photoNote = ctx.t('photos.tooMany', { max: MAX_PHOTOS });
    for (const file of files.slice(0, Math.max(0, room))) {
      state.photoBusy += 1;
      drawPhotos();
      try {
        const prepared = await visitStore.preparePhoto(file);
        if (isDestroyed()) return;
        if (state.photos.some((p) => p.data?.sha256 && p.data.sha256 === prepared.sha256)) {
          state.photoNote = ctx.t('photos.duplicate');
        } else {
          state.photos.push({ key: nextPhotoKey(), data: prepared, url: URL.createObjectURL(prepared.blob), existing: false });
          state.dirty = true;
        }
      } catch (err) {
        state.photoNote = ctx.t(store.isStorageFull(err) ? 'photos.storageFull' : 'photos.failed');
      } finally {
        state.photoBusy -= 1;
      }
      drawPhotos();
    }
    drawPhotos();
  }

  function removePhoto(key) {
    const i = state.photos.findIndex((p) => p.key === key);
    if (i < 0) return;
    const [photo] = state.photos.splice(i, 1);
    if (photo.url) URL.revokeObjectURL(photo.url);
    state.dirty = true;
    state.photoNote = ctx.t('photos.removed');
    drawPhotos();
    refs.photoButtons?.querySelector('button')?.focus();
  }

  function drawPhotos() {
    const box = refs.photos;
    if (!box) return;
    const { t } = ctx;
    const full = state.photos.length + state.photoBusy >= MAX_PHOTOS;
    const pick = (which) => () => {
      flushDraft(); // the camera app may push this tab out of memory
      refs[which].click();
    };
    refs.photoButtons = h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn btn--secondary', disabled: full, onclick: pick('camera') }, icon('camera'), ' ', t('photos.take')),
      h('button', { type: 'button', class: 'btn btn--secondary', disabled: full, onclick: pick('gallery') }, icon('image'), ' ', t('photos.choose')),
    );
    replaceChildren(
      box,
      refs.photoButtons,
      h('p', { class: 'hint', role: 'status' },
        t('photos.count', { count: state.photos.length, max: MAX_PHOTOS }),
        state.photoBusy ? ` · ${t('photos.busy')}` : '',
        state.photoNote ? ` · ${state.photoNote}` : ''),
      state.photos.length
        ? h('ul', { class: 'thumbs' },
            state.photos.map((photo, i) =>
              h('li', { class: 'thumb' },
                photo.url
                  ? h('img', { class: 'thumb__img', src: photo.url, alt: t('photos.alt', { n: i + 1 }), width: '96', height: '96' })
                  : h('span', { class: 'thumb__img thumb__img--none' }, icon('image'), t('photos.stored')),
                h('button', {
                  type: 'button',
                  class: 'thumb__remove',
                  'aria-label': t('photos.remove', { n: i + 1 }),
                  onclick: () => removePhoto(photo.key),
                }, icon('cross')),
              ),
            ))
        : null,
    );
  }

  return { addFiles, drawPhotos };
}
