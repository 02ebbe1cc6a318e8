/* What the page scripts and the service worker share: the names of the caches and of what this device keeps,
 * the push service's endpoints, and the helpers both need. Pages load it first (mkdocs.yml extra_javascript);
 * sw.js loads it with importScripts. It creates `practica`, the one namespace the page scripts add to
 * (practica.onPage, practica.push, practica.identity, practica.registration).
 */
"use strict";

self.practica = {
  /* Cache API caches. The shell's name ends with the service worker's version; a saved community or path's
   * with its key (pwa.js). */
  caches: Object.freeze({
    shell: "practica-shell-",
    pages: "practica-pages",
    images: "practica-images",
    search: "practica-search",
    feeds: "practica-feeds",
    saved: "practica-saved-",
    savedSearch: "practica-saved-search",
    push: "practica-push",
    service: "practica-service",   // the service's answers about the reader (/me, /auth), kept for offline reading
  }),

  /* Site-relative URLs. `pushState` is the key, in the push cache, of what this device holds about its
   * subscription: {api, id, auth, endpoint, preferences}, written by push.js, read by sw.js too. */
  urls: Object.freeze({
    offline: "offline/",
    pagefind: "pagefind/",
    experts: "search/experts/",
    skills: "search/skills.json",
    pushState: "__practica/push-subscription",
    me: "me/",
    mePeople: "me/people/",       // + person id + ".json": {url, photo?, photo_large?}, one per person
    people: "people/",            // + person id + "/": a profile page
    notificationsScript: "assets/practica/notifications.js",  // loaded by practica.js only on the notifications page
    learning: "assets/practica/learning.js",  // only where there is a commitment form, a thanks box or "My learning"
    talk: "assets/practica/talk.js",       // loaded by practica.js only on pages with a discussion
    outbox: "assets/practica/outbox.js",   // before talk.js and ask.js: what waits to be sent
    ask: "assets/practica/ask.js",         // loaded only on pages with an "ask an expert" control
    records: "assets/practica/records.js",   // loaded only on items' pages: learning records (issue 21)
    intro: "assets/practica/intro.js",     // loaded only on /me/ and community hubs
    moderationScript: "assets/practica/moderation.js",   // loaded only on the stewards' page
    events: "assets/practica/events.js",   // RSVPs and check-in: loaded only on event pages (when it exists)
    moderation: "moderation/",             // the stewards' page
    notifications: "notifications/",
  }),

  /* The push service's endpoints, after its API address (<meta name="practica:push">). */
  endpoints: Object.freeze({
    vapidPublicKey: "/vapid-public-key",
    subscriptions: "/subscriptions",
    options: "/options",
    feedback: "/feedback",
    auth: "/auth",                  // how readers sign in, and who this one is
    me: "/me",                      // what the service holds about the signed-in reader (DELETE: erase it)
    activity: "/me/activity",       // the bell: reminders of replies, posts in followed threads, mentions
    activityRead: "/me/activity/read",
    meExport: "/me/export",
    mePreferences: "/me/preferences",
    owner: "/owner",                // after /subscriptions/<id>: link this device's subscription to the reader
    questions: "/questions",        // ask an expert: a board question routed to experts
    introduction: "/me/introduction", // the reader's introduction (PUT …/photo: its photo's bytes)
    threads: "/threads",            // discussions (?item=<feed id>) and boards (?community=), /threads/<id>/posts
    posts: "/posts",                // /posts/<id>, /helpful, /flags, /hide, /unhide, /note, /approve, /reject
    moderation: "/moderation",      // /queue, /flags, /log: the stewards' page
    flags: "/flags",                // /flags/<id>/resolve
    commitments: "/commitments",    // after /subscriptions/<id>: this device's follow-ups (PUT, DELETE …/<id>)
    meCommitments: "/me/commitments", // the signed-in reader's follow-ups, on all their devices
    thanks: "/thanks",              // POST: thank an item's authors; GET: the counts (kept for offline)
    learning: "/learning",          // learning events → xAPI statements (404 learning_records_off: none kept)
  }),

  /* The request header that names the demo person (PRACTICA_AUTH_MODE=demo only). */
  demoHeader: "X-Practica-Demo-Person",

  /* The response header the service worker adds to a page or answer it keeps for offline: when it was saved. */
  headers: Object.freeze({
    savedAt: "x-practica-cached-at",
  }),

  /* localStorage keys. */
  storage: Object.freeze({
    recent: "practica:recent",                // [{title, url, kind, label, when}], newest first
    paths: "practica:paths",                  // {path id: {title, url, steps}}, written when a path is opened
    pathProgress: "practica:path:",           // + path id: {step id: day}, written by practica.js
    feedbackVotes: "practica:feedback:votes",
    feedbackQueue: "practica:feedback:queue",
    demoPerson: "practica:demo-person",      // {api, id, name}: whom this browser is in the service's demo mode
    talkOutbox: "practica:talk:outbox",      // [{api, as, key, item?, thread?, parent?, ask?, body, at}]: not yet sent
    learning: "practica:learning",           // {commitments: [{id, item, title, action, url, due, note, done, followUp}],
                                             //  journal: [{id, at, item, title, url, text, shared}]}: learning.js
    learningQueue: "practica:learning:queue", // [{api, as, event}]: learning events not yet sent (records.js)
    learningOff: "practica:learning:off",     // sessionStorage: the service's API that records no learning
  }),

  /* The bytes of a base64url text (a VAPID public key). */
  base64urlBytes(text) {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  },

  /* An element with attributes (`text` sets its textContent; true is an empty attribute; false, null and
   * undefined leave it out) and children: the conversation scripts build everything readers wrote with it, so
   * their text is never parsed as HTML (pages only). */
  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === false || value === null || value === undefined) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    children.forEach((child) => { if (child) node.append(child); });
    return node;
  },

  /* A box holding HTML the community service's sanitiser made (posts, notes): the one place page scripts insert
   * HTML, and only the service's `html` fields go through it (pages only). */
  serviceHtml(html, className) {
    const box = document.createElement("div");
    box.className = className;
    box.innerHTML = html;
    return box;
  },

  /* A service timestamp as the reader's locale writes a date and time ("" when it is not one). */
  dateTime(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleString(undefined,
      { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  },

  /* An interface string in the page's language: `text` is the English (and the catalogues' key, extracted by
   * `make messages`), `values` fill its %(name)s places. A page not in English loads its language's table first
   * (assets/practica/strings-<lang>.js sets `practicaStrings[lang]`: generator/languages.py); English pages load
   * none, and a string a table lacks stays English. */
  tr(text, values) {
    const table = (typeof document !== "undefined" && (self.practicaStrings || {})[document.documentElement.lang]) || {};
    const found = table[text] || text;
    return found.replace(/%\((\w+)\)s/g, (whole, name) => (values && name in values ? String(values[name]) : whole));
  },

  /* The site's root URL on a page, from Material's config (pages only). */
  siteRoot() {
    let base = ".";
    try { base = JSON.parse(document.getElementById("__config").textContent).base || "."; } catch { /* "." */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  },
};
