// Page entry: app state, routes, the sync bar, language, service worker. Each feature
// (../features/<name>/routes.js) tells its routes and tabs; its screens come with its index.js,
// a chunk of its own loaded on first use (loadFeature below), so a phone downloads only the
// screens of its user's role. The screens talk to the data layer through the feature's own
// store.js, and to the session, sync and reference data through ctx.store (../shared/store.js).
// Stylesheets: the shared ones and the shell's here; each feature's come with its chunk.
import '../shared/tokens.css';
import '../shared/base.css';
import './topbar.css';
import '../shared/statusBar.css';
import '../shared/layout.css';
import '../shared/forms.css';
import '../shared/notes.css';
import '../shared/visitCards.css';

import { t as translate } from '../shared/i18n.js';
import { h, icon, replaceChildren } from '../shared/dom.js';
import { createHealthProbe } from './health.js';
import { applyStatic, loadLang, saveLang } from './i18n-dom.js';
import { matchRoute, startRouter } from '../shared/router.js';
import { createStatusBar } from '../shared/statusBar.js';
import * as store from '../shared/store.js';
import { startServiceWorker } from './sw-register.js';
import { createPhoneExtras } from './phone.js';
import './shell.css';
import { ROUTES, TABS, homeFor, loadFeature, loaded, offlineState, prepareRole as prepareFeatures } from './features.js';
import * as account from '../features/account/routes.js';
import * as inspector from '../features/inspector/routes.js';

const allows = (route, role) => !route.roles || route.roles.includes(role);

const app = {
  lang: loadLang(),
  status: store.normalizeStatus({}),
  /** {user, token, expired} | null */
  session: null,
  storageLow: false,
  actionCount: 0,
  /** @type {'checking'|'ready'|'unsupported'|'error'} */
  offlineReady: 'checking',
  /** @type {null | (() => Promise<void>)} */
  applyUpdate: null,
  serverVersion: null,
  /** Did the server answer the last health check or sync? null: not known yet. */
  reachable: null,
  /** The browser refused persistent storage (and the inspector has not put the note away). */
  persistRefused: false,
  /** The signed-in role's screens cached for offline use: 'ready' (or none needed), 'checking', 'error'. */
  featuresOffline: 'ready',
};

const $ = (id) => document.getElementById(id);
let router = null;
let screen = null;
let routeName = '';
/** Counts show() calls: a screen whose chunk arrives late is drawn only if still wanted. */
let shown = 0;
let firstRoute = true;
let toastTimer = 0;
let toastFollow = null;

async function followToast() {
  const follow = toastFollow;
  if (!follow) return;
  const text = await follow().catch(() => null);
  if (!text || follow !== toastFollow) return;
  toastFollow = null;
  const toast = $('toast');
  toast.dataset.tone = 'ok';
  toast.textContent = text;
}

const ctx = {
  app,
  store,
  get lang() {
    return app.lang;
  },
  t: (key, params) => translate(app.lang, key, params),
  navigate: (path, options) => router?.navigate(path, options),
  homeFor,
  routeName: () => routeName,
  loginHref: () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`,
  /**
   * A short message. `follow` (optional): async () => newText | null, asked on every status
   * change while the toast shows, so a toast never says what is no longer true when read (a
   * "will be sent when online" becomes "sent" the moment the visit is sent).
   */
  flash(text, tone = 'info', { follow = null } = {}) {
    const toast = $('toast');
    toast.dataset.tone = tone;
    toast.textContent = text;
    toast.hidden = false;
    toastFollow = follow;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      toast.hidden = true;
      toastFollow = null;
    }, 6000);
  },
  /** Signs in (`otp`: the second factor's code when the server asked for it) → the user. */
  async login(username, password, otp) {
    const user = await store.login(username, password, otp);
    app.session = { user, token: null, expired: false, reason: null };
    app.status = { ...app.status, needsLogin: false, signedOutReason: null };
    phone.askPersistence();
    phone.loadDevice();
    store.startAutoSync();
    store.syncNow().catch(() => {}); // pull markets and push what waited; status shows the result
    prepareRole(user.role);
    renderChrome();
    return user;
  },
  /** The signed-in user's second factor changed ({enabled, required}): the gate follows. */
  async setTotp(totp) {
    if (!app.session || !totp) return;
    const user = (await store.setTotpState(totp).catch(() => null)) ?? { ...app.session.user, totp };
    app.session = { ...app.session, user };
    renderChrome();
  },
  mustEnrol: () => account.mustEnrol(app.session?.user),
  async logout() {
    const pending = app.status.pending;
    if (!window.confirm(ctx.t(pending > 0 ? 'logout.confirmPending' : 'logout.confirm', { count: pending }))) return;
    try {
      await store.logout();
    } catch {
      /* signed out on the phone anyway; the server token expires on its own */
    }
    app.session = null;
    renderChrome();
    ctx.navigate('/login', { replace: true, force: true });
  },
  async syncNow() {
    if (!app.session) {
      ctx.flash(ctx.t('sync.loginFirst'), 'warn');
      return;
    }
    if (app.session.expired || app.status.needsLogin) {
      ctx.navigate(ctx.loginHref());
      return;
    }
    if (!app.status.online) {
      ctx.flash(ctx.t('sync.offlineFlash'), 'warn');
      return;
    }
    try {
      await store.syncNow();
      if (app.status.lastErrorCode === 'network_error') ctx.flash(ctx.t('sync.unreachableFlash'), 'warn');
    } catch (err) {
      ctx.flash(ctx.t('sync.error', { message: String(err?.message ?? err).replace(/[.\s]+$/, '') }), 'bad');
    }
  },
  afterSave() {
    // The data layer queues the push itself (and sends it at once when online).
    phone.askPersistence();
    refreshStorage();
    refreshActionCount();
  },
  applyUpdate() {
    // Updating reloads the page: typed answers are kept as a draft, new photos would be lost.
    if (screen?.canLeave && !screen.canLeave()) return;
    app.applyUpdate?.();
  },
};

// ------------------------------------------------------------------ chrome

let statusBar = null;
/** Device name, installation, persistent storage, the help contact (./phone.js). */
let phone = null;

function renderChrome() {
  const { lang } = app;
  applyStatic(lang);
  for (const btn of document.querySelectorAll('[data-lang]')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang));
  }
  const ready = $('offline-ready');
  const offline = offlineState(app);
  ready.dataset.state = offline;
  ready.textContent = ctx.t(`sw.${offline}`);
  const server = $('server-version');
  server.hidden = !app.serverVersion;
  server.textContent = app.serverVersion ? ctx.t('server.version', { version: app.serverVersion }) : '';

  const route = ROUTES.find((r) => r.name === routeName);
  const tabs = $('tabs');
  const role = app.session?.user?.role;
  // A tab shows once its feature is loaded (prepareRole): its label is among the feature's strings.
  const mine = TABS.filter((tab) => tab.roles.includes(role) && loaded.has(tab.feature.name));
  tabs.hidden = !app.session || routeName === 'login' || mine.length === 0 || ctx.mustEnrol();
  const accountLink = $('account-link');
  if (accountLink) {
    accountLink.hidden = !app.session || app.session.expired;
    accountLink.title = ctx.t('account.nav');
    if (routeName === 'account') accountLink.setAttribute('aria-current', 'page');
    else accountLink.removeAttribute('aria-current');
    replaceChildren(accountLink, icon('user'), h('span', { class: 'account-link__name' },
      app.session?.user?.display_name || app.session?.user?.username || ctx.t('account.nav')));
  }
  const footerLink = $('account-footer-link');
  if (footerLink) {
    footerLink.hidden = !app.session || app.session.expired;
    footerLink.textContent = ctx.t('account.footer');
  }
  document.body.classList.toggle('has-tabs', !tabs.hidden);
  replaceChildren(
    $('tabs-links'),
    mine.map((tab) =>
      h(
        'a',
        { class: 'tabs__link', href: tab.href, dataset: { tab: tab.tab }, 'aria-current': route?.tab === tab.tab ? 'page' : null },
        icon(tab.icon),
        h('span', null, ctx.t(tab.labelKey)),
        tab.badge && app.actionCount > 0
          ? h('span', { class: 'tabs__badge', 'aria-label': ctx.t('nav.badge', { count: app.actionCount }) }, String(app.actionCount))
          : null,
      ),
    ),
  );

  statusBar?.update();
  phone?.drawNotes();
  // document.title stays "Chợ Xanh" (tests/e2e/test_pwa_shell.py holds it); moving focus to each
  // screen's <h2> is what announces the screen to a screen reader.
}

// ------------------------------------------------------------------ routes

function show(loc) {
  const match = matchRoute(ROUTES, loc.pathname);
  const home = app.session ? homeFor(app.session.user?.role) : '/login';
  if (!match || match.route.name === 'home') {
    router.navigate(home, { replace: true, force: true });
    return;
  }
  const { route, params } = match;
  if (!route.public && !app.session) {
    router.navigate(`/login?next=${encodeURIComponent(loc.href)}`, { replace: true, force: true });
    return;
  }
  if (!route.public && !allows(route, app.session.user?.role)) {
    router.navigate(home, { replace: true, force: true }); // another role's screen
    return;
  }
  if (!route.public && route.name !== 'account' && account.mustEnrol(app.session.user)) {
    // The server answers 403 totp_enrolment_required elsewhere until this user has a second factor.
    router.navigate(account.ACCOUNT_PATH, { replace: true, force: true });
    return;
  }
  const token = ++shown;
  const mod = route.feature ? loaded.get(route.feature.name) : null;
  if (route.feature && !mod) {
    // The screen's chunk first (from the service worker's cache offline), then the screen,
    // unless the user went elsewhere meanwhile.
    loadFeature(route.feature).then(
      () => token === shown && show(loc),
      () => token === shown && showUnavailable(loc),
    );
    return;
  }
  screen?.destroy?.();
  routeName = route.name;
  screen = (route.screen ?? mod.screens[route.name])(ctx, { params, query: loc.query });
  const host = $('app');
  replaceChildren(host, screen.root);
  renderChrome();
  if (!firstRoute) {
    window.scrollTo(0, 0);
    (screen.root.querySelector('h2') ?? host).focus({ preventScroll: true });
  }
  firstRoute = false;
}

/** A screen whose chunk could not be loaded: no network, and not cached on this phone yet. */
function showUnavailable(loc) {
  screen?.destroy?.();
  screen = null;
  const retry = h('button', { type: 'button', class: 'btn btn--primary', onclick: () => show(loc) }, ctx.t('app.retry'));
  replaceChildren($('app'), h('section', { class: 'screen' },
    h('p', { class: 'banner banner--bad', role: 'alert' }, ctx.t('app.screenUnavailable')), retry));
}

/** Loads the role's screens (their tabs show then) and has the worker keep them offline. */
const prepareRole = (role) => prepareFeatures(role, app, renderChrome);

// ------------------------------------------------------------------ background facts

async function refreshStorage() {
  const estimate = await store.storageEstimate();
  if (estimate.low !== app.storageLow) {
    app.storageLow = estimate.low;
    renderChrome();
  }
}

async function refreshActionCount() {
  // The badge counts an inspector's visits that need them; officers hold thousands of others'.
  if (app.session?.user?.role !== 'inspector') return;
  try {
    const count = await (await loadFeature(inspector)).actionCount();
    if (count !== app.actionCount) {
      app.actionCount = count;
      renderChrome();
    }
  } catch {
    /* the list screen reports errors itself */
  }
}

function setReachable(value) {
  if (app.reachable === value) return;
  app.reachable = value;
  statusBar?.update();
}

const refreshHealth = createHealthProbe({
  onReachable: setReachable,
  onHealth(health) {
    app.serverVersion = health.version;
    phone.rememberSupport(health.support_contact);
    renderChrome();
    screen?.onHealth?.(health);
  },
});

function onStatus(status) {
  const before = app.status;
  app.status = status;
  if (before.syncing && !status.syncing && status.lastErrorCode === 'totp_enrolment_required'
      && app.session && !ctx.mustEnrol()) {
    // The role was made to need two-step verification while this user was signed in. Only when
    // a sync ends with that answer: the error stays in the status until the next sync, and
    // acting on every status change sent a just-enrolled user back to /account over and over.
    ctx.setTotp({ enabled: false, required: true }).then(() => ctx.navigate(account.ACCOUNT_PATH, { replace: true }));
  }
  if (status.needsLogin && app.session) {
    app.session = { ...app.session, expired: true, reason: status.signedOutReason ?? app.session.reason ?? null };
  }
  // A sync's outcome is news about the server too: an answer, or none at all.
  if (before.syncing && !status.syncing) {
    if (status.lastErrorCode === 'network_error') {
      setReachable(false);
      refreshHealth();
    } else if (status.online) setReachable(true);
  }
  statusBar.update();
  screen?.onStatus?.(status);
  followToast();
  if (before.syncing && !status.syncing) {
    refreshActionCount();
    refreshStorage();
  }
}

async function init() {
  for (const btn of document.querySelectorAll('[data-lang]')) {
    btn.addEventListener('click', () => {
      app.lang = btn.dataset.lang;
      saveLang(app.lang);
      renderChrome();
      screen?.draw?.();
    });
  }
  window.addEventListener('online', () => {
    onStatus({ ...app.status, online: true });
    refreshHealth();
  });
  window.addEventListener('offline', () => onStatus({ ...app.status, online: false }));

  phone = createPhoneExtras(ctx, () => statusBar?.refreshDetails(), $('phone-notes'));
  statusBar = createStatusBar($('syncbar'), ctx);
  app.session = await store.session();
  store.subscribe(onStatus);
  if (app.session) {
    store.startAutoSync();
    phone.loadDevice();
    if (!app.session.expired) phone.askPersistence();
    prepareRole(app.session.user?.role);
  }

  router = startRouter({ onRoute: show, canLeave: () => (screen?.canLeave ? screen.canLeave() : true) });

  startServiceWorker(
    (offlineReady) => {
      // 'ready' is final for this page; a late 'checking' must not overwrite it.
      if (app.offlineReady !== 'ready') {
        app.offlineReady = offlineReady;
        renderChrome();
      }
    },
    (applyUpdate) => {
      app.applyUpdate = applyUpdate;
      renderChrome();
    },
  );
  refreshHealth();
  refreshStorage();
  refreshActionCount();
}

init();
