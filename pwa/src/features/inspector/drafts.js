// Half-filled forms survive a killed tab, a dead battery or the camera app pushing the browser
// out of memory: the typed answers are kept in localStorage until saveVisit() resolves.
// (Photos are blobs; they live in the data layer only once the visit is saved.)

const PREFIX = 'cho-xanh.draft:';

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function readDraft(key) {
  try {
    const text = storage()?.getItem(PREFIX + key);
    const draft = text ? JSON.parse(text) : null;
    return draft && typeof draft === 'object' && draft.values ? draft : null;
  } catch {
    return null;
  }
}

export function writeDraft(key, draft) {
  try {
    storage()?.setItem(PREFIX + key, JSON.stringify(draft));
    return true;
  } catch {
    return false; // full or blocked: the form on screen still holds everything
  }
}

export function clearDraft(key) {
  try {
    storage()?.removeItem(PREFIX + key);
  } catch {
    /* nothing to clear */
  }
}

/** Ids of the markets with a new-visit draft waiting. */
export function draftMarketIds() {
  const ids = new Set();
  const s = storage();
  if (!s) return ids;
  try {
    for (let i = 0; i < s.length; i += 1) {
      const key = s.key(i);
      if (key && key.startsWith(`${PREFIX}new:`)) ids.add(key.slice(PREFIX.length + 4));
    }
  } catch {
    /* blocked */
  }
  return ids;
}
