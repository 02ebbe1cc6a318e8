/* Practica: RSVPs and check-in on event pages. Each date of an event carries a mount (the events contract:
 * <div class="pr-rsvp" data-pr-rsvp data-occurrence="<event id>@<date>" data-start=… data-end=…
 * data-capacity=…>); this fills every one with "I'll join" (aria-pressed), "I can't make it" once joined, how
 * many are going out of the places (a polite live region), and "I'm here" from 15 minutes before the start to
 * its end. Signed out: a link to sign in. Offline or the service unreachable: the buttons are disabled, with a
 * note. Cancelled and past dates show no buttons. Everything the service sends back is inserted as text.
 * practica.js loads it only on event pages with a community service; it speaks through practica.identity.
 */
(() => {
  "use strict";

  const ID = practica.identity;
  const onPage = practica.onPage || ((fn) => fn());
  const el = practica.el;
  const BASE = "/events/occurrences";   // after the service's API address
  const PER_CALL = 50;                  // the API's limit of ids per GET
  const EARLY = 15 * 60 * 1000;         // "I'm here" opens this long before the start
  if (!ID || !ID.api) return;

  function errorOf(answer) {
    return (answer && answer.data && answer.data.error) || { code: "", message: "The service did not answer." };
  }

  function countWords(state) {
    const going = state.going + (state.going === 1 ? " person" : " people");
    if (state.status === "cancelled") return "Cancelled.";
    const ended = Date.parse(state.end) <= Date.now();
    if (ended) return going + " said they would join.";
    if (state.capacity === null || state.capacity === undefined) return going + " going.";
    const left = Math.max(0, state.capacity - state.going);
    return going + " going; " + (left ? left + " of " + state.capacity + " places left." :
      "all " + state.capacity + " places are taken.");
  }

  /* What a mount shows for a date before the service answered, from its own attributes. */
  function fromPage(mount) {
    const capacity = mount.dataset.capacity ? Number(mount.dataset.capacity) : null;
    return { id: mount.dataset.occurrence, start: mount.dataset.start, end: mount.dataset.end, capacity,
      going: 0, status: "scheduled", joined: null, checked_in: null, unknown: true };
  }

  function render(mount, state, reader, note) {
    const now = Date.now();
    const start = Date.parse(state.start), end = Date.parse(state.end);
    const offline = navigator.onLine === false;
    const open = state.status === "scheduled" && end > now;
    const checkIn = open && now >= start - EARLY;
    const busy = mount.dataset.busy === "1";
    const disabled = offline || busy || state.unknown || !reader;
    const live = el("p", { class: "pr-rsvp__count", "aria-live": "polite",
      text: state.unknown ? "" : countWords(state) });
    const parts = [live];
    if (open) {
      const buttons = el("div", { class: "pr-rsvp__buttons" });
      const join = el("button", { type: "button", class: "md-button pr-rsvp__join", "aria-pressed": String(!!state.joined),
        text: state.joined ? "I'll join ✓" : "I'll join", disabled: disabled || (state.full && !state.joined) });
      join.addEventListener("click", () => { if (!state.joined) act(mount, "PUT", "/rsvp", reader); });
      buttons.append(join);
      if (state.joined) {
        const leave = el("button", { type: "button", class: "md-button pr-rsvp__leave", text: "I can't make it",
          disabled });
        leave.addEventListener("click", () => act(mount, "DELETE", "/rsvp", reader));
        buttons.append(leave);
      }
      if (checkIn) {
        const here = el("button", { type: "button", class: "md-button pr-rsvp__here", "aria-pressed": String(!!state.checked_in),
          text: state.checked_in ? "I'm here ✓" : "I'm here", disabled: disabled || !!state.checked_in });
        here.addEventListener("click", () => act(mount, "POST", "/check-in", reader));
        buttons.append(here);
      }
      parts.push(buttons);
      let words = note || "";
      if (!words && offline) words = "You are offline: RSVPs and check-ins need a connection.";
      else if (!words && state.full && !state.joined) words = "This date is full.";
      if (!reader && !offline && !state.unknown && !note) {
        parts.push(el("p", { class: "pr-rsvp__note" },
          el("a", { href: new URL(practica.urls.me, ID.root).href, text: "Sign in to join" })));
      } else if (words) {
        parts.push(el("p", { class: "pr-rsvp__note", role: "status", text: words }));
      }
    }
    const kept = mount.querySelector(".pr-rsvp__count");
    if (kept) {   // the same live region, its text changed only when the count did: it speaks only changes
      if (kept.textContent !== live.textContent) kept.textContent = live.textContent;
      parts[0] = kept;
    }
    mount.replaceChildren(...parts);
    mount.hidden = false;
    mount._prState = state;
    mount._prReader = reader;
  }

  function act(mount, method, path, reader) {
    const state = mount._prState;
    mount.dataset.busy = "1";
    render(mount, state, reader);
    ID.call(method, BASE + "/" + encodeURIComponent(state.id) + path).then((answer) => {
      mount.dataset.busy = "";
      if (answer.ok) { render(mount, answer.data, reader); return; }
      const problem = errorOf(answer);
      render(mount, state, reader, problem.message.charAt(0).toUpperCase() + problem.message.slice(1) + ".");
    }, () => {
      mount.dataset.busy = "";
      render(mount, state, reader, "The community service cannot be reached: nothing was changed.");
    });
  }

  const UNREACHABLE = "The community service cannot be reached just now.";

  function fill(mounts) {
    mounts.forEach((mount) => render(mount, fromPage(mount), null, "Loading…"));
    if (navigator.onLine === false) {
      mounts.forEach((mount) => render(mount, fromPage(mount), null));
      return Promise.resolve();
    }
    return ID.who().then((auth) => (auth.ok && auth.data ? auth.data.reader : null), () => null).then((reader) => {
      // One GET per PER_CALL dates: counts for everyone, and the reader's own RSVP and check-in.
      const batches = [];
      for (let i = 0; i < mounts.length; i += PER_CALL) batches.push(mounts.slice(i, i + PER_CALL));
      return Promise.all(batches.map((batch) => {
        const ids = batch.map((mount) => mount.dataset.occurrence).join(",");
        const failed = () => batch.forEach((mount) => render(mount, fromPage(mount), reader, UNREACHABLE));
        return ID.call("GET", BASE + "?ids=" + encodeURIComponent(ids)).then((answer) => {
          if (!answer.ok) { failed(); return; }
          const byId = new Map(answer.data.occurrences.map((o) => [o.id, o]));
          batch.forEach((mount) => {
            const found = byId.get(mount.dataset.occurrence);
            if (found) render(mount, found, reader);
          });
        }, failed);
      }));
    });
  }

  function mountsOnPage() {
    return Array.from(document.querySelectorAll("[data-pr-rsvp][data-occurrence]"));
  }

  onPage(() => { fill(mountsOnPage()); });
  window.addEventListener("online", () => { fill(mountsOnPage()); });
  window.addEventListener("offline", () => {
    mountsOnPage().forEach((mount) => render(mount, mount._prState || fromPage(mount), mount._prReader || null));
  });
})();
