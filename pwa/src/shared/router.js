// A tiny history router. Every screen has a real URL (/markets, /visits/ID, …); the server and
// the service worker answer any non-/api path with index.html. On a plain static server a
// "#/path" URL works too: it is rewritten to "/path" on start.

/** "/visits/:id/edit" → {re, keys}. */
export function compile(pattern) {
  const keys = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { re: new RegExp(`^${source}/?$`), keys };
}

/**
 * The first route whose pattern matches `pathname`, with decoded params; null when none does.
 * @param {{pattern: string}[]} routes
 */
export function matchRoute(routes, pathname) {
  for (const route of routes) {
    if (!route.compiled) route.compiled = compile(route.pattern);
    const m = route.compiled.re.exec(pathname);
    if (!m) continue;
    const params = {};
    route.compiled.keys.forEach((key, i) => {
      try {
        params[key] = decodeURIComponent(m[i + 1]);
      } catch {
        params[key] = m[i + 1];
      }
    });
    return { route, params };
  }
  return null;
}

/** "/visits?x=1" etc. from a same-origin href, or null for anything the router must not take. */
export function routablePath(href, origin) {
  let url;
  try {
    url = new URL(href, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || url.pathname === '/api' || url.pathname.startsWith('/api/')) return null;
  if (/\.[a-z0-9]+$/i.test(url.pathname)) return null; // a file, not a screen
  return url.pathname + url.search;
}

/**
 * @param {{onRoute: (loc: {pathname: string, query: URLSearchParams}) => void,
 *          canLeave?: () => boolean}} options
 */
export function startRouter({ onRoute, canLeave = () => true }) {
  const { location, history } = window;
  if (location.hash.startsWith('#/')) history.replaceState(null, '', location.hash.slice(1));

  const current = () => ({
    pathname: location.pathname,
    query: new URLSearchParams(location.search),
    href: location.pathname + location.search,
  });
  let shown = current().href;

  function navigate(path, { replace = false, force = false } = {}) {
    if (!force && !canLeave()) return false;
    if (replace) history.replaceState(null, '', path);
    else if (path !== location.pathname + location.search) history.pushState(null, '', path);
    shown = current().href;
    onRoute(current());
    return true;
  }

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.target || link.hasAttribute('download')) return;
    const path = routablePath(link.getAttribute('href'), location.origin);
    if (path === null) return;
    event.preventDefault();
    navigate(path);
  });

  window.addEventListener('popstate', () => {
    if (!canLeave()) {
      history.pushState(null, '', shown); // stay: put the screen we are on back
      return;
    }
    shown = current().href;
    onRoute(current());
  });

  // The first screen is shown once the caller holds the router (it may navigate at once).
  queueMicrotask(() => onRoute(current()));
  return { navigate, current };
}
