/* Practica: what readers write to the community service waits here until the service takes it — discussion
 * posts (talk.js) and asked questions (ask.js). Each entry is kept in localStorage with a random idempotency key,
 * the API and the demo person it was written as, then sent one at a time; it leaves on a 2xx or a final 4xx and
 * waits while the device is offline and on a network error, 5xx, 408 or 429, to be sent on `online` or the next
 * page that loads this: a resend with the same key is the same post, never a second. practica.js loads it
 * before talk.js and ask.js.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, storage: STORAGE } = practica;
  const ID = practica.identity;
  if (!ID || !ID.api || practica.outbox) return;

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function entries() {
    try { return JSON.parse(localStorage.getItem(STORAGE.talkOutbox)) || []; } catch { return []; }
  }
  function keep(list) {
    try { localStorage.setItem(STORAGE.talkOutbox, JSON.stringify(list)); } catch { /* full or off: in memory */ }
  }
  function whoAmI() {
    const demo = ID.demoPerson();
    return demo ? demo.id : "";
  }
  /* The request an entry makes: a question for an expert, a post in a thread, a board thread, an item's post. */
  function send(entry) {
    const body = { body: entry.body, idempotency_key: entry.key };
    if (entry.ask) {
      Object.assign(body, { ask: entry.ask, title: entry.title });
      if (entry.community) body.community = entry.community;
      return ID.call("POST", ENDPOINTS.questions, { body });
    }
    if (entry.thread) {
      if (entry.parent) body.parent = entry.parent;
      return ID.call("POST", ENDPOINTS.threads + "/" + entry.thread + "/posts", { body });
    }
    if (entry.community) Object.assign(body, { community: entry.community, type: entry.type, title: entry.title });
    else body.item = entry.item;
    return ID.call("POST", ENDPOINTS.threads, { body });
  }
  const retryLater = (answer) => answer.status >= 500 || answer.status === 429 || answer.status === 408;
  const taken = new Map();   // idempotency key → the service's answer, for the page that wrote the entry

  /* Send what waits, one at a time, as the reader who wrote it. Resolves with the refusals (final 4xx). */
  let flushing = null;
  function flush() {
    if (flushing) return flushing;
    // A device that knows it is offline does not try: the entry waits for `online` (a request that cannot
    // succeed would only race a network that comes back half way through).
    if (navigator.onLine === false) return Promise.resolve([]);
    const refused = [];
    const next = () => {
      const entry = entries().find((e) => e.api === ID.api && e.as === whoAmI());
      if (!entry) return refused;
      return send(entry).then((answer) => {
        if (retryLater(answer)) return refused;
        keep(entries().filter((e) => e.key !== entry.key));
        if (answer.ok) taken.set(entry.key, answer.data);
        else refused.push({ entry, answer });
        return next();
      }, () => refused);
    };
    flushing = Promise.resolve().then(next).finally(() => { flushing = null; });
    return flushing;
  }
  /* Add an entry (written now, as this reader) and send what waits. */
  function add(fields) {
    const entry = Object.assign({ api: ID.api, as: whoAmI(), key: newKey(), at: new Date().toISOString() }, fields);
    keep([...entries(), entry]);
    return entry;
  }
  function waiting(page) {
    return entries().filter((e) => e.api === ID.api && e.as === whoAmI() && e.page === page);
  }
  const pending = (entry) => entries().some((e) => e.key === entry.key);

  practica.outbox = Object.freeze({ newKey, entries, keep, add, whoAmI, flush, waiting, pending,
    answer: (key) => taken.get(key) });
})();
