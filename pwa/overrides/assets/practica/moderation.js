/* Practica: the stewards' page (moderation/). For a community's stewards and the site's admins: held posts to
 * approve or reject (GET /moderation/queue), open flags with their reasons to dismiss or act on (GET
 * /moderation/flags), and for admins the moderation log, a page at a time (GET /moderation/log). Anyone else is
 * told plainly that the page is not for them. Post HTML is the service's sanitised `html`, the only HTML this
 * script inserts; everything else is text. practica.js loads it only on this page.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, urls: URLS } = practica;
  const ID = practica.identity;
  const LOG_PAGE = 20;
  const REASONS = { spam: "Spam", rude: "Rude or hurtful", off_topic: "Off topic",
    personal_data: "Shares personal data", wrong: "Wrong or misleading", other: "Something else" };
  const ACTIONS = { hide: "hid a post", unhide: "showed a hidden post again", note: "added a steward's note",
    unnote: "removed a steward's note", approve: "approved a held post", reject: "rejected a held post",
    pin: "pinned a thread", unpin: "unpinned a thread", lock: "locked a thread", unlock: "unlocked a thread",
    accept: "accepted an answer", unaccept: "took back an accepted answer", resolve: "resolved a flag" };

  const el = practica.el;   // shared.js: an element with attributes and text, never HTML
  const serviceHtml = (html) => practica.serviceHtml(html, "pr-mod__body");   // shared.js: the service's HTML
  const when = practica.dateTime;

  function page(root) {
    const status = root.querySelector("[data-mod-status]");
    const sections = (name) => root.querySelector('[data-mod-section="' + name + '"]');
    const lists = (name) => root.querySelector('[data-mod-list="' + name + '"]');
    const older = root.querySelector('[data-mod-action="older"]');
    let logNext = null;
    let working = false;   // further taps are ignored while a change is on its way (nothing is disabled)
    const say = (text) => { status.textContent = text; };
    const refusal = (answer) => (answer.data && answer.data.error && answer.data.error.message) ||
      "The service refused that (" + answer.status + ").";

    function load() {
      return ID.who().then((auth) => {
        if (!auth.ok || !auth.data || !auth.data.reader) {
          hideAll();
          status.replaceChildren("Sign in to see the stewards' page: ",
            el("a", { href: new URL(URLS.me, ID.root).href, text: "sign in" }), ".");
          return null;
        }
        return Promise.all([ID.call("GET", ENDPOINTS.moderation + "/queue"),
          ID.call("GET", ENDPOINTS.moderation + "/flags"),
          ID.call("GET", ENDPOINTS.moderation + "/log?limit=" + LOG_PAGE)]).then(render);
      }).catch(() => {
        hideAll();
        say("The community service cannot be reached right now. Try again later.");
      });
    }

    function hideAll() { ["queue", "flags", "log"].forEach((name) => { sections(name).hidden = true; }); }

    function render([queue, flags, log]) {
      const admin = log.ok;
      if (queue.status === 403 && !admin) {
        hideAll();
        say("You are not a steward of any community, so there is nothing for you to moderate here. Each " +
          "community's stewards are named on its page.");
        return;
      }
      if (!queue.ok || !flags.ok) throw new Error("refused");
      say("");
      sections("queue").hidden = false;
      lists("queue").replaceChildren(...queue.data.map(heldRow));
      if (!queue.data.length) lists("queue").append(el("li", { class: "pr-mod__empty", text: "No posts are waiting." }));
      sections("flags").hidden = false;
      lists("flags").replaceChildren(...flags.data.map(flagRow));
      if (!flags.data.length) lists("flags").append(el("li", { class: "pr-mod__empty", text: "No open flags." }));
      sections("log").hidden = !admin;
      if (admin) {
        lists("log").replaceChildren(...log.data.entries.map(logRow));
        logNext = log.data.next;
        older.hidden = !logNext;
      }
    }

    function title(thread) {
      return thread.title || (thread.kind === "item" ? "A discussion of an item" : "A thread whose title was removed");
    }

    /* A post in its place: a heading, where and by whom, its text, and a link to it on the site. */
    function postBlock(entry, heading) {
      const post = entry.post;
      const author = post.author ? post.author.name : "Deleted";
      const where = [heading === title(entry.thread) ? "" : title(entry.thread), entry.thread.community || ""];
      return [
        el("h3", { class: "pr-mod__title", text: heading }),
        el("p", { class: "pr-mod__meta" }, [...where.filter(Boolean), author].join(" · ") + " · ",
          el("time", { datetime: post.created_at, text: when(post.created_at) })),
        post.html ? serviceHtml(post.html) : el("p", { class: "pr-mod__body", text: post.hidden_reason ?
          "Hidden: " + post.hidden_reason : "No text." }),
        el("p", {}, el("a", { href: entry.url, text: "Go to the post" })),
      ];
    }

    function heldRow(entry) {
      const li = el("li", { class: "pr-mod__entry", id: "held-" + entry.post.id, tabindex: "-1" },
        ...postBlock(entry, title(entry.thread)));
      const slot = el("div", { class: "pr-mod__form" });
      const bar = el("div", { class: "pr-mod__actions" });
      const approve = el("button", { type: "button", class: "md-button md-button--primary", text: "Approve" });
      const reject = el("button", { type: "button", class: "md-button", text: "Reject" });
      approve.addEventListener("click", () => act("POST", ENDPOINTS.posts + "/" + entry.post.id + "/approve", {},
        "Approved: everyone sees the post now.", "queue"));
      reject.addEventListener("click", () => reasonForm(slot, "reject-" + entry.post.id,
        "Why is it rejected? (for the moderation log)", "Reject post", (reason) => act("POST",
          ENDPOINTS.posts + "/" + entry.post.id + "/reject", { reason }, "The post is rejected.", "queue"), reject));
      bar.append(approve, " ", reject);
      li.append(bar, slot);
      return li;
    }

    function flagRow(flag) {
      const li = el("li", { class: "pr-mod__entry", id: "flag-" + flag.id, tabindex: "-1" },
        ...postBlock(flag, "Flagged: " + (REASONS[flag.reason] || flag.reason)));
      if (flag.text) li.insertBefore(el("p", { class: "pr-mod__said", text: "The reader wrote: " + flag.text }), li.children[1]);
      const slot = el("div", { class: "pr-mod__form" });
      const bar = el("div", { class: "pr-mod__actions" });
      const dismiss = el("button", { type: "button", class: "md-button", text: "Resolve: no action needed" });
      dismiss.addEventListener("click", () => act("POST", ENDPOINTS.flags + "/" + flag.id + "/resolve", {},
        "The flag is resolved.", "flags"));
      bar.append(dismiss);
      if (flag.post.state === "visible") {
        const hide = el("button", { type: "button", class: "md-button md-button--primary", text: "Hide the post" });
        hide.addEventListener("click", () => reasonForm(slot, "hide-" + flag.id, "Reason, shown in the post's place",
          "Hide post", (reason) => act("POST", ENDPOINTS.posts + "/" + flag.post.id + "/hide", { reason },
            "The post is hidden and its flags resolved.", "flags"), hide));
        bar.append(" ", hide);
      }
      li.append(bar, slot);
      return li;
    }

    function logRow(entry) {
      return el("tr", {},
        el("td", { "data-label": "When" }, el("time", { datetime: entry.at, text: when(entry.at) })),
        el("td", { "data-label": "Who", text: entry.actor.name }),
        el("td", { "data-label": "What", text: (ACTIONS[entry.action] || entry.action) +
          (entry.thread ? " (thread " + entry.thread + (entry.post ? ", post " + entry.post : "") + ")" : "") }),
        el("td", { "data-label": "Why", text: entry.reason || "" }));
    }

    function reasonForm(slot, id, label, action, send, back) {
      const input = el("input", { id: "pr-mod-" + id, name: "reason", type: "text", maxlength: 300, required: true });
      const cancel = el("button", { type: "button", class: "md-button", text: "Cancel" });
      const form = el("form", { class: "pr-talk__form" }, el("label", { for: "pr-mod-" + id, text: label }), input,
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: action }), cancel));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (input.value.trim()) send(input.value.trim());
      });
      cancel.addEventListener("click", () => { slot.replaceChildren(); back.focus(); });
      slot.replaceChildren(form);
      input.focus();
    }

    /* A change; the answer reloads the lists and the keyboard's focus goes to the section's heading. */
    function act(method, path, body, done, section) {
      if (working) return;
      working = true;
      ID.call(method, path, { body }).then((answer) => {
        working = false;
        if (!answer.ok) { say(refusal(answer)); return null; }
        return load().then(() => {
          say(done);
          root.querySelector("#pr-mod-" + section).focus();
        });
      }, () => {
        working = false;
        say("The service cannot be reached. Try again when you are online.");
      });
    }

    older.addEventListener("click", () => {
      if (working || !logNext) return;
      working = true;
      ID.call("GET", ENDPOINTS.moderation + "/log?limit=" + LOG_PAGE + "&before=" + logNext).then((answer) => {
        working = false;
        if (!answer.ok) { say(refusal(answer)); return; }
        const rows = answer.data.entries.map(logRow);
        lists("log").append(...rows);
        logNext = answer.data.next;
        older.hidden = !logNext;
        say(rows.length + " older entries shown.");
        if (rows.length) {
          rows[0].firstChild.setAttribute("tabindex", "-1");
          rows[0].firstChild.focus();
        }
      }, () => { working = false; say("The service cannot be reached. Try again when you are online."); });
    });

    load();
  }

  practica.onPage(() => {
    const root = document.querySelector("[data-pr-moderation]");
    if (!root || root.dataset.prReady) return;
    root.dataset.prReady = "1";
    if (!ID || !ID.api) {
      root.querySelector("[data-mod-status]").textContent = "This site has no community service, so there is " +
        "nothing to moderate.";
      return;
    }
    page(root);
  });
})();
