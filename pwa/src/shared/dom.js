// A very small hyperscript. Text always goes in as Text nodes (never HTML); listeners are
// attached with addEventListener (the CSP forbids inline handlers); no style attributes.

const PROPS = new Set([
  'value', 'checked', 'disabled', 'hidden', 'htmlFor', 'id', 'type', 'name', 'multiple',
  'readOnly', 'required', 'tabIndex', 'accept', 'placeholder', 'autocomplete',
]);

export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/**
 * h('button', {class: 'btn', onclick: fn, 'aria-label': '…'}, 'Text', otherNode)
 * Attributes that are false/null/undefined are left out; `true` sets an empty attribute.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  return append(el, children);
}

/** Replaces every child of `el`. */
export function replaceChildren(el, ...children) {
  el.textContent = '';
  return append(el, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// 24×24 stroke icons (decorative: text always says the same thing).
const PATHS = {
  clock: ['M12 7v5l3 2', 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z'],
  upload: ['M12 16V4', 'M7 9l5-5 5 5', 'M5 20h14'],
  undo: ['M9 14L4 9l5-5', 'M4 9h11a5 5 0 0 1 0 10h-3'],
  check: ['M5 12.5l4.5 4.5L19 7'],
  cross: ['M6 6l12 12', 'M18 6L6 18'],
  alert: ['M12 3L2 20h20z', 'M12 10v4', 'M12 17.5v.5'],
  lock: ['M6 11h12v10H6z', 'M8.5 11V8a3.5 3.5 0 0 1 7 0v3'],
  pin: ['M12 21s-6.5-6-6.5-11a6.5 6.5 0 0 1 13 0c0 5-6.5 11-6.5 11z', 'M12 8a2 2 0 1 0 0 4a2 2 0 1 0 0-4z'],
  camera: ['M4 8h3l2-3h6l2 3h3v11H4z', 'M12 10a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z'],
  image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 3-3 4 4', 'M15.5 8.5h.01'],
  sync: ['M20 11a8 8 0 0 0-14.5-4.5L4 8', 'M4 4v4h4', 'M4 13a8 8 0 0 0 14.5 4.5L20 16', 'M20 20v-4h-4'],
  search: ['M10.5 4a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z', 'M15.5 15.5L20 20'],
  chevron: ['M9 5l7 7-7 7'],
  back: ['M15 5l-7 7 7 7'],
  store: ['M3 9l2-5h14l2 5', 'M3 9h18v2a3 3 0 0 1-6 0a3 3 0 0 1-6 0a3 3 0 0 1-6 0z', 'M5 13v7h14v-7'],
  list: ['M8 6h12', 'M8 12h12', 'M8 18h12', 'M4 6h.01', 'M4 12h.01', 'M4 18h.01'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13.5 6.5l4 4'],
  user: ['M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8z', 'M4 21a8 8 0 0 1 16 0'],
  users: ['M9 4a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z', 'M2.5 20a6.5 6.5 0 0 1 13 0', 'M16 4.5a3.5 3.5 0 0 1 0 6.5', 'M18 14a6.5 6.5 0 0 1 3.5 6'],
  inbox: ['M3 13l3-8h12l3 8', 'M3 13v6h18v-6', 'M3 13h5l1.5 2.5h5L16 13h5'],
  chart: ['M4 20V4', 'M4 20h16', 'M8 16v-5', 'M12 16V8', 'M16 16v-3'],
  device: ['M7 3h10v18H7z', 'M11 18h2'],
  map: ['M9 4L3 6v14l6-2 6 2 6-2V4l-6 2z', 'M9 4v14', 'M15 6v14'],
  target: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M12 7.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9z', 'M12 11.5h.01'],
  download: ['M12 4v12', 'M7 11l5 5 5-5', 'M5 20h14'],
  print: ['M7 9V3h10v6', 'M5 9h14v7H5z', 'M7 14h10v7H7z'],
  filter: ['M3 5h18l-7 8v6l-4 2v-8z'],
};

export function icon(name, extraClass = '') {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon ${extraClass}`.trim());
  for (const d of PATHS[name] ?? []) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

/** Runs `draw` (which rebuilds `root`) and puts focus back on the element with the same id. */
export function redraw(root, draw) {
  const active = document.activeElement;
  const id = active && active !== document.body && root.contains(active) ? active.id : '';
  draw();
  if (id) document.getElementById(id)?.focus({ preventScroll: true });
}

/** Hands a blob to the browser as a download named `filename` (the CSV/XLSX downloads, the
 * recovery codes); the object URL is released once the browser has taken it. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
