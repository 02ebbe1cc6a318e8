/* Practica notifications: the bell, one-tap "Follow" buttons, and what notifications.js and feedback.js share.
 *
 * The push service's API is named by <meta name="practica:push">; without it nothing here talks to anything,
 * follow buttons stay hidden and the settings page says notifications are not set up. What this device
 * holds (the subscription's id, and its auth secret, which is the proof the service asks for) is kept with
 * the Cache API rather than localStorage: the service worker needs it too, when the browser renews the
 * subscription (pushsubscriptionchange in sw.js), and workers cannot read localStorage.
 */
(() => {
  "use strict";

  const { caches: CACHES, urls: URLS, endpoints: ENDPOINTS } = practica;
  const tr = practica.tr;   // shared.js: an interface string in the page's language
  const onPage = practica.onPage || ((fn) => fn());
  const meta = document.querySelector('meta[name="practica:push"]');
  const API = meta && meta.content ? meta.content.replace(/\/+$/, "") : null;
  const ROOT = practica.siteRoot();   // read once: instant navigation changes location but keeps the page's config

  /* The bell sits in the header, which instant navigation keeps: make its link absolute while it is right. */
  document.querySelectorAll("a.pr-bell").forEach((link) => link.setAttribute("href", link.href));

  /* ---------- What this device holds: {api, id, auth, endpoint, preferences} (the worker reads it too) ---------- */
  function stateKey() { return new URL(URLS.pushState, ROOT).href; }

  function readState() {
    if (!window.caches) return Promise.resolve(null);
    return caches.open(CACHES.push).then((cache) => cache.match(stateKey()))
      .then((found) => found ? found.json() : null)
      .catch(() => null);
  }

  function writeState(state) {
    return caches.open(CACHES.push).then((cache) => {
      if (!state) return cache.delete(stateKey());
      return cache.put(stateKey(), new Response(JSON.stringify(state), { headers: { "content-type": "application/json" } }));
    });
  }

  /* ---------- The service's API: resolves {status, ok, data}; rejects only when it cannot be reached ---------- */
  function api(method, path, body, auth) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth) headers.Authorization = "Bearer " + auth;
    return fetch(API + path, { method, headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) }).then((response) => response.text().then((text) => {
        let data;
        try { data = text ? JSON.parse(text) : null; } catch { data = null; }
        return { status: response.status, ok: response.ok, data, retryAfter: response.headers.get("Retry-After") };
      }));
  }

  function refusal(result) {
    if (result.status === 429) {
      const seconds = result.retryAfter || tr("a few");
      return tr("Too many changes in a short time. Try again in %(seconds)s seconds.", { seconds });
    }
    const error = result.data && result.data.error;
    return tr("The notification service refused this: %(reason)s.",
      { reason: error ? error.message : "HTTP " + result.status });
  }

  /* ---------- Turning notifications on and off (permission is asked only after a tap) ---------- */
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;

  function supported() {
    return window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function workerRegistration() {
    return Promise.race([navigator.serviceWorker.ready, new Promise((resolve, reject) => {
      setTimeout(() => { reject(new Error("the app's service worker did not start")); }, 15000);
    })]);
  }

  function sameKey(a, b) {
    if (!a) return false;
    const x = new Uint8Array(a);
    return x.length === b.length && x.every((v, i) => v === b[i]);
  }

  /* The browser's subscription for this key: the one it has, or a new one. */
  function browserSubscription(registration, publicKey) {
    const key = practica.base64urlBytes(publicKey);
    return registration.pushManager.getSubscription().then((existing) => {
      if (existing && sameKey(existing.options && existing.options.applicationServerKey, key)) return existing;
      return (existing ? existing.unsubscribe() : Promise.resolve())
        .then(() => registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
    });
  }

  /* Why there will be no notifications, in words (`again`: what to do next), or null when they are allowed. */
  function permissionProblem(permission, again) {
    if (permission === "granted") return null;
    return permission === "denied" ? tr("Notifications are blocked for this site in your browser's settings. " +
      "Allow them there, then %(again)s.", { again }) :
      tr("Notifications were not allowed. %(again)s when you want them.",
        { again: again.charAt(0).toUpperCase() + again.slice(1) });
  }

  /* Each resolves {state} (what this device now holds, already written), {expired} or {problem: words}. */
  function subscribe(prefs) {
    return Promise.all([api("GET", ENDPOINTS.vapidPublicKey), workerRegistration()]).then((r) => {
      if (!r[0].ok) return { problem: refusal(r[0]) };
      return browserSubscription(r[1], r[0].data.public_key).then((subscription) => {
        const json = subscription.toJSON();
        return api("POST", ENDPOINTS.subscriptions, Object.assign({}, json, { preferences: prefs })).then((res) => {
          if (!res.ok) return { problem: refusal(res) };
          return kept({ api: API, id: res.data.id, auth: json.keys.auth, endpoint: json.endpoint,
            preferences: res.data.preferences });
        });
      });
    });
  }

  function update(state, prefs) {
    return api("PUT", ENDPOINTS.subscriptions + "/" + state.id, { preferences: prefs }, state.auth).then((res) => {
      if (res.status === 404) return writeState(null).then(() => ({ expired: true }));
      if (!res.ok) return { problem: refusal(res) };
      return kept(Object.assign({}, state, { preferences: res.data.preferences }));
    });
  }

  function unsubscribe(state) {
    return api("DELETE", ENDPOINTS.subscriptions + "/" + state.id, undefined, state.auth).then((res) => {
      if (!res.ok && res.status !== 404) return { problem: refusal(res) };
      return workerRegistration().then((r) => r.pushManager.getSubscription())
        .then((held) => held && held.unsubscribe())
        .catch(() => { /* the service has forgotten it: nothing will be sent either way */ })
        .then(() => kept(null));
    });
  }

  function kept(state) { return writeState(state).then(() => ({ state })); }

  function unreachable(error) {
    return error instanceof TypeError ? tr("The notification service cannot be reached right now. Nothing was " +
      "changed; check your connection and try again.") : tr("That did not work: %(error)s", { error: error.message });
  }

  practica.push = { url: API, root: ROOT, api, refusal, readState,
    writeState, ios, standalone, supported, permissionProblem,
    subscribe, update, unsubscribe, unreachable };

  /* ---------- Follow buttons on community hubs and profiles: one tap follows, the next unfollows ---------- */
  function showFollowing(prefs) {
    document.querySelectorAll("a.pr-follow").forEach((link) => {
      const topic = link.dataset.followTopic;
      const followed = topic ? prefs.topics : prefs.people;
      const on = (followed || []).indexOf(topic || link.dataset.followPerson) !== -1;
      const label = link.querySelector("span:not(.pr-icon)");   // the text, not the icon
      if (!link.dataset.prLabel) link.dataset.prLabel = label.textContent;
      label.textContent = on ? tr("Following %(name)s", { name: followedName(link) }) : link.dataset.prLabel;
      link.classList.toggle("pr-follow--on", on);
      link.classList.add("pr-follow--ready");
    });
  }

  /* Who a follow link names: its label ("Follow Ada", in the page's language) without the words around the name. */
  function followedName(link) {
    const label = link.dataset.prLabel || "";
    const [before, after = ""] = tr("Follow %(name)s").split("%(name)s");
    return label.startsWith(before) && label.endsWith(after) ? label.slice(before.length, label.length - after.length)
      : label;
  }

  function followStatus(link) {
    const status = link.parentNode.querySelector(".pr-follow__status");
    function say(text, undo) {
      status.textContent = text;
      if (!undo) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "pr-follow__undo";
      button.textContent = tr("Undo");
      button.addEventListener("click", undo);
      status.append(" · ", button);
    }
    return say;
  }

  /* Follow or unfollow what `link` names, subscribing this device first if it is not yet. */
  function toggleFollow(link) {
    const say = followStatus(link);
    const field = link.dataset.followTopic ? "topics" : "people";
    const id = link.dataset.followTopic || link.dataset.followPerson;
    const name = followedName(link);
    const again = () => toggleFollow(link);
    if (ios && !standalone) {
      return say(tr("On iPhone and iPad, notifications work only in the app on your Home Screen: tap Share, then " +
        "Add to Home Screen, open the app from its icon and tap Follow there."));
    }
    if (!supported()) return say(tr("This browser cannot show notifications from web sites."));
    link.setAttribute("aria-busy", "true");
    return readState().then((state) => {
      if (state && state.id && Notification.permission === "granted") return changeFollows(state);
      return Notification.requestPermission().then((permission) => {
        const problem = permissionProblem(permission, tr("tap Follow again"));
        if (problem) return say(problem);
        say(tr("Turning on notifications…"));
        const prefs = { topics: [], people: [], timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" };
        prefs[field] = [id];
        return subscribe(prefs).then((result) => { done(result, true); });
      });
    }).catch((error) => { say(unreachable(error)); })
      .then(() => { link.removeAttribute("aria-busy"); });

    function changeFollows(state) {
      const prefs = Object.assign({}, state.preferences);
      const following = prefs[field].indexOf(id) !== -1;
      if (!following && !prefs.topics.length && !prefs.people.length) {
        return say(tr("You already hear about everything new, %(name)s included. To hear only about some " +
          "communities and people, choose them in the notification settings.", { name }));
      }
      prefs[field] = following ? prefs[field].filter((x) => x !== id) : prefs[field].concat([id]);
      // Following nothing would mean hearing about everything: unfollowing the last one turns notifications off.
      const change = prefs.topics.length || prefs.people.length ? update(state, prefs) : unsubscribe(state);
      return change.then((result) => { done(result, !following); });
    }

    function done(result, on) {
      if (result.problem) return say(result.problem);
      if (result.expired) return say(tr("This device's subscription had expired. Tap Follow again to subscribe anew."));
      showFollowing((result.state && result.state.preferences) || {});
      const off = !result.state ? " " + tr("Notifications are now off on this device.") : "";
      say(on ? tr("Following %(name)s", { name }) : tr("Stopped following %(name)s.", { name }) + off, again);
    }
  }

  onPage(() => {
    const links = document.querySelectorAll("a.pr-follow");
    if (!API || !links.length) return;
    links.forEach((link) => {
      if (link.dataset.prFollow) return;
      link.dataset.prFollow = "1";
      link.setAttribute("role", "button");
      link.addEventListener("click", (event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;   // a new tab: the full form
        event.preventDefault();
        event.stopPropagation();   // Material's instant navigation would follow the link anyway
        if (!link.hasAttribute("aria-busy")) toggleFollow(link);
      });
      link.addEventListener("keydown", (event) => {
        if (event.key !== " ") return;
        event.preventDefault();
        link.click();
      });
    });
    readState().then((state) => { showFollowing((state && state.preferences) || {}); });
  });
})();
