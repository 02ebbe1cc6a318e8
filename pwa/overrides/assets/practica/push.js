/* Practica notifications: the bell, "Follow" buttons, and what notifications.js and feedback.js share.
 *
 * The push service's API is named by <meta name="practica:push">; without it nothing here talks to anything,
 * follow buttons stay hidden and the settings page says notifications are not set up. What this device
 * holds (the subscription's id, and its auth secret, which is the proof the service asks for) is kept with
 * the Cache API rather than localStorage: the service worker needs it too, when the browser renews the
 * subscription (pushsubscriptionchange in sw.js), and workers cannot read localStorage.
 */
(function () {
  "use strict";

  var onPage = (window.practica && window.practica.onPage) || function (fn) { fn(); };
  var meta = document.querySelector('meta[name="practica:push"]');
  var API = meta && meta.content ? meta.content.replace(/\/+$/, "") : null;
  var STATE_CACHE = "practica-push";
  var ROOT = siteRoot();   // read once: instant navigation changes location but keeps the page's config

  /* The bell sits in the header, which instant navigation keeps: make its link absolute while it is right. */
  document.querySelectorAll("a.pr-bell").forEach(function (link) { link.href = link.href; });

  function siteRoot() {
    var base = ".";
    try { base = JSON.parse(document.getElementById("__config").textContent).base || "."; } catch (e) { /* "." */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  /* ---------- What this device holds: {api, id, auth, endpoint, preferences} (the worker reads it too) ---------- */
  function stateKey() { return new URL("__practica/push-subscription", ROOT).href; }

  function readState() {
    if (!window.caches) return Promise.resolve(null);
    return caches.open(STATE_CACHE).then(function (cache) { return cache.match(stateKey()); })
      .then(function (found) { return found ? found.json() : null; })
      .catch(function () { return null; });
  }

  function writeState(state) {
    return caches.open(STATE_CACHE).then(function (cache) {
      if (!state) return cache.delete(stateKey());
      return cache.put(stateKey(), new Response(JSON.stringify(state), { headers: { "content-type": "application/json" } }));
    });
  }

  /* ---------- The service's API: resolves {status, ok, data}; rejects only when it cannot be reached ---------- */
  function api(method, path, body, auth) {
    var headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth) headers.Authorization = "Bearer " + auth;
    return fetch(API + path, { method: method, headers: headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, ok: response.ok, data: data, retryAfter: response.headers.get("Retry-After") };
      });
    });
  }

  function refusal(result) {
    if (result.status === 429) {
      return "Too many changes in a short time. Try again in " + (result.retryAfter || "a few") + " seconds.";
    }
    var error = result.data && result.data.error;
    return "The notification service refused this: " + (error ? error.message : "HTTP " + result.status) + ".";
  }

  window.practica = window.practica || {};
  window.practica.push = { url: API, api: api, refusal: refusal, readState: readState, writeState: writeState };

  /* ---------- Follow buttons on community hubs and profiles ---------- */
  onPage(function () {
    var links = document.querySelectorAll("a.pr-follow");
    if (!API || !links.length) return;
    readState().then(function (state) {
      var prefs = (state && state.preferences) || {};
      links.forEach(function (link) {
        var topic = link.dataset.followTopic;
        var followed = topic ? prefs.topics : prefs.people;
        var on = (followed || []).indexOf(topic || link.dataset.followPerson) !== -1;
        var label = link.querySelector("span:not(.pr-icon)");   // the text, not the icon
        if (!link.dataset.prLabel) link.dataset.prLabel = label.textContent;
        label.textContent = on ? link.dataset.prLabel.replace(/^Follow\b/, "Following") : link.dataset.prLabel;
        link.classList.toggle("pr-follow--on", on);
        link.classList.add("pr-follow--ready");
      });
    });
  });
})();
