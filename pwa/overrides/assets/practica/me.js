/* Practica: who you are to the community service, on every page (the header's "Sign in" or your name), and
 * the page "You and your data" (me/): the demo person picker, what the service holds, download, erase, the
 * lock-screen choice, and linking this device's notifications to you.
 *
 * Identity calls always send credentials (behind an SSO proxy its cookie is the identity) and, in the demo
 * mode, the chosen demo person's header. Nothing shows while the service has not answered, so a site whose
 * service is down or has no sign-in looks exactly as without this script. The service worker keeps the
 * last answers for offline reading (sw.js, "The community service"); an answer it kept says when it was saved.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, storage: STORAGE, urls: URLS, caches: CACHES } = practica;
  const onPage = practica.onPage || ((fn) => fn());
  const tr = practica.tr;   // shared.js: an interface string in the page's language
  const meta = document.querySelector('meta[name="practica:push"]');
  const API = meta && meta.content ? meta.content.replace(/\/+$/, "") : null;
  const ROOT = practica.siteRoot();   // read once: instant navigation changes location but keeps the page's config
  const MODES_WITH_SIGN_IN = ["jwt", "header", "demo"];

  /* ---------- Whom this browser has chosen to be in the demo mode: {api, id, name}, for this service only ---------- */
  function storage() {
    try { return window.localStorage; } catch { return null; }
  }

  function demoPerson() {
    try {
      const found = JSON.parse(storage().getItem(STORAGE.demoPerson));
      return found && found.api === API && found.id ? found : null;
    } catch {
      return null;
    }
  }

  /* Choose (or, with null, stop being) a demo person. The answers kept for the previous one go with them. */
  function chooseDemoPerson(person) {
    const store = storage();
    if (store) {
      if (person) store.setItem(STORAGE.demoPerson, JSON.stringify({ api: API, id: person.id, name: person.name }));
      else store.removeItem(STORAGE.demoPerson);
    }
    return forgetSavedCopies().then(refresh);
  }

  function forgetSavedCopies() {
    return window.caches ? caches.delete(CACHES.service).catch(() => false) : Promise.resolve(false);
  }

  /* ---------- The service's identity API: resolves {status, ok, data, text, savedAt, headers}; rejects when unreachable ---------- */
  function call(method, path, options) {
    const opts = options || {};
    const headers = Object.assign({}, opts.headers);
    const demo = opts.anonymous ? null : demoPerson();
    if (demo) headers[practica.demoHeader] = demo.id;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(API + path, { method, headers, credentials: "include", cache: "no-store",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
      .then((response) => response.text().then((text) => {
        let data;
        try { data = text ? JSON.parse(text) : null; } catch { data = null; }
        return { status: response.status, ok: response.ok, data, text, headers: response.headers,
          savedAt: response.headers.get(practica.headers.savedAt) };
      }));
  }

  /* GET /auth, once per page load (and again after a change). A demo person chosen for a service that has since
   * left the demo mode would make every request fail (its header is allowed only in that mode): forget it. */
  let asked = null;
  function identity() {
    if (!asked) {
      asked = call("GET", ENDPOINTS.auth).catch((error) => {
        if (!demoPerson()) throw error;
        return call("GET", ENDPOINTS.auth, { anonymous: true }).then((answer) => {
          if (answer.ok && answer.data.mode !== "demo") storage().removeItem(STORAGE.demoPerson);
          return answer;
        });
      }).then((answer) => {
        const refused = answer.data && answer.data.error;
        if (answer.status === 401 && refused && refused.code === "unknown_person" && demoPerson()) {
          storage().removeItem(STORAGE.demoPerson);   // that person is no longer on the site
          return call("GET", ENDPOINTS.auth);
        }
        return answer;
      });
      asked.catch(() => { asked = null; });   // unreachable: ask again next time
    }
    return asked;
  }

  function refresh() {
    asked = null;
    return identity().then(showInHeader, hideInHeader);
  }

  /* The small file the build writes for each person (me/people/<id>.json: {url, photo?, photo_large?}), or null. */
  function personCard(personId) {
    if (!personId) return Promise.resolve(null);
    return fetch(new URL(URLS.mePeople + encodeURIComponent(personId) + ".json", ROOT))
      .then((response) => response.ok ? response.json() : null)
      .catch(() => null);
  }

  /* ---------- The header: your name (with your photo or initials, and "demo" when picked), or "Sign in" ---------- */
  const control = document.querySelector("a.pr-me-link");
  if (control) control.setAttribute("href", new URL(URLS.me, ROOT).href);   // the header outlives page changes

  function hideInHeader() {
    if (control) control.hidden = true;
  }

  function showInHeader(answer) {
    if (!control) return;
    const auth = answer.ok && answer.data;
    if (!auth || MODES_WITH_SIGN_IN.indexOf(auth.mode) === -1) return hideInHeader();
    const reader = auth.reader;
    const parts = [];
    const name = document.createElement("span");
    name.className = "pr-me-link__name";
    name.textContent = reader ? reader.name || reader.email || tr("You") : tr("Sign in");
    if (reader) {   // a face (or initials) that stays when a phone's header has no room for the name
      const face = document.createElement("span");
      face.className = "pr-me-link__face";
      face.setAttribute("aria-hidden", "true");
      face.textContent = initials(name.textContent);
      parts.push(face);
    }
    parts.push(name);
    if (auth.mode === "demo") {
      const badge = document.createElement("span");
      badge.className = "pr-me-link__demo";
      badge.textContent = tr("demo");
      parts.push(" ", badge);
    }
    control.replaceChildren(...parts);
    control.title = reader ? tr("You and your data") : tr("Sign in: how, and what the service would hold about you");
    control.classList.toggle("pr-me-link--in", !!reader);
    control.hidden = false;
    if (reader && reader.person) {
      personCard(reader.person).then((card) => {
        const face = control.querySelector(".pr-me-link__face");
        if (!card || !card.photo || !face || !name.isConnected) return;
        const photo = document.createElement("img");
        photo.className = "pr-me-link__photo";
        photo.alt = "";
        photo.width = photo.height = 24;
        photo.addEventListener("load", () => { if (face.isConnected) face.replaceWith(photo); });
        photo.src = new URL(card.photo, ROOT).href;
      });
    }
  }

  function initials(name) {
    const parts = name.split(/[\s@.-]+/).filter(Boolean);
    return ((parts[0] || "?").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
  }

  if (API && control) refresh();

  /* For the other page scripts that talk to the service as the reader (talk.js). */
  practica.identity = { api: API, root: ROOT, call, who: identity, demoPerson };

  /* ---------- The page "You and your data" ---------- */
  function mePage(root) {
    const status = root.querySelector("[data-me-status]");
    const $ = (selector) => root.querySelector(selector);
    const button = (action) => root.querySelector('[data-me-action="' + action + '"]');
    const push = practica.push;
    let auth = null;
    let me = null;
    let saved = false;

    function show(view) {
      root.querySelectorAll("[data-me-view]").forEach((el) => { el.hidden = el.dataset.meView !== view; });
    }
    function say(text) { status.textContent = text; }
    /* While a change is on its way, further taps are ignored. Nothing is disabled: a disabled button would
     * lose the keyboard's focus. */
    let working = false;
    function busy(on) {
      working = on;
      if (on) root.setAttribute("aria-busy", "true");
      else root.removeAttribute("aria-busy");
    }

    function when(iso, withTime) {
      const date = iso ? new Date(iso) : null;
      if (!date || isNaN(date)) return tr("an earlier visit");
      const options = { day: "numeric", month: "short", year: "numeric" };
      if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
      return date.toLocaleString(undefined, options);
    }

    /* What the service said no to, in words. */
    function refusal(answer) {
      if (answer.status === 429) return tr("Too many changes in a short time. Try again in a minute.");
      const error = answer.data && answer.data.error;
      return tr("The community service refused this: %(reason)s.",
        { reason: error ? error.message : "HTTP " + answer.status });
    }
    function unreachable() {
      return tr("The community service cannot be reached right now. Nothing was changed; check your connection " +
        "and try again.");
    }

    function load() {
      if (!API) return show("off");
      if (!auth) show("loading");   // a reload after a change keeps the page (and the keyboard's place) as it is
      return identity().then((answer) => {
        if (!answer.ok) throw new Error("auth: HTTP " + answer.status);
        auth = answer.data;
        showInHeader(answer);
        if (MODES_WITH_SIGN_IN.indexOf(auth.mode) === -1) return show("none");
        if (!auth.reader) return render(null, answer.savedAt);
        return call("GET", ENDPOINTS.me).then((found) => {
          if (found.status === 401) return render(null, answer.savedAt);
          if (!found.ok) throw new Error("me: HTTP " + found.status);
          return render(found.data, found.savedAt || answer.savedAt);
        });
      }).catch(() => { auth = null; hideInHeader(); show("unreachable"); });
    }

    function render(held, savedAt) {
      me = held;
      saved = !!savedAt;
      const note = $("[data-me-saved]");
      note.hidden = !saved;
      note.textContent = saved ? tr("Saved copy from %(when)s. The community service cannot be reached, so this " +
        "is what it held then; changes wait until you are back online.", { when: when(savedAt, true) }) : "";
      renderDemo();
      $("[data-me-signed-out]").hidden = !!me;
      $("[data-me-signed-in]").hidden = !me;
      if (!me) {
        $("[data-me-how]").textContent = auth.mode === "demo" ?
          tr("Choose a demo person above to see what the service would hold about them.") :
          tr("This site signs readers in through your organisation's single sign-on. Sign in there, then reload " +
          "this page. Until then the service holds nothing about you: following communities and people needs " +
          "no sign-in.");
      } else {
        renderWho();
        renderHolds();
        renderDevice();
        $("[data-me-lock]").checked = me.lock_screen === "private";
        renderEmail();
      }
      show("ready");
      root.querySelectorAll("[data-me-signed-in] button, [data-me-signed-in] input, [data-me-demo] button, " +
        "[data-me-demo] input").forEach((el) => { el.disabled = saved; });
    }

    function renderDemo() {
      const demo = auth.mode === "demo";
      $("[data-me-demo]").hidden = !demo;
      if (!demo) return;
      const list = $("#pr-me-people");
      list.replaceChildren(...auth.demo_people.map((p) => new Option(p.name, p.name)));
      const stop = button("stop");
      const reader = auth.reader;
      stop.hidden = !reader;
      if (reader) stop.textContent = tr("Stop being %(name)s", { name: reader.name || reader.email });
    }

    function renderWho() {
      const missing = tr("Not given by the sign-in");
      $("[data-me-name]").textContent = me.name || missing;
      $("[data-me-email]").textContent = me.email || missing;
      const profile = $("[data-me-profile]");
      const photo = $("[data-me-photo]");
      photo.hidden = true;
      profile.textContent = me.person ? tr("Looking it up…") :
        tr("None: your email is not the contact email of anyone on this site.");
      personCard(me.person).then((card) => {
        if (!me.person) return;
        if (!card) {
          profile.textContent = tr("Not on this version of the site, or not readable offline.");
          return;
        }
        const link = document.createElement("a");
        link.href = new URL(card.url, ROOT).href;
        link.textContent = tr("Your profile on this site");
        profile.replaceChildren(link);
        if (!card.photo_large) return;
        photo.src = new URL(card.photo_large, ROOT).href;
        photo.hidden = false;
      });
      $("[data-me-demo-badge]").hidden = !me.demo;
    }

    function renderHolds() {
      const holds = $("[data-me-holds]");
      const sentences = me.holds || [];
      holds.replaceChildren(...(sentences.length ? sentences : [tr("Nothing. The service holds nothing about you.")])
        .map((text) => { const li = document.createElement("li"); li.textContent = text; return li; }));
      const devices = $("[data-me-devices]");
      const linked = me.devices || [];
      devices.replaceChildren(...(linked.length ? linked.map(deviceLine) : [tr("No device is linked to you.")])
        .map((text) => { const li = document.createElement("li"); li.textContent = text; return li; }));
    }

    let device = null;   // what this device holds about its push subscription (push.js), or null
    function deviceLine(d) {
      const lock = d.lock_screen === "private" ? tr("names and text hidden on its lock screen") :
        d.lock_screen === "full" ? tr("names and text shown on its lock screen") : tr("its lock screen follows your choice");
      return device && device.id === d.id ? tr("This device, linked on %(when)s; %(lock)s.", { when: when(d.created_at), lock })
        : tr("A device, linked on %(when)s; %(lock)s.", { when: when(d.created_at), lock });
    }

    function renderDevice() {
      const state = $("[data-me-device-state]");
      const read = push ? push.readState() : Promise.resolve(null);
      return read.then((held) => {
        device = held && held.api === API && held.id ? held : null;
        const linked = !!device && (me.devices || []).some((d) => d.id === device.id);
        button("link").hidden = !device || linked;
        button("unlink").hidden = !linked;
        $("[data-me-subscribe]").hidden = !!device;
        state.textContent = !device ? tr("This device does not get notifications yet. Turn them on first; then " +
          "you can link it to you, so reminders meant for you reach it too.") : linked ?
          tr("This device is linked to you: reminders meant for you reach it too.") :
          tr("This device gets notifications for what it follows, but is not linked to you.");
        renderHolds();   // now that this device is known, its line says so
      });
    }

    /* Run an action that changes something; `then(answer)` on success. A saved copy cannot be changed. */
    function change(method, path, options, then) {
      if (working || saved) return Promise.resolve();
      busy(true);
      return call(method, path, options).then((answer) => {
        if (answer.status === 401) {
          return refresh().then(load).then(() => {
            say(tr("You are no longer signed in. Sign in again, then try once more."));
          });
        }
        if (!answer.ok) return say(refusal(answer));
        return then(answer);
      }).catch(() => { say(unreachable()); }).then(() => { busy(false); });
    }

    function reloadMe(words) {
      return call("GET", ENDPOINTS.me).then((found) => {
        if (found.ok) me = found.data;
        renderHolds();
        return renderDevice();
      }).then(() => { say(words); }, () => { say(words); });
    }

    function ownerPath() {
      return ENDPOINTS.subscriptions + "/" + encodeURIComponent(device.id) + ENDPOINTS.owner;
    }

    button("link").addEventListener("click", () => {
      if (!device) return;
      change("POST", ownerPath(), { headers: { Authorization: "Bearer " + device.auth } },
        () => reloadMe("Linked. Reminders meant for you now reach this device too."));
    });
    button("unlink").addEventListener("click", () => {
      if (!device) return;
      change("DELETE", ownerPath(), { headers: { Authorization: "Bearer " + device.auth } },
        () => reloadMe("This device is no longer linked to you. It still gets what it follows."));
    });

    $("[data-me-lock]").addEventListener("change", (event) => {
      const hide = event.target.checked;
      change("PUT", ENDPOINTS.mePreferences, { body: { lock_screen: hide ? "private" : null } }, (answer) => {
        me = answer.data && answer.data.subject ? answer.data : Object.assign({}, me, { lock_screen: hide ? "private" : null });
        renderHolds();
        say(hide ? tr("Saved. Your reminders will not show names or text on a lock screen.") :
          tr("Saved. Your reminders show what is new on a lock screen, unless a device hides it."));
      }).then(() => { $("[data-me-lock]").checked = !!me && me.lock_screen === "private"; });
    });

    /* Email reminders: offered only when the service can send mail. */
    function renderEmail() {
      $("[data-me-reminders]").hidden = !me || !me.email_available;
      root.querySelectorAll("[data-me-email-choice]").forEach((input) => {
        input.checked = !!me && input.value === (me.email_reminders || "off");
      });
    }
    const EMAIL_SAID = { off: tr("Saved. You get no reminder emails."), replies: tr("Saved. You get an email for each " +
      "reply or mention."), digest: tr("Saved. You get one email a day with what was new for you.") };
    root.querySelectorAll("[data-me-email-choice]").forEach((input) => {
      input.addEventListener("change", () => {
        const email = input.value;
        change("PUT", ENDPOINTS.mePreferences, { body: { lock_screen: me.lock_screen || null, email } }, (answer) => {
          me = answer.data && answer.data.subject ? answer.data : Object.assign({}, me, { email_reminders: email });
          say(EMAIL_SAID[email]);
        }).then(renderEmail);
      });
    });

    button("export").addEventListener("click", () => {
      change("GET", ENDPOINTS.meExport, {}, (answer) => {
        const disposition = answer.headers.get("Content-Disposition") || "";
        const named = /filename="?([^";]+)"?/i.exec(disposition);
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([answer.text], { type: "application/json" }));
        link.download = named ? named[1] : "my-data.json";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => { URL.revokeObjectURL(link.href); }, 10000);
        say(tr("Downloaded %(file)s: everything the service holds about you, as JSON.", { file: link.download }));
      });
    });

    const confirmBox = $("[data-me-confirm]");
    button("erase").addEventListener("click", () => {
      const held = (me.holds || []).map((h) => h.charAt(0).toLowerCase() + h.slice(1).replace(/\.$/, ""));
      const devices = (me.devices || []).length ? " " + tr("Devices linked to you get no more notifications until they " +
        "are turned on again.") : "";
      $("[data-me-erases]").textContent = (held.length ? tr("It erases %(what)s.", { what: held.join("; ") }) :
        tr("It holds nothing about you now.")) + devices;
      confirmBox.hidden = false;
      button("erase").setAttribute("aria-expanded", "true");
      button("erase-confirm").focus();
    });
    function closeConfirm() {
      confirmBox.hidden = true;
      button("erase").setAttribute("aria-expanded", "false");
    }
    button("erase-cancel").addEventListener("click", () => {
      closeConfirm();
      button("erase").focus();
      say(tr("Nothing was erased."));
    });
    button("erase-confirm").addEventListener("click", () => {
      const linked = !!device && (me.devices || []).some((d) => d.id === device.id);
      change("DELETE", ENDPOINTS.me, {}, () => {
        closeConfirm();
        me = Object.assign({}, me, { holds: [], devices: [], lock_screen: null });
        // This device's subscription went with the link: what it remembers of it is of no use now.
        const forgotten = linked && push ? push.writeState(null) : Promise.resolve();
        return Promise.all([forgetSavedCopies(), forgotten]).then(renderDevice).then(() => {
          $("[data-me-lock]").checked = false;
          button("erase").focus();
          const stopped = linked ? " " + tr("This device was linked to you, so its notifications stopped too.") : "";
          say(tr("Erased. The service holds nothing about you now, and this device keeps no copy of it.") + stopped);
        });
      });
    });

    $("[data-me-pick]").addEventListener("submit", (event) => {
      event.preventDefault();
      const typed = event.target.elements.person.value.trim().toLowerCase();
      const people = auth.demo_people || [];
      const exact = people.filter((p) => p.name.toLowerCase() === typed || p.id === typed);
      const matching = exact.length ? exact : people.filter((p) => typed && p.name.toLowerCase().includes(typed));
      if (matching.length !== 1) {
        const name = event.target.elements.person.value;
        say(!typed ? tr("Type a name first, then choose from the list.") : matching.length ?
          tr("More than one demo person matches “%(name)s”: choose one from the list.", { name }) :
          tr("“%(name)s” is not one of the demo people. Type part of a name and choose from the list.", { name }));
        event.target.elements.person.focus();
        return;
      }
      const person = matching[0];
      event.target.elements.person.value = "";
      if (working) return;
      busy(true);
      chooseDemoPerson(person).then(load).then(() => {
        busy(false);
        say(tr("You are now %(name)s (demo).", { name: person.name }));
      });
    });
    button("stop").addEventListener("click", () => {
      const was = auth.reader ? auth.reader.name || auth.reader.email : tr("that person");
      if (working) return;
      busy(true);
      chooseDemoPerson(null).then(load).then(() => {
        busy(false);
        say(tr("You are no longer %(name)s. Nobody is signed in on this browser.", { name: was }));
        $("#pr-me-person").focus();
      });
    });
    button("retry").addEventListener("click", () => {
      asked = null;
      say("");
      load();
    });

    load();
  }

  onPage(() => {
    const root = document.querySelector("[data-me-page]");
    if (!root || root.dataset.prReady) return;
    root.dataset.prReady = "1";
    mePage(root);
  });
})();
