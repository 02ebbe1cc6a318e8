/* The notification settings page (notifications/): choose communities, people, kinds, frequency, quiet hours,
 * time zone and whether this device's lock screen shows names and text; turn notifications on (permission is
 * asked only after a tap), save changes, send a test, unsubscribe. Choices come from the push service
 * (GET /options), so only what exists can be chosen. Uses push.js (practica.push) for the service's address,
 * its API and what this device holds.
 */
(() => {
  "use strict";

  const push = practica.push;
  const onPage = practica.onPage || ((fn) => fn());
  if (!push) return;
  const API = push.url;
  const api = push.api;
  const readState = push.readState;
  const writeState = push.writeState;
  const refusal = push.refusal;
  const SUBSCRIPTIONS = practica.endpoints.subscriptions + "/";
  const tr = practica.tr;   // shared.js: an interface string in the page's language

  const TYPE_NAMES = { lesson: tr("Lessons"), video: tr("Videos"), faq: tr("Answers (FAQ)"), path: tr("Learning paths") };
  const FREQUENCY_NAMES = { immediate: tr("As soon as something is published"), daily: tr("A daily digest"),
    weekly: tr("A weekly digest") };
  function checkbox(type, name, value, text, checked) {
    const label = document.createElement("label");
    label.className = "pr-push__choice";
    const input = document.createElement("input");
    input.type = type;
    input.name = name;
    input.value = value;
    input.checked = checked;
    const span = document.createElement("span");
    span.textContent = text;
    label.append(input, " ", span);
    return label;
  }

  function fill(form, name, choices, chosen, type) {
    const box = form.querySelector('[data-push-choices="' + name + '"]');
    box.textContent = "";
    choices.forEach((c) => {
      box.appendChild(checkbox(type || "checkbox", name, c.id, c.name, chosen.indexOf(c.id) !== -1));
    });
    const group = form.querySelector('[data-push-group="' + name + '"]');
    if (group) group.hidden = choices.length === 0;
  }

  function zones(current) {
    const list = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    return ["UTC"].concat(list).concat(list.indexOf(current) === -1 ? [current] : [])
      .filter((z, i, all) => all.indexOf(z) === i);
  }

  function settingsPage(root) {
    const form = root.querySelector("form");
    const status = root.querySelector("[data-push-status]");
    const summary = root.querySelector("[data-push-summary]");
    const params = new URLSearchParams(location.search);
    let asked = { topics: params.getAll("topic"), people: params.getAll("person") };
    const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    let state = null;
    let options = null;

    function show(view) {
      root.querySelectorAll("[data-push-view]").forEach((el) => { el.hidden = el.dataset.pushView !== view; });
    }
    function say(text) { status.textContent = text; }
    function button(action) { return root.querySelector('[data-push-action="' + action + '"]'); }
    function busy(on) { form.querySelectorAll("button").forEach((b) => { b.disabled = on; }); }

    function render() {
      const prefs = (state && state.preferences) || { topics: [], people: [], types: [], frequency: "immediate",
        quiet_hours: null, timezone: localZone };
      const named = (ids) => ids.map((id) => ({ id, name: TYPE_NAMES[id] || id }));
      fill(form, "topics", options.topics, prefs.topics.concat(asked.topics));
      fill(form, "people", options.people, prefs.people.concat(asked.people));
      fill(form, "types", named(options.types), prefs.types);
      fill(form, "frequency", options.frequencies.map((f) => ({ id: f, name: FREQUENCY_NAMES[f] || f })),
        [prefs.frequency], "radio");
      form.elements.quiet.checked = !!prefs.quiet_hours;
      if (prefs.quiet_hours) {
        form.elements.quiet_start.value = prefs.quiet_hours.start;
        form.elements.quiet_end.value = prefs.quiet_hours.end;
      }
      const list = root.querySelector("datalist");
      list.textContent = "";
      zones(prefs.timezone).forEach((z) => { list.appendChild(new Option(z.replace(/_/g, " "), z)); });
      form.elements.timezone.value = prefs.timezone;
      form.elements.lock_screen.checked = prefs.lock_screen === "private";
      const blocked = !state && window.Notification && Notification.permission === "denied";
      summary.textContent = state ? tr("Notifications are on for this device.") : blocked ?
        tr("Notifications are blocked for this site in your browser's settings. Allow them there, then come back.") :
        tr("Notifications are off on this device. Choose what you want to hear about, then turn them on.");
      button("save").textContent = state ? tr("Save changes") : tr("Turn on notifications");
      button("test").hidden = button("unsubscribe").hidden = !state;
      const known = options.topics.concat(options.people);
      const wanted = asked.topics.concat(asked.people).filter((id) => prefs.topics.concat(prefs.people).indexOf(id) === -1);
      const missing = wanted.filter((id) => !known.some((c) => c.id === id));
      const names = known.filter((c) => wanted.indexOf(c.id) !== -1).map((c) => c.name);
      if (missing.length) {
        say(tr("“%(names)s” cannot be followed: it is not on the site any more.", { names: missing.join("”, “") }));
      } else if (names.length && state) {
        const and = " " + tr("and") + " ";
        say(tr("Press “Save changes” to follow %(names)s.", { names: names.join(and) }));
      }
    }

    function collect() {
      const picked = (name) => Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'),
        (i) => i.checked).map((i) => i.value);
      const quiet = form.elements.quiet.checked ?
        { start: form.elements.quiet_start.value, end: form.elements.quiet_end.value } : null;
      if (quiet && (!quiet.start || !quiet.end || quiet.start === quiet.end)) {
        say(tr("Quiet hours need a start and an end time, and they must differ."));
        return null;
      }
      const zone = zoneNamed(form.elements.timezone.value);
      if (!zone) {
        say(tr("“%(zone)s” is not a time zone in the list. Type a city, such as Berlin, and choose its zone.",
          { zone: form.elements.timezone.value }));
        form.elements.timezone.focus();
        return null;
      }
      return { topics: picked("topics"), people: picked("people"), types: picked("types"),
        frequency: picked("frequency")[0] || "immediate", quiet_hours: quiet, timezone: zone,
        lock_screen: form.elements.lock_screen.checked ? "private" : null };   // null: the reader's or the site's
    }

    /* The zone typed (its name as listed, with spaces or underscores, in any case), or null. */
    function zoneNamed(typed) {
      const wanted = typed.trim().replace(/ /g, "_").toLowerCase();
      return Array.prototype.map.call(root.querySelectorAll("datalist option"), (o) => o.value)
        .filter((z) => z.toLowerCase() === wanted)[0] || null;
    }

    function remember(next) {
      state = next;
      asked = { topics: [], people: [] };
      return writeState(next).then(render);
    }

    /* On load: does the service still know the subscription this device remembers, and may it still show
     * notifications? (If the browser lost the subscription itself, the push service answers 404/410 to the
     * next push and the service forgets it.) */
    function reconcile(saved) {
      if (!saved || !saved.id) return Promise.resolve(null);
      return api("GET", SUBSCRIPTIONS + saved.id, undefined, saved.auth).then((found) => {
        if (found.status >= 500 || found.status === 429) throw new Error("service failed");
        if (found.ok && Notification.permission === "granted") {
          return Object.assign({}, saved, { preferences: found.data.preferences });
        }
        if (found.ok) api("DELETE", SUBSCRIPTIONS + saved.id, undefined, saved.auth).catch(() => {});
        return writeState(null).then(() => null);   // expired, or permission withdrawn
      });
    }

    function load() {
      show("loading");
      Promise.all([api("GET", practica.endpoints.options), readState()]).then((r) => {
        if (!r[0].ok) throw new Error("options: HTTP " + r[0].status);
        options = r[0].data;
        return reconcile(r[1]);
      }).then((saved) => {
        state = saved;
        render();
        show("form");
      }).catch(() => { show("unreachable"); });
    }

    /* What push.js did (subscribe, update, unsubscribe), shown here: `words` when it worked. */
    function settled(words) {
      return (result) => {
        if (result.problem) return say(result.problem);
        return remember(result.state || null).then(() => {
          say(result.expired ? tr("This device's subscription had expired. Press “Turn on notifications” to " +
            "subscribe again.") : words);
        });
      };
    }

    function subscribe(prefs) {
      return Notification.requestPermission().then((permission) => {
        const problem = push.permissionProblem(permission, tr("press the button again"));
        if (problem) return say(problem);
        say(tr("Turning on notifications…"));
        return push.subscribe(prefs).then(settled(tr("Notifications are on. Send yourself a test to see one now.")));
      });
    }

    function update(prefs) {
      return push.update(state, prefs).then(settled(tr("Saved. You will hear about what you chose.")));
    }

    function sendTest() {
      return api("POST", SUBSCRIPTIONS + state.id + "/test", undefined, state.auth).then((res) => {
        if (res.ok) return say(tr("Test sent. It should appear in a moment."));
        if (res.status === 410 || res.status === 404) {
          return remember(null).then(() => {
            say(tr("The browser's push service says this subscription has expired. Turn notifications on again."));
          });
        }
        say(refusal(res));
      });
    }

    function unsubscribe() {
      return push.unsubscribe(state).then(settled(tr("Unsubscribed. This device will get no more notifications.")));
    }

    function run(action) {
      busy(true);
      return action().catch((error) => { say(push.unreachable(error)); }).then(() => { busy(false); });
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const prefs = collect();
      if (prefs) run(() => state ? update(prefs) : subscribe(prefs));
    });
    button("test").addEventListener("click", () => { run(sendTest); });
    button("unsubscribe").addEventListener("click", () => { run(unsubscribe); });
    button("retry").addEventListener("click", load);

    if (!API) return show("off");
    if (push.ios && !push.standalone) return show("ios");
    if (!push.supported()) return show("unsupported");
    load();
  }

  onPage(() => {
    const root = document.querySelector("[data-push-page]");
    if (!root || root.dataset.prReady) return;
    root.dataset.prReady = "1";
    settingsPage(root);
  });
})();
