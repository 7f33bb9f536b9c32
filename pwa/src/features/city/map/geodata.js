// The boundaries the map draws (shared_schema/geo/hanoi-2025: Hanoi's 126 units from 1 July 2025 and the
// city's outline). Vite emits them as hashed files the service worker precaches (vite.config.js
// globPatterns has geojson), so the map draws offline; they are fetched once per page.
import cityUrl from '../../../../../shared_schema/geo/hanoi-2025/city.geojson?url';
import wardsUrl from '../../../../../shared_schema/geo/hanoi-2025/wards.geojson?url';

let pending = null;

async function fetchJson(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response.json();
}

/**
 * {units: Map(code → Feature), outline: Feature[]}; rejects when the files cannot be read
 * (offline before the service worker had them). A failure is not remembered: the next call
 * tries again.
 */
export function loadGeo() {
  if (!pending) {
    pending = Promise.all([fetchJson(wardsUrl), fetchJson(cityUrl)]).then(([wards, city]) => ({
      units: new Map((wards.features ?? []).map((f) => [String(f.properties?.code ?? f.id), f])),
      outline: city.features ?? [],
    }));
    pending.catch(() => { pending = null; });
  }
  return pending;
}
