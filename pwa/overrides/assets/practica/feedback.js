/* "Was this helpful?" on item pages: Yes or No, then an optional comment, sent to the push service.
 *
 * One answer per page on this device (remembered in localStorage). Answers wait in a queue in localStorage
 * until the service has them, so one given offline, or while the service is down, is sent later: when the
 * browser says it is back online, and on the next page view. Each answer carries a random id made here, so
 * the service stores it once however often it is resent, and a comment written after the vote joins it.
 */
(() => {
  "use strict";

  const push = practica.push;
  const onPage = practica.onPage || ((fn) => fn());
  if (!push || !push.url) return;   // no service: the forms stay hidden
  const { feedbackVotes: VOTES, feedbackQueue: QUEUE } = practica.storage;
  const MAX_QUEUE = 50;

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode or full: best effort */ }
  }
  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, (b) => (b + 256).toString(16).slice(1)).join("");
  }

  /* A comment replaces its vote's entry if that is still waiting: one request carries both. */
  function enqueue(entry) {
    const queue = load(QUEUE, []).filter((e) => e.id !== entry.id);
    queue.push(entry);
    save(QUEUE, queue.slice(-MAX_QUEUE));
  }
  function waiting(id) { return load(QUEUE, []).some((e) => e.id === id); }
  /* Drop exactly what was sent: a comment queued while its vote was in flight stays. */
  function done(sent) {
    save(QUEUE, load(QUEUE, []).filter((e) => !(e.id === sent.id && e.comment === sent.comment)));
  }

  /* One sender at a time, so nothing is posted twice at once; asked again meanwhile, it runs once more after. */
  let flushing = null;
  let again = false;
  function flush() {
    if (flushing) {
      again = true;
      return flushing;
    }
    flushing = sendNext().then(() => {
      flushing = null;
      if (again) {
        again = false;
        return flush();
      }
    });
    return flushing;
  }
  function sendNext() {
    const entry = load(QUEUE, [])[0];
    if (!entry) return Promise.resolve();
    return push.api("POST", practica.endpoints.feedback, entry).then((result) => {
      if (result.status === 429 || result.status === 408 || result.status >= 500) return null;   // later
      done(entry);   // stored, or refused for good (bad input): never resent
      return sendNext();
    }, () => null);   // offline or unreachable: keep it for later
  }

  function report(form, id, sentText) {
    const pending = waiting(id);
    form.dataset.prPending = pending ? id : "";
    form.querySelector(".pr-feedback__status").textContent = pending ?
      practica.tr("Saved on this device. It will be sent when the connection is back.") : sentText;
  }

  /* Back online: send what waited, and say so on the forms that were waiting. */
  function resend() {
    flush().then(() => {
      document.querySelectorAll("form.pr-feedback[data-pr-pending]").forEach((form) => {
        if (form.dataset.prPending) report(form, form.dataset.prPending, practica.tr("Sent. Thanks for your feedback."));
      });
    });
  }

  function chosen(form, helpful) {
    form.querySelectorAll("[data-helpful]").forEach((button) => {
      button.setAttribute("aria-pressed", String((button.dataset.helpful === "yes") === helpful));
    });
  }

  function enhance(form) {
    const page = form.dataset.page;
    const more = form.querySelector(".pr-feedback__more");
    const previous = load(VOTES, {})[page];
    form.hidden = false;
    if (previous) {
      chosen(form, previous.helpful);
      report(form, previous.id, practica.tr("Thanks, you answered this one already."));
    }
    form.querySelectorAll("[data-helpful]").forEach((button) => {
      button.addEventListener("click", () => {
        const votes = load(VOTES, {});
        if (votes[page]) return;   // one answer per page on this device
        const vote = { id: newId(), page, helpful: button.dataset.helpful === "yes" };
        votes[page] = { id: vote.id, helpful: vote.helpful, on: new Date().toISOString().slice(0, 10) };
        save(VOTES, votes);
        enqueue(vote);
        chosen(form, vote.helpful);
        more.hidden = false;
        flush().then(() => { report(form, vote.id, practica.tr("Thanks! Anything to add? (optional)")); });
      });
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const vote = load(VOTES, {})[page];
      const comment = form.elements.comment.value.trim().slice(0, 500);
      if (!vote) return;
      more.hidden = true;
      if (!comment) {
        form.querySelector(".pr-feedback__status").textContent = practica.tr("Thanks for your answer.");
        return;
      }
      enqueue({ id: vote.id, page, helpful: vote.helpful, comment });
      flush().then(() => { report(form, vote.id, practica.tr("Thanks for your comment.")); });
    });
  }

  onPage(() => {
    document.querySelectorAll("form.pr-feedback[data-page]").forEach((form) => {
      if (form.dataset.prReady) return;
      form.dataset.prReady = "1";
      enhance(form);
    });
    flush();   // anything left from an earlier page or visit
  });
  window.addEventListener("online", resend);
})();
