/* Practica: "Ask an expert" — "Ask Priya" on a profile, "Ask someone who knows …" on a skill page, "Ask a
 * question" in an item's "Ask an expert" section (`_macros.html.j2` ask()). The button opens a small form (title,
 * question, the community when the target has several); the question goes through the outbox (outbox.js) to
 * POST /questions, so one written offline waits on this device and is sent once. Signed out: a link to sign in;
 * service unreachable: says so. Everything the service sends back is inserted as text.
 * practica.js loads this script (after outbox.js) only on pages with an ask control and a community service.
 */
(() => {
  "use strict";

  const { urls: URLS } = practica;
  const ID = practica.identity;
  const OUT = practica.outbox;
  if (!ID || !ID.api || !OUT) return;
  let forms = 0;

  const el = practica.el;   // shared.js: an element with attributes and text, never HTML
  const tr = practica.tr;   // shared.js: an interface string in the page's language
  function communitiesOf(root) {
    try { return JSON.parse(root.dataset.askCommunities) || []; } catch { return []; }
  }
  function errorOf(answer) {
    return (answer.data && answer.data.error) || { code: "", message: tr("The service refused the question.") };
  }
  /* "sent to Priya Raman and 2 others", or that nobody could be asked. */
  function routedWords(names) {
    if (!names.length) return tr("nobody is available to answer right now, so it waits there for the community");
    const others = names.length - 1;
    if (!others) return tr("sent to %(name)s", { name: names[0] });
    return others === 1 ? tr("sent to %(name)s and 1 other", { name: names[0] })
      : tr("sent to %(name)s and %(num)s others", { name: names[0], num: others });
  }

  function control(root) {
    const open = root.querySelector(".pr-ask__open");
    const panel = root.querySelector("[data-ask-panel]");
    const label = open.textContent.trim();
    const n = ++forms;
    panel.id = panel.id || "pr-ask-panel-" + n;
    open.setAttribute("aria-controls", panel.id);
    root.hidden = false;

    function close() {
      panel.replaceChildren();
      open.setAttribute("aria-expanded", "false");
      open.focus();
    }
    function say(node) {
      panel.replaceChildren(el("p", { class: "pr-ask__status", role: "status" }, node));
    }

    open.addEventListener("click", () => {
      if (open.getAttribute("aria-expanded") === "true") { close(); return; }
      open.setAttribute("aria-expanded", "true");
      say(document.createTextNode(tr("Loading…")));
      ID.who().then((auth) => {
        const reader = auth.ok && auth.data ? auth.data.reader : null;
        if (!reader) {
          say(el("a", { href: new URL(URLS.me, ID.root).href, text: tr("Sign in to %(action)s", { action: label.charAt(0).toLowerCase() + label.slice(1) }) }));
          return;
        }
        form(false);
      }, () => {
        if (navigator.onLine === false) form(true);
        else say(document.createTextNode(tr("Asking is unavailable right now: the community service cannot be reached.")));
      });
    });

    function form(offline) {
      const ids = { title: "pr-ask-title-" + n, body: "pr-ask-body-" + n, community: "pr-ask-community-" + n,
        heading: "pr-ask-heading-" + n };
      const communities = communitiesOf(root);
      const title = el("input", { id: ids.title, name: "title", type: "text", maxlength: 150, required: true,
        autocomplete: "off" });
      const body = el("textarea", { id: ids.body, name: "body", rows: 4, maxlength: 10000, required: true });
      const where = communities.length > 1 ? el("select", { id: ids.community, name: "community" },
        ...communities.map(([id, name]) => el("option", { value: id, text: name }))) : null;
      const status = el("p", { class: "pr-ask__status", role: "status", "aria-live": "polite",
        text: offline ? tr("You are offline: your question will wait on this device and be sent when you are back online.") : "" });
      const node = el("form", { class: "pr-talk__form pr-ask__form", "aria-labelledby": ids.heading },
        el("h3", { id: ids.heading, text: label }),
        el("label", { for: ids.title, text: tr("Title") }), title,
        el("label", { for: ids.body, text: tr("Your question") }), body,
        where ? el("label", { for: ids.community, text: tr("Community") }) : null, where,
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: tr("Send question") }),
          el("button", { type: "button", class: "md-button", "data-ask-cancel": true, text: tr("Cancel") })),
        status);
      node.querySelector("[data-ask-cancel]").addEventListener("click", close);
      let sending = false;
      node.addEventListener("submit", (event) => {
        event.preventDefault();
        if (sending || !title.value.trim() || !body.value.trim()) return;
        sending = true;
        const fields = { title: title.value.trim(), body: body.value.trim(), community: where ? where.value : null };
        send(Object.assign({ ask: { [root.dataset.prAsk]: root.dataset.askTarget } }, fields), status)
          .finally(() => { sending = false; });
      });
      panel.replaceChildren(node);
      title.focus();
    }

    /* Into the outbox, then sent; what became of it, in words. */
    function send(fields, status) {
      const entry = OUT.add(Object.assign({ page: "ask:" + root.dataset.askTarget }, fields));
      status.textContent = tr("Sending…");
      return OUT.flush().then((refused) => {
        const mine = refused.find((r) => r.entry.key === entry.key);
        if (mine) return refusedWith(errorOf(mine.answer), fields, status);
        if (OUT.pending(entry)) {
          status.textContent = tr("You are offline or the service cannot be reached: your question waits on this " +
            "device and is sent when it can be.");
          return null;
        }
        done(OUT.answer(entry.key));
        return null;
      });
    }

    /* The person asked is at their daily limit: say so, and offer their community's board instead. */
    function refusedWith(error, fields, status) {
      status.replaceChildren(document.createTextNode(error.message));
      if (error.code !== "expert_at_cap") return;
      const board = el("button", { type: "button", class: "md-button", text: tr("Post it on the community's board instead") });
      board.addEventListener("click", () => {
        const community = fields.community || (communitiesOf(root)[0] || [])[0];
        if (!community) return;
        send({ community, type: "question", title: fields.title, body: fields.body }, status);
      });
      status.append(" ", board);
      board.focus();
    }

    function done(answer) {
      if (!answer || !answer.thread) { say(document.createTextNode(tr("Your question is posted."))); return; }
      const thread = answer.thread;
      const community = answer.community || { name: tr("community"), url: new URL(".", location.href).href };
      const names = (thread.routed_to || []).map((p) => p.name);
      const link = el("a", { href: community.url + "?thread=" + encodeURIComponent(thread.id) + "#discussions",
        text: tr("See your question") });
      const words = answer.community ? tr("Your question is on the %(community)s board, %(routed)s.",
        { community: community.name, routed: routedWords(names) }) + " " : tr("Your question is on its community's board.") + " ";
      panel.replaceChildren(el("p", { class: "pr-ask__status pr-ask__done", role: "status" }, words, link));
      open.setAttribute("aria-expanded", "false");
      link.focus();
    }
  }

  window.addEventListener("online", () => { OUT.flush(); });
  practica.onPage(() => {
    document.querySelectorAll("[data-pr-ask]").forEach((root) => {
      if (root.dataset.prReady) return;
      root.dataset.prReady = "1";
      control(root);
    });
    OUT.flush();
  });
})();
