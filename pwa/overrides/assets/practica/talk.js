/* Practica: an item's discussion (the section "Discussion" under lessons, videos, FAQs and paths), read and
 * written through the community service as the reader me.js knows (practica.identity).
 *
 * Post and note HTML is the service's, already sanitised (talk/markup); it is the only HTML this script inserts,
 * through shared.js's serviceHtml (tests/test_csp.py holds that no script inserts HTML any other way).
 * Everything else is text. A post written while the service cannot be reached waits in the outbox (outbox.js)
 * with its idempotency key and is sent on `online` or the next page view: a resend is the same post, never a
 * second one. Before a reader's first post (GET /me says `posts: 0`) each form shows the guidelines that apply
 * here (the section's data-pr-guidelines) and is sent only once "I have read the guidelines" is ticked. A steward
 * (the service says `moderator`) also gets notes, pin and lock, approve and reject, and a link to the stewards'
 * page. practica.js loads this script (after outbox.js) only on pages with a discussion.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, urls: URLS } = practica;
  const tr = practica.tr;   // shared.js: an interface string in the page's language
  const ID = practica.identity;
  if (!ID || !ID.api || !practica.outbox) return;
  const FLAG_REASONS = [["spam", tr("Spam")], ["rude", tr("Rude or hurtful")], ["off_topic", tr("Off topic")],
    ["personal_data", tr("Shares personal data")], ["wrong", tr("Wrong or misleading")], ["other", tr("Something else")]];
  const BOARD_PAGE = 20;   // threads per tr("Load more")
  const HINT = tr("Markdown works: *emphasis*, **bold**, lists, `code`, [links](https://…) and @person-id mentions.");

  /* ---------- Small DOM helpers: text only ---------- */
  const el = practica.el;   // shared.js: an element with attributes and text, never HTML
  /* A small round photo beside an author's name (decorative: the name follows): an introduced person's from the
   * service, a site person's profile photo from their card (me/people/<id>.json); shown once it has loaded. */
  const cards = {};
  function face(author) {
    const img = el("img", { class: "pr-post__face", alt: "", width: 24, height: 24, decoding: "async", hidden: true });
    img.addEventListener("load", () => { img.hidden = false; });
    if (author.photo) img.src = ID.api.replace(/\/api\/v1$/, "") + author.photo;
    else {
      cards[author.person] = cards[author.person] || fetch(new URL(URLS.mePeople + encodeURIComponent(author.person) + ".json", ID.root))
        .then((response) => response.ok ? response.json() : null).catch(() => null);
      cards[author.person].then((card) => { if (card && card.photo) img.src = new URL(card.photo, ID.root).href; });
    }
    return img;
  }
  const { serviceHtml, dateTime: when } = practica;   // shared.js: the service's sanitised HTML; a date and time
  /* ---------- The outbox (outbox.js): posts not yet taken by the service ---------- */
  const { newKey, entries: outbox, keep, whoAmI, flush, waiting } = practica.outbox;

  /* ---------- Before a first post: the guidelines, and "I have read them" ---------- */
  /* Whether the signed-in reader has never posted, on a page whose discussion has guidelines. */
  const posted = new Set();   // readers (API and demo person) known to have posted: no need to ask again
  function firstPost(root, reader) {
    const who = ID.api + " " + whoAmI();
    if (!reader || !root.dataset.prGuidelines || posted.has(who)) return Promise.resolve(false);
    return ID.call("GET", ENDPOINTS.me).then((answer) => {
      if (!answer.ok || !answer.data) return false;
      if (answer.data.posts > 0) posted.add(who);
      return answer.data.posts === 0;
    }, () => false);
  }
  function guidelines(root, id) {
    return el("div", { class: "pr-guidelines", role: "group", "aria-labelledby": id + "-title" },
      el("p", { id: id + "-title", class: "pr-guidelines__title", text: tr("Before your first post") }),
      el("p", { class: "pr-guidelines__summary", text: root.dataset.prGuidelinesSummary || "" }),
      el("p", {}, el("a", { href: root.dataset.prGuidelines, text: tr("Read the community guidelines") })),
      el("p", { class: "pr-guidelines__confirm" },
        el("input", { type: "checkbox", id, name: "guidelines" }), " ",
        el("label", { for: id, text: tr("I have read the guidelines") })));
  }
  /* False (and the box focused, the reason said) while the form's guidelines box is not ticked. */
  function confirmed(form, say) {
    const box = form.querySelector('input[name="guidelines"]');
    if (!box || box.checked) return true;
    say(tr("Please read the guidelines and tick “I have read the guidelines” before your first post."));
    box.focus();
    return false;
  }

  /* ---------- One discussion: an item's (where.item) or a board thread on its hub (where.thread) ---------- */
  function discussion(root, where) {
    const item = where.item || null;
    const page = item || "thread:" + where.thread;   // what the outbox shows waiting here
    const status = root.querySelector("[data-talk-status]");
    const list = root.querySelector("[data-talk-posts]");
    const join = root.querySelector("[data-talk-join]");
    let view = null;      // the last Discussion the service gave
    let reader = null;
    let first = false;    // the reader has never posted: forms show the guidelines
    let working = false;  // further taps are ignored while a change is on its way (nothing is disabled)
    const state = el("p", { class: "pr-talk__state", "data-talk-state": true, hidden: true });
    const tools = el("div", { class: "pr-talk__tools", role: "group", "aria-label": tr("Stewards' tools"), hidden: true });
    root.insertBefore(state, list);
    root.insertBefore(tools, list);
    root.hidden = false;

    function say(text) { status.textContent = text; }
    function refusal(answer) {
      const error = answer.data && answer.data.error;
      if (answer.status === 429) return tr("Too many posts in a short time. Try again in a minute.");
      if (answer.status === 401) return tr("Sign in again to do that.");
      return error && error.message ? error.message : tr("The service refused that (%(status)s).", { status: answer.status });
    }

    function load() {
      return ID.who().then((auth) => {
        reader = auth.ok && auth.data ? auth.data.reader : null;
        return Promise.all([
          ID.call("GET", ENDPOINTS.threads + (item ? "?item=" + encodeURIComponent(item) : "/" + where.thread)),
          firstPost(root, reader)]);
      }).then(([answer, never]) => {
        first = never;
        if (answer.status === 401) { view = null; render(); return; }
        if (!answer.ok) throw new Error("refused");
        view = answer.data;
        render(answer.savedAt);
      }).catch(() => {
        list.replaceChildren();
        join.replaceChildren();
        say(tr("Discussion is unavailable right now."));
        renderWaiting();
      });
    }

    function render(savedAt) {
      say(savedAt ? tr("Saved copy from %(when)s. It may have changed since.", { when: when(savedAt) }) : "");
      const posts = view ? view.posts : [];
      if (where.head) where.head(view);
      renderState();
      list.replaceChildren(...posts.map((post) => postItem(post, false)));
      if (view && !posts.length) say(tr("No posts yet. Start the discussion."));
      renderWaiting();
      renderJoin();
      if (location.hash.startsWith("#post-")) {
        const target = document.getElementById(location.hash.slice(1));
        if (target && root.contains(target)) target.scrollIntoView();
      }
    }

    /* "Pinned" and "Locked" for everyone; for a steward, the thread's tools and the stewards' page. */
    function renderState() {
      const thread = view && view.thread;
      const words = thread ? [thread.pinned ? tr("Pinned") : "", thread.locked ? tr("Locked: new posts are closed") : ""]
        .filter(Boolean).join(" · ") : "";
      state.textContent = words;
      state.hidden = !words;
      tools.hidden = !(view && view.moderator);
      if (tools.hidden) { tools.replaceChildren(); return; }
      const toggle = (on, yes, no, action, done) => {
        const button = el("button", { type: "button", class: "md-button", "data-talk-action": action,
          text: on ? no : yes });
        button.addEventListener("click", () => {
          change("POST", ENDPOINTS.threads + "/" + thread.id + "/" + (on ? "un" : "") + action, {}, done(!on))
            .then(() => { const again = tools.querySelector('[data-talk-action="' + action + '"]'); if (again) again.focus(); });
        });
        return button;
      };
      tools.replaceChildren(
        thread && thread.kind === "board" ? toggle(thread.pinned, tr("Pin thread"), tr("Unpin thread"), "pin",
          (on) => (on ? tr("The thread is pinned to the top of the board.") : tr("The thread is no longer pinned."))) : null,
        thread ? toggle(thread.locked, tr("Lock thread"), tr("Unlock thread"), "lock",
          (on) => (on ? tr("The thread is locked: only stewards can post.") : tr("The thread is open to new posts again."))) : null,
        el("a", { class: "pr-talk__stewards", href: new URL(URLS.moderation, ID.root).href,
          text: tr("Stewards' page: held posts and flags") }));
    }

    function renderWaiting() {
      list.querySelectorAll(".pr-post--waiting").forEach((node) => node.remove());
      waiting(page).forEach((entry) => {
        list.append(el("li", { class: "pr-post pr-post--waiting" },
          el("p", { class: "pr-post__meta", text: tr("Waiting to send: it goes when the service can be reached.") }),
          el("p", { class: "pr-post__body pr-post__plain", text: entry.body })));
      });
    }

    function renderJoin() {
      if (!reader) {
        join.replaceChildren(el("p", { class: "pr-talk__join" },
          el("a", { href: new URL(URLS.me, ID.root).href, text: tr("Sign in to join the discussion") })));
        return;
      }
      if (view && !view.can_post) {
        join.replaceChildren(el("p", { text: view.thread && view.thread.locked ?
          tr("Locked: new posts are closed.") : tr("This discussion is closed to new posts.") }));
        return;
      }
      join.replaceChildren(composer({ id: "pr-talk-body", label: tr("Add to the discussion"), action: tr("Post"), gate: true },
        (body) => write({ body }), null));
      if (view && view.thread) join.prepend(followButton(view.thread.id, view.following));
    }

    /* Follow or stop following this thread (its new posts ring the reader's bell); the answer reloads it. */
    function followButton(tid, following) {
      const button = el("button", { type: "button", class: "md-button pr-talk__follow", "data-talk-action": "follow",
        "aria-pressed": following ? "true" : "false", text: tr("Follow") });
      button.addEventListener("click", () => {
        change(following ? "DELETE" : "PUT", ENDPOINTS.threads + "/" + tid + "/follow", undefined, following ?
          tr("You no longer follow this discussion.") : tr("You follow this discussion: its new posts reach your bell."))
          .then(() => {
            const again = join.querySelector('[data-talk-action="follow"]');
            if (again) again.focus();
          });
      });
      return el("p", { class: "pr-talk__follow-row" }, button);
    }

    /* A form: a labelled textarea, the Markdown hint, a submit button and (inline forms) Cancel. */
    function composer(spec, submit, cancel) {
      const hintId = spec.id + "-hint";
      const area = el("textarea", { id: spec.id, name: "body", rows: spec.rows || 4, required: true,
        "aria-describedby": hintId, maxlength: spec.max || 10000 });
      if (spec.value) area.value = spec.value;
      const form = el("form", { class: "pr-talk__form" },
        el("label", { for: spec.id, text: spec.label }),
        el("p", { id: hintId, class: "pr-talk__hint", text: HINT }),
        area,
        first && spec.gate ? guidelines(root, spec.id + "-guidelines") : null,
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: spec.action }),
          cancel ? el("button", { type: "button", class: "md-button", "data-cancel": true, text: tr("Cancel") }) : null));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (working || !area.value.trim() || !confirmed(form, say)) return;
        submit(area.value.trim(), form);
      });
      if (cancel) form.querySelector("[data-cancel]").addEventListener("click", cancel);
      return form;
    }

    /* A new post (or reply): into the outbox first, so nothing is lost if the page or the network goes. */
    function write(fields) {
      const entry = { api: ID.api, as: whoAmI(), key: newKey(), page, at: new Date().toISOString(),
        body: fields.body };
      if (fields.parent) entry.parent = fields.parent;
      if (view && view.thread) entry.thread = view.thread.id;
      else if (where.thread) entry.thread = where.thread;
      else entry.item = item;
      keep([...outbox(), entry]);
      working = true;
      say(tr("Sending…"));
      return flush().then((refused) => {
        working = false;
        const mine = refused.find((r) => r.entry.key === entry.key);
        if (mine) { say(refusal(mine.answer)); return load(); }
        if (outbox().some((e) => e.key === entry.key)) {
          renderWaiting();
          renderJoin();
          say(tr("You are offline or the service cannot be reached: your post waits on this device and is sent " +
            "when it can be."));
          return null;
        }
        return load().then(() => {
          say(fields.parent ? tr("Your reply is posted.") : tr("Your post is posted."));
          const last = list.querySelector(".pr-post:not(.pr-post--waiting):last-of-type");
          if (last && !fields.parent) last.focus();
        });
      });
    }

    /* A change to an existing post: the answer reloads the discussion. */
    function change(method, path, body, done) {
      if (working) return Promise.resolve();
      working = true;
      return ID.call(method, path, body === undefined ? {} : { body }).then((answer) => {
        working = false;
        if (!answer.ok) { say(refusal(answer)); return null; }
        return load().then(() => { if (done) say(done); });
      }, () => {
        working = false;
        say(tr("The service cannot be reached. Try again when you are online."));
      });
    }

    function postItem(post, isReply) {
      const node = el("li", { class: "pr-post" + (isReply ? " pr-post--reply" : "") + (post.accepted ? " pr-post--accepted" : ""),
        id: "post-" + post.id, tabindex: "-1" });
      node.append(postMeta(post));
      if (post.state === "hidden") {
        const reason = post.hidden_reason || tr("no reason given");
        node.append(el("p", { class: "pr-post__hidden", text: tr("Hidden by a steward: %(reason)s", { reason }) }));
      }
      if (post.state === "held") node.append(el("p", { class: "pr-post__held", text: tr("Waiting for a steward's approval: only you and the stewards see it.") }));
      if (post.state === "deleted") node.append(el("p", { class: "pr-post__deleted", text: tr("This post was deleted.") }));
      else if (post.html) node.append(serviceHtml(post.html, "pr-post__body"));
      if (post.note) {
        const note = el("div", { class: "pr-post__note" }, el("p", { class: "pr-post__note-title", text: tr("Steward's note") }));
        note.append(serviceHtml(post.note.html, "pr-post__note-body"));
        node.append(note);
      }
      if (post.state !== "deleted") node.append(actions(post, isReply, node));
      if (post.replies && post.replies.length) {
        node.append(el("ol", { class: "pr-talk__replies", "aria-label": tr("Replies") },
          ...post.replies.map((reply) => postItem(reply, true))));
      }
      return node;
    }

    function postMeta(post) {
      const meta = el("p", { class: "pr-post__meta" });
      const author = post.author;
      if (author && !author.former && (author.photo || author.person)) meta.append(face(author));
      if (!author) meta.append(el("span", { class: "pr-post__author", text: tr("Deleted") }));
      else if (author.former) meta.append(el("span", { class: "pr-post__author", text: tr("a former colleague") }));
      else if (author.person) {
        meta.append(el("a", { class: "pr-post__author", text: author.name,
          href: new URL(URLS.people + encodeURIComponent(author.person) + "/", ID.root).href }));
      } else meta.append(el("span", { class: "pr-post__author", text: author.name }));
      meta.append(" · ", el("time", { datetime: post.created_at, text: when(post.created_at) }));
      if (post.edited) meta.append(" · ", el("span", { class: "pr-post__edited", text: tr("edited") }));
      if (post.accepted) meta.append(" · ", el("strong", { class: "pr-post__accepted", text: tr("Accepted answer") }));
      return meta;
    }

    function actions(post, isReply, node) {
      const bar = el("div", { class: "pr-post__actions" });
      const slot = el("div", { class: "pr-post__form" });
      const button = (text, onClick, attrs) => {
        const action = text.replace(/ \(\d+\)$/, "").toLowerCase().replace(/ /g, "-");   // "this-helped", "reply"
        const b = el("button", Object.assign({ type: "button", class: "pr-post__action", text,
          "data-talk-action": action }, attrs || {}));
        b.addEventListener("click", onClick);
        bar.append(b);
        return b;
      };
      const open = (form, back) => {
        slot.replaceChildren(form);
        const first = form.querySelector("textarea, select, input");
        if (first) first.focus();
        return back;
      };
      const close = (back) => () => { slot.replaceChildren(); back.focus(); };
      const visible = post.state === "visible";
      const count = post.helpful ? " (" + post.helpful + ")" : "";
      if (!reader || post.mine || !visible) {
        if (post.helpful) bar.append(el("span", { class: "pr-post__helpful", text: tr("%(num)s found this helpful", { num: post.helpful }) }));
      } else {
        button(tr("This helped") + count, () => change(post.helped_by_me ? "DELETE" : "PUT",
          ENDPOINTS.posts + "/" + post.id + "/helpful", undefined,
          post.helped_by_me ? tr("Your mark is taken back.") : tr("Marked as helpful.")),
        { "aria-pressed": post.helped_by_me ? "true" : "false" });
      }
      if (reader && view && view.can_post && !isReply && visible) {
        const reply = button(tr("Reply"), () => open(composer({ id: "pr-reply-" + post.id, label: tr("Your reply"), action: tr("Post reply"), rows: 3, gate: true },
          (body) => write({ body, parent: post.id }), close(reply)), reply));
      }
      const thread = view && view.thread;
      const asker = view && view.posts.length && view.posts[0].mine;
      if (thread && thread.type === "question" && !isReply && visible && view.posts[0].id !== post.id &&
          (view.moderator || asker)) {
        const accepted = thread.accepted_post === post.id;
        button(accepted ? tr("Unaccept answer") : tr("Accept as the answer"), () => change("POST",
          ENDPOINTS.threads + "/" + thread.id + "/accept", { post: accepted ? null : post.id },
          accepted ? tr("No answer is accepted now.") : tr("Accepted as the answer.")));
      }
      if (post.mine && visible) {
        const edit = button(tr("Edit"), () => open(composer({ id: "pr-edit-" + post.id, label: tr("Edit your post"), action: tr("Save"), value: post.source || postSource(node), rows: 4 },
          (body) => change("PATCH", ENDPOINTS.posts + "/" + post.id, { body }, tr("Your post is saved.")), close(edit)), edit));
        const del = button(tr("Delete"), () => open(confirmForm(tr("Delete this post? This cannot be undone."), tr("Delete"),
          () => change("DELETE", ENDPOINTS.posts + "/" + post.id, undefined, tr("Your post is deleted.")), close(del)), del));
      }
      if (reader && !post.mine && visible) {
        const flag = button(tr("Flag"), () => open(flagForm(post, close(flag)), flag));
      }
      if (view && view.moderator) {
        if (post.state === "held") {
          button(tr("Approve"), () => change("POST", ENDPOINTS.posts + "/" + post.id + "/approve", {},
            tr("The post is approved: everyone sees it now.")));
          const reject = button(tr("Reject"), () => open(reasonForm(post, close(reject), {
            label: tr("Reason, for the moderation log"), action: tr("Reject post"), path: "/reject",
            done: tr("The post is rejected.") }), reject));
        } else if (post.state === "hidden") {
          button(tr("Unhide"), () => change("POST", ENDPOINTS.posts + "/" + post.id + "/unhide", {}, tr("The post is shown again.")));
        } else if (visible) {
          const hide = button(tr("Hide"), () => open(reasonForm(post, close(hide)), hide));
        }
        const note = button(post.note ? tr("Edit note") : tr("Add note"), () => open(composer({ id: "pr-note-" + post.id,
          label: tr("Steward's note, shown with the post"), action: tr("Save note"), rows: 3, max: 1000 },
        (text) => change("PUT", ENDPOINTS.posts + "/" + post.id + "/note", { text }, tr("The note is saved.")), close(note)), note));
        if (post.note) {
          button(tr("Remove note"), () => change("DELETE", ENDPOINTS.posts + "/" + post.id + "/note", undefined,
            tr("The note is removed.")));
        }
      }
      const box = el("div", { class: "pr-post__footer" }, bar, slot);
      return box;
    }

    /* The text to start an edit from when the service sent no source (an older service): the words as shown. */
    function postSource(node) {
      const body = node.querySelector(":scope > .pr-post__body");
      return body ? body.innerText.trim() : "";
    }

    function confirmForm(question, action, yes, cancel) {
      const form = el("form", { class: "pr-talk__form", role: "group", "aria-label": question },
        el("p", { text: question }),
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: action }),
          el("button", { type: "button", class: "md-button", "data-cancel": true, text: tr("Cancel") })));
      form.addEventListener("submit", (event) => { event.preventDefault(); yes(); });
      form.querySelector("[data-cancel]").addEventListener("click", cancel);
      setTimeout(() => form.querySelector("button").focus(), 0);
      return form;
    }

    function flagForm(post, cancel) {
      const id = "pr-flag-" + post.id;
      const select = el("select", { id, name: "reason" },
        ...FLAG_REASONS.map(([value, text]) => el("option", { value, text })));
      const more = el("input", { id: id + "-text", name: "text", type: "text", maxlength: 500 });
      const form = el("form", { class: "pr-talk__form" },
        el("label", { for: id, text: tr("Why should a steward look at this post?") }), select,
        el("label", { for: id + "-text", text: tr("Anything to add (optional)") }), more,
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: tr("Send flag") }),
          el("button", { type: "button", class: "md-button", "data-cancel": true, text: tr("Cancel") })));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const body = { reason: select.value };
        if (more.value.trim()) body.text = more.value.trim();
        change("POST", ENDPOINTS.posts + "/" + post.id + "/flags", body, tr("Thank you: a steward will look at it."));
      });
      form.querySelector("[data-cancel]").addEventListener("click", cancel);
      return form;
    }

    /* A reason, for hiding a post (shown in its place) or rejecting a held one (`how`: for the log). */
    function reasonForm(post, cancel, how) {
      const spec = how || { label: tr("Reason, shown in the post's place"), action: tr("Hide post"), path: "/hide",
        done: tr("The post is hidden.") };
      const id = "pr-reason-" + post.id;
      const input = el("input", { id, name: "reason", type: "text", maxlength: 300, required: true });
      const form = el("form", { class: "pr-talk__form" },
        el("label", { for: id, text: spec.label }), input,
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: spec.action }),
          el("button", { type: "button", class: "md-button", "data-cancel": true, text: tr("Cancel") })));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!input.value.trim()) return;
        change("POST", ENDPOINTS.posts + "/" + post.id + spec.path, { reason: input.value.trim() }, spec.done);
      });
      form.querySelector("[data-cancel]").addEventListener("click", cancel);
      return form;
    }

    current = load;
    flush().then(load);
  }

  /* ---------- A community's board: its titled threads, a form to open one; ?thread=<id> opens one in place ---------- */
  const TYPES = [["question", tr("Question")], ["insight", tr("Insight")], ["applied", tr("How I applied it")]];
  const typeName = (type) => (TYPES.find(([value]) => value === type) || ["", tr("Discussion")])[1];
  /* An asked question's experts: "Sent to Ada Okafor, Lin Chen" (site people's names, as text). */
  const routedTo = (thread) => (thread.routed_to && thread.routed_to.length ?
    tr("Sent to %(names)s", { names: thread.routed_to.map((p) => p.name).join(", ") }) : "");

  function board(root) {
    const community = root.dataset.prBoard;
    const opened = new URLSearchParams(location.search).get("thread");
    const list = root.querySelector("[data-talk-threads]");
    const hub = location.pathname;
    if (opened && /^\d+$/.test(opened)) {
      const head = el("div", { class: "pr-board__head" });
      root.insertBefore(head, root.querySelector("[data-talk-status]"));
      list.replaceChildren();
      discussion(root, { thread: opened, head: (view) => {
        const title = view && view.thread ? view.thread.title : null;
        head.replaceChildren(el("p", {}, el("a", { href: hub + "#discussions", text: tr("All questions and discussions") })),
          title ? el("h3", { class: "pr-board__title" },
            el("span", { class: "pr-board__type", text: typeName(view.thread.type) + ": " }), title) : null,
          view && view.thread && routedTo(view.thread) ? el("p", { class: "pr-board__routed", text: routedTo(view.thread) }) : null);
      } });
      return;
    }
    root.hidden = false;
    const status = root.querySelector("[data-talk-status]");
    const join = root.querySelector("[data-talk-join]");
    const say = (text) => { status.textContent = text; };
    const more = el("button", { type: "button", class: "md-button", "data-talk-action": "more", text: tr("Load more") });
    const moreRow = el("p", { class: "pr-board__more", hidden: true }, more);
    const stewards = el("p", { class: "pr-board__stewards", hidden: true },
      el("a", { href: new URL(URLS.moderation, ID.root).href, text: tr("Stewards' page: held posts and flags") }));
    list.after(moreRow);
    root.insertBefore(stewards, list);
    let reader = null;
    let first = false;
    let next = null;      // the cursor of the board's next page
    let working = false;

    const page = (cursor) => ID.call("GET", ENDPOINTS.threads + "?limit=" + BOARD_PAGE + "&community=" +
      encodeURIComponent(community) + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));

    function load() {
      return ID.who().then((auth) => {
        reader = auth.ok && auth.data ? auth.data.reader : null;
        return Promise.all([page(null), firstPost(root, reader)]);
      }).then(([answer, never]) => {
        first = never;
        if (answer.status === 401) { list.replaceChildren(); say(""); showMore(null); return renderJoin(); }
        if (!answer.ok) throw new Error("refused");
        const threads = answer.data.threads;
        say(answer.savedAt ? tr("Saved copy from %(when)s. It may have changed since.", { when: when(answer.savedAt) }) :
          threads.length ? "" : tr("No questions or discussions yet. Start one."));
        list.replaceChildren(...threads.map(threadRow), ...waiting("board:" + community).map((entry) =>
          el("li", { class: "pr-board__thread pr-post--waiting" },
            el("span", { class: "pr-board__type", text: typeName(entry.type) + " · " + tr("waiting to send") }),
            el("span", { class: "pr-board__link", text: entry.title }))));
        stewards.hidden = !answer.data.moderator;
        showMore(answer.data.next);
        renderJoin();
        return null;
      }).catch(() => {
        list.replaceChildren();
        join.replaceChildren();
        showMore(null);
        say(tr("Discussions are unavailable right now."));
      });
    }

    function showMore(cursor) {
      next = cursor || null;
      moreRow.hidden = !next;
    }

    /* The next page of threads, after the last shown; the keyboard's focus goes to the first new one. */
    more.addEventListener("click", () => {
      if (working || !next) return;
      working = true;
      say(tr("Loading more…"));
      page(next).then((answer) => {
        working = false;
        if (!answer.ok) { say(tr("More could not be loaded. Try again.")); return; }
        const rows = answer.data.threads.map(threadRow);
        const waitingRow = list.querySelector(".pr-post--waiting");
        rows.forEach((row) => list.insertBefore(row, waitingRow));
        showMore(answer.data.next);
        say(rows.length === 1 ? tr("1 more thread loaded.") : tr("%(num)s more threads loaded.", { num: rows.length }));
        const link = rows.length && rows[0].querySelector("a");
        if (link) link.focus();
        else if (!moreRow.hidden) more.focus();
      }, () => {
        working = false;
        say(tr("The service cannot be reached. Try again when you are online."));
      });
    });

    function threadRow(thread) {
      const replies = Math.max(thread.posts - 1, 0);
      return el("li", { class: "pr-board__thread" },
        el("span", { class: "pr-board__type", text: typeName(thread.type) + (thread.pinned ? " · " + tr("pinned") : "") +
          (thread.locked ? " · " + tr("locked") : "") }),
        el("a", { class: "pr-board__link", href: hub + "?thread=" + thread.id + "#discussions", text: thread.title || tr("(removed)") }),
        el("span", { class: "pr-board__facts", text: (replies === 1 ? tr("1 reply") : tr("%(num)s replies", { num: replies })) +
          " · " + tr("last activity %(when)s", { when: when(thread.last_post_at) }) +
          (thread.accepted_post ? " · " + tr("answered") : "") +
          (routedTo(thread) ? " · " + routedTo(thread) : "") }));
    }

    function renderJoin() {
      if (!reader) {
        join.replaceChildren(el("p", { class: "pr-talk__join" },
          el("a", { href: new URL(URLS.me, ID.root).href, text: tr("Sign in to ask a question or start a discussion") })));
        return;
      }
      const type = el("select", { id: "pr-board-type", name: "type" },
        ...TYPES.map(([value, text]) => el("option", { value, text })));
      const title = el("input", { id: "pr-board-title-input", name: "title", type: "text", maxlength: 150, required: true });
      const body = el("textarea", { id: "pr-board-body", name: "body", rows: 4, required: true,
        "aria-describedby": "pr-board-hint", maxlength: 10000 });
      const form = el("form", { class: "pr-talk__form", "aria-labelledby": "pr-board-new" },
        el("h3", { id: "pr-board-new", text: tr("Ask a question or start a discussion") }),
        el("label", { for: "pr-board-type", text: tr("Kind") }), type,
        el("label", { for: "pr-board-title-input", text: tr("Title") }), title,
        el("label", { for: "pr-board-body", text: tr("Your text") }),
        el("p", { id: "pr-board-hint", class: "pr-talk__hint", text: HINT }), body,
        first ? guidelines(root, "pr-board-guidelines") : null,
        el("div", { class: "pr-talk__buttons" },
          el("button", { type: "submit", class: "md-button md-button--primary", text: tr("Post") })));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!title.value.trim() || !body.value.trim() || !confirmed(form, say)) return;
        const entry = { api: ID.api, as: whoAmI(), key: newKey(), page: "board:" + community,
          at: new Date().toISOString(), community, type: type.value, title: title.value.trim(), body: body.value.trim() };
        keep([...outbox(), entry]);
        say(tr("Sending…"));
        flush().then((refused) => {
          const mine = refused.find((r) => r.entry.key === entry.key);
          if (mine) { say((mine.answer.data && mine.answer.data.error || {}).message || tr("The service refused that.")); return; }
          if (outbox().some((e) => e.key === entry.key)) {
            load().then(() => say(tr("You are offline or the service cannot be reached: your post waits on this " +
              "device and is sent when it can be.")));
            return;
          }
          load().then(() => { say(type.value === "question" ? tr("Your question is posted.") : tr("Your discussion is started.")); });
        });
      });
      join.replaceChildren(form);
    }

    current = load;
    flush().then(load);
  }

  let current = null;   // the page's discussion, reloaded once what waited is sent
  window.addEventListener("online", () => { flush().then(() => { if (current) current(); }); });

  practica.onPage(() => {
    const root = document.querySelector("[data-pr-talk], [data-pr-board]");
    if (!root) { current = null; return; }
    if (root.dataset.prReady) return;
    root.dataset.prReady = "1";
    if (root.dataset.prBoard) board(root);
    else discussion(root, { item: root.dataset.prTalk });
  });
})();
