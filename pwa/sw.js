/* Practica's service worker. `practica build` fills in VERSION and PRECACHE (each file of the app shell
 * with a hash of its content), so a rebuild changes this file exactly when something changed, and a new
 * version downloads only the files whose hash changed.
 *
 * Pages (navigations, and the fetches Material's instant navigation makes): network first with a short
 * timeout, then the copy saved on this device (marked "offline copy from …"), then the offline page.
 * Images: cache first, with a cap on entries. Search (Pagefind's files under pagefind/): index chunks and
 * page fragments, whose names carry a content hash, cache first as searches fetch them; the entry file, which
 * Pagefind asks for with a cache-busting query, and each skill's ranking of experts (search/experts/), network
 * first with the saved copy offline. The JSON feeds:
 * network first, the last copy offline. The community service's answers about the reader (/auth, /me): network
 * first, the last copy for that reader offline, gone as soon as the service says it is (see that section). Old
 * caches are removed when a new version activates.
 */
"use strict";

const VERSION = "__PRACTICA_VERSION__";
const PRECACHE = __PRACTICA_PRECACHE__;
const SERVICE = "__PRACTICA_SERVICE__";   // the community service's API (extra.practica.push_url), or empty
const NETWORK_TIMEOUT_MS = 3000;
const MAX_IMAGES = 300;
const MAX_PAGES = 500;
const MAX_SEARCH_FILES = 2000;

const MAX_FEEDS = 100;
const REVISION = "x-practica-revision";

const scope = self.registration.scope;
const at = (path) => new URL(path, scope).href;

/* The names the pages use too (assets/practica/shared.js), at this version's revision of that file. */
const SHARED = "assets/practica/shared.js";
importScripts(at(SHARED) + "?" + new Map(PRECACHE).get(SHARED));
const { caches: CACHES, urls: URLS, endpoints: ENDPOINTS, base64urlBytes } = self.practica;
const CACHED_AT = self.practica.headers.savedAt;
const SHELL = CACHES.shell + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(CACHES.shell) && n !== SHELL)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
    await rememberOpenPages();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") self.skipWaiting();
  if (data.type === "VERSION" && event.ports[0]) event.ports[0].postMessage({ version: VERSION });
});

/* Copy unchanged files from the previous version's cache; fetch only what changed. */
async function precache() {
  const shell = await caches.open(SHELL);
  const previous = (await caches.keys()).filter((n) => n.startsWith(CACHES.shell) && n !== SHELL);
  await Promise.all(PRECACHE.map(async ([path, revision]) => {
    const url = at(path);
    for (const name of previous) {
      const old = await (await caches.open(name)).match(url);
      if (old && old.headers.get(REVISION) === revision) {
        await shell.put(url, old);
        return;
      }
    }
    const response = await fetch(url, { cache: "reload", credentials: "same-origin" });
    if (!response.ok) throw new Error("precache " + url + ": HTTP " + response.status);
    await shell.put(url, await stamped(response, { [REVISION]: revision }));
  }));
}

/* The page the reader was on when the worker first installed was fetched before it: keep it too. */
async function rememberOpenPages() {
  const windows = await self.clients.matchAll({ type: "window" });
  await Promise.all(windows.map(async (client) => {
    try {
      const response = await fetch(client.url, { credentials: "same-origin" });
      if (response.ok) await putPage(client.url, response);
    } catch { /* offline already: nothing to remember */ }
  }));
}

async function stamped(response, headers) {
  const copy = new Headers(response.headers);
  for (const [name, value] of Object.entries(headers)) copy.set(name, value);
  const body = await response.blob();
  return new Response(body, { status: response.status, statusText: response.statusText, headers: copy });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (SERVICE && request.url.startsWith(SERVICE + "/")) {
    serviceRequest(event);
    return;
  }
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !request.url.startsWith(scope)) return;
  if (url.pathname.includes("/livereload/") || request.headers.has("range")) return;
  if (url.pathname.startsWith(new URL(URLS.pagefind, scope).pathname) || url.pathname.startsWith(new URL(URLS.experts, scope).pathname)) {
    event.respondWith(searchFile(request, url));
  } else if (isPage(request, url)) {
    event.respondWith(page(request, event));
  } else if (url.pathname.endsWith("/feed.json") || url.pathname.endsWith(".ics")
             || url.pathname.startsWith(new URL(URLS.mePeople, scope).pathname)) {
    // Feeds and calendar files (events.ics, events/<id>.ics): fresh when online, the last copy offline.
    event.respondWith(feed(request));
  } else if (request.destination === "image" || /\.(png|jpe?g|webp|gif|svg|avif)$/i.test(url.pathname)) {
    event.respondWith(image(request));
  } else {
    event.respondWith(asset(request));
  }
});

function isPage(request, url) {
  if (request.mode === "navigate") return true;
  const path = url.pathname;
  return request.destination === "" && (path.endsWith("/") || path.endsWith(".html"));
}

function pageKey(url) {
  const u = new URL(url);
  u.search = "";
  u.hash = "";
  if (u.pathname.endsWith("/index.html")) u.pathname = u.pathname.slice(0, -"index.html".length);
  return u.href;
}

async function page(request, event) {
  const key = pageKey(request.url);
  const network = fetch(request).then((response) => {
    if (response.ok && (response.headers.get("content-type") || "").includes("text/html")) {
      event.waitUntil(putPage(key, response.clone()));
    }
    return response;
  });
  network.catch(() => undefined); // a late failure after the cache answered is not an error
  try {
    return await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch {   // slow or offline
    const cached = await caches.match(key, { ignoreSearch: true });
    if (cached) return markOffline(cached);
    try {
      return await network; // slow, but nothing saved to fall back on: keep waiting
    } catch {   // offline
      const fallback = await caches.match(at(URLS.offline));
      if (fallback) return fallback;
      return new Response("You are offline and this page has not been saved.", {
        status: 503, headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
  }
}

async function putPage(key, response) {
  const cache = await caches.open(CACHES.pages);
  await cache.put(pageKey(key), await stamped(response, { [CACHED_AT]: new Date().toISOString() }));
  await trim(cache, MAX_PAGES);
}

/* A page from the cache says so, discreetly, at the top of its content. */
async function markOffline(response) {
  const when = response.headers.get(CACHED_AT) || response.headers.get("date");
  const html = await response.text();
  const date = when ? new Date(when) : null;
  const label = date && !isNaN(date) ? date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" }) : "earlier";
  const note = '<p class="pr-offline-copy" role="note">Offline copy from ' + label + "</p>";
  const marked = html.replace(/(<article class="md-content__inner[^"]*"[^>]*>)/, "$1" + note);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(marked, { status: 200, headers });
}

async function image(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(CACHES.images);
      await cache.put(request, response.clone());
      await trim(cache, MAX_IMAGES);
    }
    return response;
  } catch {
    return new Response("", { status: 504 });
  }
}

async function searchFile(request, url) {
  if (url.pathname.endsWith(".json")) {  // not content-hashed: fresh first
    try {
      const response = await fetch(request);
      if (response.ok) await (await caches.open(CACHES.search)).put(url.origin + url.pathname, response.clone());
      return response;
    } catch (offline) {
      const saved = await caches.match(url.origin + url.pathname, { ignoreSearch: true });
      if (saved) return saved;
      throw offline;
    }
  }
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHES.search);
    await cache.put(request, response.clone());
    await trim(cache, MAX_SEARCH_FILES);
  }
  return response;
}

/* The site's JSON feeds (the home page reads the followed communities') and the header's card of the signed-in
 * person (me/people/): network first, the last copy offline. */
async function feed(request) {
  const cache = await caches.open(CACHES.feeds);
  const key = pageKey(request.url);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok) {
      await cache.put(key, response.clone());
      await trim(cache, MAX_FEEDS);
    }
    return response;
  } catch (error) {
    const saved = await cache.match(key);
    if (saved) return saved;
    throw error;
  }
}

async function asset(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  return fetch(request);
}

async function trim(cache, max) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - max; i += 1) await cache.delete(keys[i]);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

/* ======================================================================================================
 * The community service. What it says about the reader (GET /auth, GET /me) and the discussions they read
 * (GET /threads) is kept so "You and your data", the header and a saved page's discussion work offline, and
 * only as long as the service would say the same: a 401/403/404/410 deletes the copy, a successful DELETE /me (erase) deletes every copy, and so does choosing another demo person or
 * stopping being one (me.js). A copy is kept per identity the request names (the demo person's header), so one
 * person's copy is never shown to another on a shared device; behind an SSO proxy the identity is a cookie this
 * worker cannot read, so a fresh /auth naming another reader (or nobody) deletes the copies first.
 * ====================================================================================================== */
const SERVICE_COPIES = [ENDPOINTS.auth, ENDPOINTS.me, ENDPOINTS.thanks];   // thanks: public counts (learning.js)
const DISCUSSION = new RegExp("^" + ENDPOINTS.threads + "(/\\d+)?$");   // a discussion or board, as this reader reads it
const GONE = [401, 403, 404, 410];

function serviceRequest(event) {
  const request = event.request;
  const path = new URL(request.url).pathname.slice(new URL(SERVICE).pathname.replace(/\/$/, "").length);
  const copied = SERVICE_COPIES.includes(path) || DISCUSSION.test(path);
  if (request.method === "GET" && copied) event.respondWith(serviceAnswer(request, path));
  else if (request.method === "DELETE" && path === ENDPOINTS.me) event.respondWith(erase(request));
}

/* The key of a kept answer: its URL (with its query: which discussion) and whom it is about. */
function serviceKey(request, path) {
  const key = new URL(SERVICE + path);
  key.search = new URL(request.url).search;
  key.searchParams.set("as", request.headers.get(self.practica.demoHeader) || "");
  return key.href;
}

async function serviceAnswer(request, path) {
  const cache = await caches.open(CACHES.service);
  const key = serviceKey(request, path);
  const network = fetch(request);
  network.catch(() => undefined); // a late failure after the saved copy answered is not an error
  let response;
  try {
    response = await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch {   // slow or offline
    const saved = await cache.match(key);
    return saved || network;
  }
  if (GONE.includes(response.status)) {
    await cache.delete(key);
  } else if (response.ok) {
    if (path === ENDPOINTS.auth) await forgetOtherReader(cache, request, response.clone());
    await cache.put(key, await kept(response.clone()));
  } else if (response.status >= 500) {   // the service is failing: what it said last is still the best answer
    const saved = await cache.match(key);
    if (saved) return saved;
  }
  return response;
}

/* A copy that reads like the original, with the time it was saved. A constructed response, so the page can read
 * that header (a cross-origin answer shows only the headers the service exposes). */
async function kept(response) {
  const copy = await stamped(response, { [CACHED_AT]: new Date().toISOString() });
  copy.headers.delete("vary");   // keyed by URL and identity, not by the Origin the service varies on
  return copy;
}

/* When the service now names another reader (or nobody) for this identity, its copies about the last one go. */
async function forgetOtherReader(cache, request, fresh) {
  const key = serviceKey(request, ENDPOINTS.auth);
  const before = await cache.match(key);
  if (!before) return;
  const who = (answer) => JSON.stringify(answer && answer.reader ? [answer.reader.email, answer.reader.name,
    answer.reader.person] : null);
  try {
    if (who(await before.json()) === who(await fresh.json())) return;
  } catch { /* unreadable: forget it */ }
  const as = new URL(key).searchParams.get("as");
  const theirs = (await cache.keys()).filter((saved) => new URL(saved.url).searchParams.get("as") === as);
  await Promise.all(theirs.map((saved) => cache.delete(saved)));
}

async function erase(request) {
  const response = await fetch(request);
  if (response.ok) await caches.delete(CACHES.service);
  return response;
}

/* ======================================================================================================
 * Push notifications. Every push shows a notification (a push that shows none costs the site its permission
 * on some browsers), with the payload's tag and without `renotify`: a resend of the same notification (same
 * tag, practica-<row id>) silently replaces the one shown, so the reader never sees it twice.
 * ====================================================================================================== */
self.addEventListener("push", (event) => {
  event.waitUntil(showPush(event.data));
});

function pushPayload(data) {
  try {
    const parsed = data ? data.json() : null;
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};   // unreadable: still show something
  }
}

function showPush(data) {
  const payload = pushPayload(data);
  const text = (value) => (typeof value === "string" && value.trim() ? value : null);
  const options = {
    body: text(payload.body) || "Something new was published. Tap to see what's new.",
    icon: text(payload.icon) || at("assets/icons/icon-192.png"),
    data: { url: openable(payload.url) },
  };
  if (text(payload.tag)) options.tag = payload.tag;
  return self.registration.showNotification(text(payload.title) || "New on the site", options);
}

/* Only pages of this site are opened; anything else opens the home page. */
function openable(url) {
  if (typeof url !== "string" || !url) return scope;
  try {
    const target = new URL(url, scope);
    if (target.href.startsWith(scope)) return target.href;
  } catch { /* not a URL */ }
  return scope;
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openNotification(event.notification));
});

/* A tab already on that page is focused; else a tab of this site goes there; else a new window opens.
 * Returns what it did (the browser test reads it). */
async function openNotification(notification) {
  const url = openable(notification.data && notification.data.url);
  const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = tabs.find((tab) => pageKey(tab.url) === pageKey(url));
  if (open) {
    await focus(open);
    return "focused";
  }
  const ours = tabs.find((tab) => tab.url.startsWith(scope) && "navigate" in tab);
  if (ours) {
    try {
      const moved = await ours.navigate(url);   // works only for a tab this worker controls
      if (moved) {
        await focus(moved);
        return "navigated";
      }
    } catch { /* not controlled by this worker: open a window instead */ }
  }
  await self.clients.openWindow(url);
  return "opened";
}

async function focus(tab) {
  try {
    await tab.focus();
  } catch { /* focusing needs the click's user activation; the page is right either way */ }
}

/* The browser replaced the subscription (or dropped it): subscribe again and tell the service, which knows
 * the old one by id and auth secret, kept where this worker can read them. */
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(resubscribe(event.oldSubscription, event.newSubscription));
});

async function resubscribe(oldSubscription, newSubscription) {
  const cache = await caches.open(CACHES.push);
  const stored = await cache.match(at(URLS.pushState));
  const saved = stored ? await stored.json() : null;
  if (!saved || !saved.api) return "nothing to renew";
  let subscription = newSubscription;
  if (!subscription) {
    const response = await fetch(saved.api + ENDPOINTS.vapidPublicKey, { credentials: "omit" });
    const key = (await response.json()).public_key;
    subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true,
      applicationServerKey: base64urlBytes(key) });
  }
  const json = subscription.toJSON();
  const created = await fetch(saved.api + ENDPOINTS.subscriptions, { method: "POST", credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({}, json, { preferences: saved.preferences || {} })) });
  if (!created.ok) throw new Error("the push service refused the renewed subscription: HTTP " + created.status);
  const view = await created.json();
  if (saved.id && saved.id !== view.id) {
    await fetch(saved.api + ENDPOINTS.subscriptions + "/" + saved.id, { method: "DELETE", credentials: "omit",
      headers: { Authorization: "Bearer " + saved.auth } }).catch(() => undefined);
  }
  const next = Object.assign({}, saved, { id: view.id, auth: json.keys.auth, endpoint: json.endpoint,
    preferences: view.preferences });
  await cache.put(at(URLS.pushState), new Response(JSON.stringify(next), { headers: { "content-type": "application/json" } }));
  return view.id;
}
