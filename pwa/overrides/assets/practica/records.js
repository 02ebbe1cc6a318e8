/* Practica: learning records (issue 21; records.js, beside learning.js which keeps the reader's commitments). On an item's page ([data-pr-learn]) a signed-in reader's learning is
 * reported to the community service, which turns it into xAPI statements for the organisation's LRS: a page read,
 * a lesson read to its end, each knowledge-check answer (the first per question and visit) and the check's
 * score, a path's last step done, a local video's Video Profile events. Events wait in localStorage
 * (practica:learning:queue) while the device is offline or the service unreachable and are sent on `online` or
 * the next page; the service derives each statement's id from the event, so a resend records nothing twice.
 * Nothing is kept or sent without a sign-in, and nothing at all when the service says records are off
 * (404 learning_records_off, remembered for the tab in practica:learning:off): the site then shows nothing about
 * them. practica.js loads it after me.js.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, storage: STORAGE } = practica;
  const ID = practica.identity;
  if (!ID || !ID.api || practica.records) return;
  const CHUNK = 20;   // events per request (the service's limit)
  const visit = newToken();   // one page load: one answer per question is recorded per visit
  // The service said it records nothing: stop, for as long as this tab lives (sessionStorage), asking nothing more.
  let off = (() => { try { return sessionStorage.getItem(STORAGE.learningOff) === ID.api; } catch { return false; } })();

  function newToken() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function queued() {
    try { return JSON.parse(localStorage.getItem(STORAGE.learningQueue)) || []; } catch { return []; }
  }
  function keep(list) {
    try { localStorage.setItem(STORAGE.learningQueue, JSON.stringify(list)); } catch { /* full or off */ }
  }
  function whoAmI() {
    const demo = ID.demoPerson();
    return demo ? demo.id : "";
  }
  /* Whether someone is signed in here (the service's /auth): no identity, no record. */
  let signedIn = null;
  function reader() {
    if (!signedIn) {
      signedIn = ID.who().then((answer) => !!(answer.ok && answer.data && answer.data.reader), () => null);
    }
    return signedIn;
  }

  /* Queue one event (as this reader, for this service) and try to send what waits. */
  function report(kind, item, fields) {
    if (off) return;
    reader().then((known) => {
      if (known === false) return;   // not signed in (unknown while offline: kept, the service decides later)
      const event = Object.assign({ kind, item, visit, at: new Date().toISOString() }, fields);
      keep([...queued(), { api: ID.api, as: whoAmI(), event }]);
      flush();
    });
  }

  let flushing = null;
  let again = false;   // asked to send while sending: go round once more after (what was added may be missed)
  function flush() {
    if (off || navigator.onLine === false) return Promise.resolve();
    if (flushing) {
      again = true;
      return flushing;
    }
    const next = () => {
      const mine = queued().filter((e) => e.api === ID.api && e.as === whoAmI()).slice(0, CHUNK);
      if (!mine.length) return null;
      return ID.call("POST", ENDPOINTS.learning, { body: { events: mine.map((e) => e.event) } }).then((answer) => {
        if (answer.status >= 500 || answer.status === 429 || answer.status === 408) return null;   // later
        const error = answer.data && answer.data.error;
        if (answer.status === 404 && error && error.code === "learning_records_off") {
          off = true;
          try { sessionStorage.setItem(STORAGE.learningOff, ID.api); } catch { /* private mode: this page only */ }
        }
        // sent, or refused for good (records off, not signed in, an event the site no longer has): forget them
        keep(queued().filter((e) => !mine.some((m) => same(m, e))));
        return off ? keep(queued().filter((e) => e.api !== ID.api)) : next();
      }, () => null);
    };
    flushing = Promise.resolve().then(next).finally(() => {
      flushing = null;
      if (again) {
        again = false;
        flush();
      }
    });
    return flushing;
  }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  window.addEventListener("online", () => { flush(); });

  /* ---------- What the page reports ---------- */
  function knowledgeCheck(root, item) {
    const forms = Array.from(root.querySelectorAll("form.pr-check"));
    const first = new Map();   // question number → right on the first try
    forms.forEach((form, index) => {
      form.addEventListener("submit", () => {
        const chosen = form.querySelector("input[type=radio]:checked");
        if (!chosen || first.has(index + 1)) return;
        first.set(index + 1, chosen.value === form.dataset.answer);
        report("answered", item, { question: index + 1, choice: Number(chosen.value) });
        if (first.size === forms.length) {
          report("checked", item, { correct: Array.from(first.values()).filter(Boolean).length });
        }
      });
    });
  }

  function readToTheEnd(root, item) {
    const end = root.querySelector(".pr-feedback, form.pr-check") || root.lastElementChild;
    if (!end || !("IntersectionObserver" in window)) return;
    const seen = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      seen.disconnect();
      report("completed", item, {});
    });
    seen.observe(end);
  }

  function pathDone(root, item) {
    const boxes = Array.from(root.querySelectorAll(".pr-path .pr-step__done input"));
    boxes.forEach((box) => box.addEventListener("change", () => {
      if (boxes.length && boxes.every((b) => b.checked)) report("completed", item, {});
    }));
  }

  /* xAPI Video Profile: initialized, played, paused, seeked, completed, with time, progress, played segments. */
  function videoEvents(video, item) {
    const session = newToken();
    const segments = [];
    let from = null;        // where the segment now playing began
    let before = 0;         // the position before a seek
    let started = false;
    let finished = false;
    const round = (t) => Math.round(t * 1000) / 1000;
    const length = () => (isFinite(video.duration) ? video.duration : 0);
    function close() {
      if (from !== null && video.currentTime > from) segments.push([round(from), round(video.currentTime)]);
      from = null;
    }
    function progress() {
      const spans = segments.slice().sort((a, b) => a[0] - b[0]);
      let seen = 0;
      let reach = 0;
      spans.forEach(([a, b]) => { seen += Math.max(0, b - Math.max(a, reach)); reach = Math.max(reach, b); });
      return length() ? Math.min(1, round(seen / length())) : 0;
    }
    let seq = 0;            // each event's number in the session: two plays at one position are two statements
    function send(event, fields) {
      report("video", item, { video: Object.assign({ event, session, seq: seq++, length: round(length()) }, fields) });
    }
    video.addEventListener("play", () => {
      if (!started) { started = true; send("initialized", {}); }
      from = video.currentTime;
      send("played", { time: round(video.currentTime) });
    });
    video.addEventListener("pause", () => {
      if (video.ended) return;
      close();
      send("paused", { time: round(video.currentTime), progress: progress(), segments: segments.slice(0, 200) });
    });
    video.addEventListener("timeupdate", () => { if (!video.seeking) before = video.currentTime; });
    video.addEventListener("seeking", () => { if (from !== null) { segments.push([round(from), round(before)]); } });
    video.addEventListener("seeked", () => {
      from = video.paused ? null : video.currentTime;
      send("seeked", { start: round(before), time: round(video.currentTime) });
    });
    video.addEventListener("ended", () => {
      close();
      if (finished) return;
      finished = true;
      send("completed", { time: round(video.currentTime), progress: progress(), segments: segments.slice(0, 200) });
    });
  }

  practica.onPage(() => {
    document.querySelectorAll("[data-pr-learn]:not([data-pr-learning])").forEach((marker) => {
      marker.dataset.prLearning = "1";
      const item = marker.dataset.prLearn;
      const kind = item.split(":")[2];
      const root = marker.closest("article") || document.body;
      report("read", item, {});
      if (kind === "lesson") { knowledgeCheck(root, item); readToTheEnd(root, item); }
      if (kind === "path") pathDone(root, item);
      const video = kind === "video" && root.querySelector(".pr-video video");
      if (video) videoEvents(video, item);
    });
    flush();
  });

  practica.records = Object.freeze({ flush, queued });
})();
