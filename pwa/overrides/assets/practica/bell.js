/* Practica: the bell. When the reader is signed in, the header's bell shows how many reminders they have not
 * read (GET /me/activity), and the notifications page lists them: who posted where and when, a link to the post
 * (#post-<id>) that marks it read as it opens it, and "Mark all as read". Signed out, or with the service
 * silent or down, nothing shows: the bell stays the plain link to the notification settings.
 *
 * It speaks as the reader only through practica.identity (me.js), which holds the credentials and demo header.
 */
(() => {
  "use strict";

  const identity = practica.identity;
  const onPage = practica.onPage || ((fn) => fn());
  const ENDPOINTS = practica.endpoints;
  const LIST_LIMIT = 30;
  const tr = practica.tr;   // shared.js: an interface string in the page's language
  if (!identity || !identity.api) return;

  /* What happened, as a sentence around who did it and the thread's title. */
  const POSTED = tr("%(who)s posted in “%(title)s”");
  const VERBS = { reply: tr("%(who)s replied in “%(title)s”"), thread_post: POSTED,
    mention: tr("%(who)s mentioned you in “%(title)s”"), question: tr("%(who)s asked you: “%(title)s”"),
    flag: tr("%(who)s wrote a post that was flagged in “%(title)s”"),
    invitation: tr("%(who)s invites you to introduce yourself in “%(title)s”") };

  /* The reader's bell (GET /me/activity), or null when nobody is signed in or the service does not answer. */
  function bell(limit, unreadOnly) {
    return identity.who().then((auth) => {
      if (!auth.ok || !auth.data || !auth.data.reader) return null;
      const query = "?limit=" + limit + (unreadOnly ? "&unread=1" : "");
      return identity.call("GET", ENDPOINTS.activity + query).then((answer) => (answer.ok ? answer.data : null));
    }).catch(() => null);
  }

  function unreadWords(count, items) {
    const replies = items.length > 0 && items.every((a) => a.kind === "reply");
    if (replies) return count === 1 ? tr("1 unread reply") : tr("%(num)s unread replies", { num: count });
    return count === 1 ? tr("1 unread reminder") : tr("%(num)s unread reminders", { num: count });
  }

  /* The count on the header's bell; its words are the link's name (the digits are for the eye only). */
  function showCount(count, items) {
    const link = document.querySelector("a.pr-bell");
    if (!link) return;
    let badge = link.querySelector(".pr-bell__count");
    if (!count) {
      if (badge) badge.remove();
      link.setAttribute("aria-label", tr("Notifications"));
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "pr-bell__count";
      badge.setAttribute("aria-hidden", "true");
      link.appendChild(badge);
    }
    badge.textContent = count > 99 ? "99+" : String(count);
    link.setAttribute("aria-label", tr("Notifications: %(unread)s", { unread: unreadWords(count, items) }));
  }

  function updateBell() {
    return bell(20, true).then((found) => showCount(found ? found.unread : 0, found ? found.activity : []));
  }

  function markRead(body) {
    return identity.call("POST", ENDPOINTS.activityRead, { body }).then((answer) => answer.ok, () => false);
  }

  /* ---------- The list on the notifications page ---------- */
  function when(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleString(undefined,
      { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function entry(activity) {
    const li = document.createElement("li");
    li.className = "pr-activity__item" + (activity.read ? "" : " pr-activity__item--unread");
    const link = document.createElement("a");
    link.href = activity.url;
    // One pass over the template, so a name or title that happens to contain "%(title)s" stays as written.
    const values = { who: activity.who, title: activity.title };
    link.textContent = (VERBS[activity.kind] || POSTED).replace(/%\((who|title)\)s/g, (whole, name) => values[name]);
    link.addEventListener("click", (event) => {
      if (activity.read || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();   // mark it read first, then open it: the next page's bell already counts it
      markRead({ ids: [activity.id] }).then(() => { window.location.assign(activity.url); });
    });
    const time = document.createElement("time");
    time.dateTime = activity.created_at;
    time.textContent = when(activity.created_at);
    li.append(link, " ", time);
    if (!activity.read) {
      const fresh = document.createElement("span");
      fresh.className = "pr-activity__new";
      fresh.textContent = tr("New");
      li.prepend(fresh, " ");
    }
    return li;
  }

  function activityList(root) {
    const list = root.querySelector("[data-activity-list]");
    const status = root.querySelector("[data-activity-status]");
    const all = root.querySelector('[data-activity-action="all"]');
    let working = false;

    function render(found) {
      if (!found) { root.hidden = true; return; }   // signed out or unreachable: the section is not there
      root.hidden = false;
      list.replaceChildren(...found.activity.map(entry));
      list.hidden = !found.activity.length;
      all.hidden = !found.unread;
      if (!found.activity.length) status.textContent = tr("Nothing yet. Replies to your posts, new posts in " +
        "discussions you follow and mentions of you will show here.");
      showCount(found.unread, found.activity.filter((a) => !a.read));
    }

    all.addEventListener("click", () => {
      if (working) return;
      working = true;
      markRead({ all: true }).then((ok) => {
        if (!ok) { status.textContent = tr("The community service cannot be reached right now. Try again later."); return null; }
        return bell(LIST_LIMIT, false).then((found) => {
          render(found);
          status.textContent = tr("All marked as read.");
          root.querySelector("h2").focus();
        });
      }).then(() => { working = false; });
    });
    bell(LIST_LIMIT, false).then(render);
  }

  onPage(() => {
    const root = document.querySelector("[data-activity-page]");
    if (root && !root.dataset.prReady) {
      root.dataset.prReady = "1";
      activityList(root);
    } else {
      updateBell();
    }
  });
})();
