/* Practica: learning that sticks (issue 23). On a lesson's "Try this at work" and a path's action plan, "I'll try
 * this by <day>" with an optional note; on every item, "Thank the author"; on a profile, how often readers
 * thanked them; on "You and your data" (me/), "My learning": commitments (open, done, missed) with their
 * reflections, the journal, paths, saved copies and pages marked helpful, printable, downloadable as Markdown,
 * cleared with one control.
 *
 * Everything is kept on this device (localStorage `practica:learning`, beside continue.js's paths and pages). The
 * service hears only what a follow-up needs, and only if notifications are on or the reader is signed in: the item
 * and the day (PUT …/commitments/<id>). A reflection stays here unless the reader shares it in the item's
 * discussion as "how I applied it" (POST /threads, as talk.js posts). Text the reader wrote is only ever set as
 * text (practica.el), never parsed as HTML.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, storage: STORAGE, caches: CACHES } = practica;
  const onPage = practica.onPage || ((fn) => fn());
  const el = practica.el;
  const ID = practica.identity;
  const API = ID && ID.api;
  const MAX_NOTE = 500;
  const MAX_REFLECTION = 2000;
  const MAX_DAYS = 366;   // the service's limit: a commitment is for the coming year

  /* ---------- What this device keeps ---------- */
  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key) || "null") || fallback; } catch { return fallback; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* full or refused: kept for this page only */ }
  }
  function learning() {
    const found = read(STORAGE.learning, {});
    return { commitments: Array.isArray(found.commitments) ? found.commitments : [],
      journal: Array.isArray(found.journal) ? found.journal : [] };
  }
  function keep(data) { write(STORAGE.learning, data); }

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function isoDay(date) {
    const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 10);
  }
  function today() { return isoDay(new Date()); }
  function addDays(days) { return isoDay(new Date(Date.now() + days * 86400000)); }
  function showDay(day) {
    const date = new Date(day + "T12:00:00");
    return isNaN(date) ? day : date.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
  }
  function zone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch { return "UTC"; }
  }
  /* open, done (reflected on or ticked) or missed (its day passed without either). */
  function stateOf(c) {
    if (c.done) return "done";
    return c.due < today() ? "missed" : "open";
  }

  /* ---------- Telling the service (only the item and the day) ---------- */
  function call(method, path, body, auth) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth) headers.Authorization = "Bearer " + auth;
    return fetch(API + path, { method, headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => ({ ok: r.ok, status: r.status }));
  }

  function signedIn() {
    if (!ID || !ID.api) return Promise.resolve(false);
    return ID.who().then((answer) => !!(answer.ok && answer.data && answer.data.reader)).catch(() => false);
  }

  /* Ask for a follow-up: as this device if it has notifications on, else as the signed-in reader; null if neither
   * (or the service cannot be reached: the commitment still counts on this device). */
  function remember(c) {
    if (!API) return Promise.resolve(null);
    const push = practica.push;
    const state = push ? push.readState() : Promise.resolve(null);
    return state.then((found) => {
      const granted = window.Notification && Notification.permission === "granted";
      if (found && found.id && found.auth && granted) {
        return call("PUT", ENDPOINTS.subscriptions + "/" + found.id + ENDPOINTS.commitments + "/" + c.id,
          { item: c.item, due: c.due }, found.auth).then((r) => r.ok ? { kind: "device", id: found.id, auth: found.auth } : null);
      }
      return signedIn().then((yes) => yes ? ID.call("PUT", ENDPOINTS.meCommitments + "/" + c.id,
        { body: { item: c.item, due: c.due, timezone: zone() } }).then((r) => r.ok ? { kind: "me" } : null) : null);
    }).catch(() => null);
  }

  function forget(c) {
    if (!API || !c.followUp) return Promise.resolve();
    const f = c.followUp;
    const done = f.kind === "device"
      ? call("DELETE", ENDPOINTS.subscriptions + "/" + f.id + ENDPOINTS.commitments + "/" + c.id, undefined, f.auth)
      : ID ? ID.call("DELETE", ENDPOINTS.meCommitments + "/" + c.id) : Promise.resolve();
    return done.catch(() => undefined);
  }

  /* ---------- "I'll try this by …" on lessons and paths ---------- */
  function commitForm(form) {
    const status = form.querySelector("[data-commit-status]");
    const date = form.elements.date;
    date.min = today();
    date.max = addDays(MAX_DAYS);
    form.addEventListener("input", (event) => {
      if (event.target === date) form.querySelector('input[name="when"][value="date"]').checked = true;
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const when = form.elements.when.value;
      const due = when === "date" ? date.value : addDays(Number(when));
      if (!/^\d{4}-\d\d-\d\d$/.test(due) || due < today() || due > addDays(MAX_DAYS)) {
        status.textContent = "Choose a day from today to a year ahead.";
        date.focus();
        return;
      }
      const c = { id: newId(), item: form.dataset.item, title: form.dataset.title, action: form.dataset.action,
        url: location.pathname, due, note: form.elements.note.value.trim().slice(0, MAX_NOTE),
        created: new Date().toISOString(), done: null, followUp: null };
      const data = learning();
      data.commitments.push(c);
      keep(data);
      form.elements.note.value = "";
      status.textContent = "Saved on this device: you'll try it by " + showDay(due) + ".";
      remember(c).then((followUp) => {
        if (!followUp) {
          status.textContent += " Turn on notifications to get a reminder that day.";
          return;
        }
        const now = learning();
        now.commitments.forEach((k) => { if (k.id === c.id) k.followUp = followUp; });
        keep(now);
        status.textContent += " You'll get one reminder that day.";
      });
    });
    form.hidden = false;
  }

  /* ---------- "Thank the author" and the counts ---------- */
  let counts = null;
  function thanksCounts() {
    if (!API) return Promise.resolve(null);
    counts = counts || fetch(API + ENDPOINTS.thanks, { credentials: "omit" })
      .then((r) => r.ok ? r.json() : null).catch(() => null);
    return counts;
  }
  function times(n) { return n === 1 ? "once" : n + " times"; }

  function thanksBox(box) {
    const button = box.querySelector("[data-thanks-action]");
    const count = box.querySelector("[data-thanks-count]");
    const status = box.querySelector("[data-thanks-status]");
    function showCount(n) {
      count.textContent = n ? "Readers thanked the author " + times(n) + "." : "";
      if (n) box.hidden = false;
    }
    button.hidden = true;   // only a signed-in reader can thank
    thanksCounts().then((found) => { if (found && found.items) showCount(found.items[box.dataset.item] || 0); });
    signedIn().then((yes) => {
      if (!yes) return;
      button.hidden = false;
      box.hidden = false;
      button.addEventListener("click", () => {
        if (box.getAttribute("aria-busy")) return;
        box.setAttribute("aria-busy", "true");
        ID.call("POST", ENDPOINTS.thanks, { body: { item: box.dataset.item } }).then((answer) => {
          if (answer.ok) {
            showCount(answer.data.count);
            status.textContent = answer.status === 201 ? "Thank you: the author will hear of it."
              : "You have thanked the author already.";
          } else {
            const error = answer.data && answer.data.error;
            status.textContent = error ? error.message.charAt(0).toUpperCase() + error.message.slice(1) + "."
              : "The thanks could not be sent. Try again later.";
          }
        }).catch(() => { status.textContent = "The community service cannot be reached. Try again later."; })
          .then(() => { box.removeAttribute("aria-busy"); });
      });
    });
  }

  function profileThanks(line) {
    thanksCounts().then((found) => {
      const n = found && found.people ? found.people[line.dataset.thanksPerson] || 0 : 0;
      if (!n) return;
      line.textContent = "Readers thanked them for their work " + times(n) + ".";
      line.hidden = false;
    });
  }

  /* ---------- My learning (me/) ---------- */
  function link(title, url) {
    return typeof url === "string" && url.charAt(0) === "/" ? el("a", { href: url, text: title }) : el("span", { text: title });
  }

  function commitmentRow(c, view) {
    const state = stateOf(c);
    const label = { open: "Open", done: "Done", missed: "Missed" }[state];
    const li = el("li", { class: "pr-learning__item pr-learning__item--" + state, id: "commitment-" + c.id },
      el("span", { class: "pr-learning__state", text: label }), " ", link(c.title, c.url),
      el("span", { class: "pr-learning__note", text: (state === "done" ? " · done " + showDay(c.done) : " · by " + showDay(c.due)) }));
    if (c.action) li.append(el("p", { class: "pr-learning__action", text: c.action }));
    if (c.note) li.append(el("p", { class: "pr-learning__note", text: "Note: " + c.note }));
    if (state !== "done") {
      const reflect = el("button", { type: "button", class: "md-button", text: "How did it go?" });
      const cancel = el("button", { type: "button", class: "md-button", text: "Remove" });
      reflect.addEventListener("click", () => { li.append(reflectionForm(c, view)); reflect.remove(); });
      cancel.addEventListener("click", () => {
        forget(c);
        const data = learning();
        data.commitments = data.commitments.filter((k) => k.id !== c.id);
        keep(data);
        view.say("Removed “" + c.title + "”.");
        view.render();
      });
      li.append(el("div", { class: "pr-me__actions" }, reflect, cancel));
    }
    return li;
  }

  function reflectionForm(c, view) {
    const base = "pr-reflect-" + c.id;
    const form = el("form", { class: "pr-reflect", "data-reflect": c.id },
      el("label", { for: base, text: "How did “" + c.title + "” go? What will you do next?" }),
      el("textarea", { id: base, name: "text", rows: 4, maxlength: MAX_REFLECTION, required: true }),
      el("label", { class: "pr-me__choice" }, el("input", { type: "checkbox", name: "share" }),
        el("span", { text: " Also share it in the discussion as “how I applied it” (signed in; your name shows)" })),
      el("div", { class: "pr-me__actions" }, el("button", { type: "submit", class: "md-button md-button--primary",
        text: "Save to my journal" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = form.elements.text.value.trim().slice(0, MAX_REFLECTION);
      if (!text) { form.elements.text.focus(); return; }
      const share = form.elements.share.checked;
      const data = learning();
      const entry = { id: newId(), at: new Date().toISOString(), item: c.item, title: c.title, url: c.url, text, shared: false };
      data.journal.unshift(entry);
      data.commitments.forEach((k) => { if (k.id === c.id) k.done = today(); });
      keep(data);
      forget(c);   // done: no reminder needed any more
      view.say("Saved to your journal.");
      if (share) shareReflection(entry, view);
      view.render();
    });
    return form;
  }

  function shareReflection(entry, view) {
    if (!ID || !API) { view.say("Saved to your journal. Sharing needs the community service, which this site has not."); return; }
    const body = "**How I applied it** ([" + entry.title.replace(/[[\]]/g, "") + "](" + entry.url + "))\n\n" + entry.text;
    ID.call("POST", ENDPOINTS.threads, { body: { item: entry.item, body, idempotency_key: entry.id } }).then((answer) => {
      if (!answer.ok) {
        const error = answer.data && answer.data.error;
        view.say("Saved to your journal, but not shared: " + (error ? error.message : "HTTP " + answer.status) + ".");
        return;
      }
      const data = learning();
      data.journal.forEach((j) => { if (j.id === entry.id) j.shared = true; });
      keep(data);
      view.say("Saved to your journal and shared in the discussion.");
      view.render();
    }).catch(() => { view.say("Saved to your journal. The service cannot be reached, so it was not shared."); });
  }

  function paths() {
    const known = read(STORAGE.paths, {});
    return Object.keys(known).map((id) => {
      const p = known[id] || {};
      const done = Object.keys(read(STORAGE.pathProgress + id, {})).length;
      return { title: String(p.title || id), url: p.url, done, steps: Number(p.steps) || 0 };
    }).filter((p) => p.done > 0);
  }

  function saved() {
    const found = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith(CACHES.saved)) continue;
      const meta = read(key, {});
      if (meta.savedAt) found.push({ title: String(meta.title || key.slice(CACHES.saved.length)), url: meta.url, savedAt: meta.savedAt });
    }
    return found;
  }

  /* Pages this device answered "yes" to in "Was this helpful?", titled from the pages opened when known. */
  function helpful() {
    const votes = read(STORAGE.feedbackVotes, {});
    const root = practica.siteRoot();
    const titles = {};
    read(STORAGE.recent, []).forEach((e) => { if (e && e.url) titles[e.url] = e.title; });
    return Object.keys(votes).filter((page) => votes[page] && votes[page].helpful).map((page) => {
      const url = new URL(page, root).pathname;
      return { title: String(titles[url] || page), url, on: votes[page].on };
    });
  }

  function markdown() {
    const data = learning();
    const lines = ["# My learning", "", "Exported " + today() + " from " + document.title.split(" - ").pop() + ".", "", "## Things I'll try", ""];
    if (!data.commitments.length) lines.push("Nothing yet.");
    data.commitments.forEach((c) => {
      lines.push("- [" + (stateOf(c) === "done" ? "x" : " ") + "] **" + c.title + "** (" + stateOf(c) + ", by " + c.due + ")" +
        (c.action ? ": " + c.action : ""));
      if (c.note) lines.push("  - Note: " + c.note);
    });
    lines.push("", "## My journal", "");
    if (!data.journal.length) lines.push("Nothing yet.");
    data.journal.forEach((j) => {
      lines.push("### " + j.at.slice(0, 10) + ": " + j.title + (j.shared ? " (shared)" : ""), "", j.text, "");
    });
    return lines.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
  }

  function download() {
    const blob = new Blob([markdown()], { type: "text/markdown" });
    const a = el("a", { href: URL.createObjectURL(blob), download: "my-learning-" + today() + ".md", hidden: true });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function clearAll() {
    learning().commitments.forEach((c) => { if (!c.done) forget(c); });
    const gone = [STORAGE.learning, STORAGE.recent, STORAGE.paths, STORAGE.feedbackVotes];
    const saves = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(STORAGE.pathProgress)) gone.push(key);
      if (key && key.startsWith(CACHES.saved)) saves.push(key);
    }
    gone.concat(saves).forEach((key) => { localStorage.removeItem(key); });
    return window.caches ? Promise.all(saves.map((name) => caches.delete(name))).catch(() => null) : Promise.resolve();
  }

  function myLearning(section) {
    const body = section.querySelector("[data-learning-body]");
    const status = section.querySelector("[data-learning-status]");
    const confirm = section.querySelector("[data-learning-confirm]");
    const clear = section.querySelector('[data-learning-action="clear"]');
    const list = (name) => section.querySelector('[data-learning-list="' + name + '"]');
    const view = {
      say(text) { status.textContent = text; },
      render() {
        const data = learning();
        const order = { open: 0, missed: 1, done: 2 };
        fill("commitments", data.commitments.slice().sort((a, b) => order[stateOf(a)] - order[stateOf(b)] ||
          (a.due < b.due ? -1 : 1)).map((c) => commitmentRow(c, view)), "Nothing yet: commit to a lesson's “Try this at work” or a path's action plan.");
        fill("journal", data.journal.map((j) => el("li", { class: "pr-learning__item" },
          el("span", { class: "pr-learning__state", text: new Date(j.at).toLocaleDateString() }), " ", link(j.title, j.url),
          j.shared ? el("span", { class: "pr-learning__note", text: " · shared in the discussion" }) : null,
          el("p", { class: "pr-learning__text", text: j.text }))), "Your reflections will appear here.");
        fill("paths", paths().map((p) => el("li", { class: "pr-learning__item" }, link(p.title, p.url),
          el("span", { class: "pr-learning__note", text: p.steps && p.done >= p.steps ? " · done" : " · " + p.done + " of " + p.steps + " steps done" }))),
          "No path started on this device yet.");
        fill("saved", saved().map((s) => el("li", { class: "pr-learning__item" }, link(s.title, s.url),
          el("span", { class: "pr-learning__note", text: " · saved " + new Date(s.savedAt).toLocaleDateString() }))),
          "Nothing saved for offline on this device.");
        fill("helpful", helpful().map((h) => el("li", { class: "pr-learning__item" }, link(h.title, h.url),
          h.on ? el("span", { class: "pr-learning__note", text: " · " + showDay(h.on) }) : null)),
          "Pages you mark “helpful” will appear here.");
      },
    };
    function fill(name, rows, empty) {
      const ul = list(name);
      ul.replaceChildren(...(rows.length ? rows : [el("li", { class: "pr-learning__empty", text: empty })]));
    }
    section.addEventListener("click", (event) => {
      const button = event.target.closest("[data-learning-action]");
      if (!button) return;
      const action = button.dataset.learningAction;
      if (action === "print") window.print();
      else if (action === "markdown") download();
      else if (action === "clear" || action === "clear-cancel") {
        const open = action === "clear";
        confirm.hidden = !open;
        clear.setAttribute("aria-expanded", String(open));
        (open ? confirm.querySelector('[data-learning-action="clear-confirm"]') : clear).focus();
      } else if (action === "clear-confirm") {
        clearAll().then(() => {
          confirm.hidden = true;
          clear.setAttribute("aria-expanded", "false");
          view.render();
          view.say("Cleared: this device no longer remembers your learning.");
          clear.focus();
        });
      }
    });
    view.render();
    body.hidden = false;
    const asked = new URLSearchParams(location.search).get("reflect");   // a follow-up's notification opened this
    const row = asked && section.querySelector("#commitment-" + CSS.escape(asked));
    if (row) {
      const button = row.querySelector("button");
      if (button && button.textContent === "How did it go?") button.click();
      const field = row.querySelector("textarea");
      // After the load: scrolling to a URL's #fragment moves the focus to the page, so focusing earlier is undone.
      const focus = () => { row.scrollIntoView({ block: "center" }); if (field) field.focus(); };
      if (document.readyState === "complete") focus();
      else window.addEventListener("load", () => { setTimeout(focus, 0); }, { once: true });
    }
  }

  onPage(() => {
    document.querySelectorAll("form[data-commit]").forEach((form) => {
      if (form.dataset.prReady) return;
      form.dataset.prReady = "1";
      commitForm(form);
    });
    document.querySelectorAll("[data-thanks]").forEach((box) => {
      if (box.dataset.prReady || !API) return;
      box.dataset.prReady = "1";
      thanksBox(box);
    });
    document.querySelectorAll("[data-thanks-person]").forEach((line) => {
      if (line.dataset.prReady || !API) return;
      line.dataset.prReady = "1";
      profileThanks(line);
    });
    const section = document.querySelector("section[data-learning]");
    if (section && !section.dataset.prReady) {
      section.dataset.prReady = "1";
      myLearning(section);
    }
  });
})();
