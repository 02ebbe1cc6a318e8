/* "Continue where you left off" on the home page: learning paths in progress, the items opened last, and what
 * is new in the communities this device follows. Everything it knows is kept on this device (localStorage, and
 * push.js's record of the subscription); the only requests are for the site's own topic feeds, which the
 * service worker keeps for offline. Every item page view is recorded, instant navigation included.
 */
(() => {
  "use strict";

  const onPage = practica.onPage || ((fn) => fn());
  const { recent: RECENT, paths: PATHS, pathProgress: PROGRESS } = practica.storage;
  const KEEP = 10;
  const SHOWN = 5;

  function storage() {
    try { return window.localStorage; } catch { return null; }
  }

  function read(key, fallback) {
    const store = storage();
    try { return JSON.parse((store && store.getItem(key)) || "null") || fallback; } catch { return fallback; }
  }

  function write(key, value) {
    const store = storage();
    try { if (store) store.setItem(key, JSON.stringify(value)); } catch { /* full or refused: forget it */ }
  }

  /* ---------- Remembering: on every item page ---------- */
  function remember(meta) {
    const heading = document.querySelector(".md-content h1");
    if (!heading) return;
    const kind = document.querySelector(".pr-meta__kind");
    const title = heading.cloneNode(true);
    title.querySelectorAll(".headerlink").forEach((a) => { a.remove(); });   // the "¶" permalink
    const entry = { title: title.textContent.trim(), url: location.pathname, kind: meta.dataset.prItem,
      label: kind ? kind.textContent.trim() : "", when: new Date().toISOString() };
    const recent = read(RECENT, []).filter((e) => e && e.url !== entry.url);
    write(RECENT, [entry].concat(recent).slice(0, KEEP));
    const path = document.querySelector(".pr-path[data-path]");
    if (path) {
      const paths = read(PATHS, {});
      paths[path.dataset.path] = { title: entry.title, url: entry.url,
        steps: path.querySelectorAll(".pr-step__done input").length };
      write(PATHS, paths);
    }
  }

  /* ---------- Showing: on the home page ---------- */
  function row(list, title, url, note) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = url;
    link.textContent = title;
    li.appendChild(link);
    if (note) {
      const small = document.createElement("span");
      small.className = "pr-continue__note";
      small.textContent = note;
      li.append(" ", small);
    }
    list.appendChild(li);
  }

  function fill(section, name, rows) {
    const group = section.querySelector('[data-continue="' + name + '"]');
    const list = group.querySelector("ul");
    list.textContent = "";
    rows.forEach((r) => { row(list, r.title, r.url, r.note); });
    group.hidden = rows.length === 0;
    section.hidden = !section.querySelector("[data-continue]:not([hidden])");
  }

  function pathsInProgress() {
    const paths = read(PATHS, {});
    return Object.keys(paths).map((id) => {
      const done = read(PROGRESS + id, {});
      const days = Object.keys(done).map((step) => String(done[step])).sort();
      return { path: paths[id], done: days.length, last: days[days.length - 1] || "" };
    }).filter((p) => p.path && p.done > 0 && p.done < p.path.steps)
      .sort((a, b) => a.last < b.last ? 1 : -1)
      .map((p) => ({ title: p.path.title, url: p.path.url, note: practica.tr("%(done)s of %(num)s steps done", { done: p.done, num: p.path.steps }) }));
  }

  function recentlyOpened(skip) {
    return read(RECENT, []).filter((e) => e && typeof e.title === "string" && typeof e.url === "string" &&
        e.url.charAt(0) === "/" && skip.indexOf(e.url) === -1)
      .slice(0, SHOWN).map((e) => ({ title: e.title, url: e.url, note: e.label }));
  }

  function day(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  }

  /* The newest items of the followed communities' feeds that this device has not opened yet. */
  function newInFollowed(group, topics, opened) {
    const template = group.dataset.feed;
    return Promise.all(topics.map((id) => {
      const url = new URL(template.replace("TOPIC", encodeURIComponent(id)), location.href);
      return fetch(url.href, { credentials: "same-origin" })
        .then((response) => response.ok ? response.json() : { items: [] })
        .catch(() => ({ items: [] }));   // offline with no saved copy: nothing to show
    })).then((feeds) => {
      const seen = {};
      return feeds.reduce((all, feed) => all.concat(feed.items || []), []).filter((item) => {
        const url = typeof item.url === "string" ? new URL(item.url, location.href) : null;
        if (!url || !/^https?:$/.test(url.protocol) || seen[item.id] || opened.indexOf(url.pathname) !== -1) return false;
        seen[item.id] = true;
        return typeof item.title === "string";
      }).sort((a, b) => String(a.date_published) < String(b.date_published) ? 1 : -1)
        .slice(0, SHOWN).map((item) => ({ title: item.title, url: item.url, note: day(item.date_published) }));
    });
  }

  function home(section) {
    const paths = pathsInProgress();
    fill(section, "paths", paths);
    fill(section, "recent", recentlyOpened(paths.map((p) => p.url)));
    const push = practica.push;
    if (!push) return;
    push.readState().then((state) => {
      const topics = (state && state.preferences && state.preferences.topics) || [];
      if (!topics.length) return [];
      const opened = read(RECENT, []).map((e) => e && e.url);
      return newInFollowed(section.querySelector('[data-continue="followed"]'), topics, opened);
    }).then((rows) => { fill(section, "followed", rows); });
  }

  onPage(() => {
    const meta = document.querySelector(".pr-meta[data-pr-item]");
    if (meta && !meta.dataset.prSeen) {
      meta.dataset.prSeen = "1";
      remember(meta);
    }
    const section = document.querySelector("section.pr-continue");
    if (section && !section.dataset.prReady) {
      section.dataset.prReady = "1";
      home(section);
    }
  });
})();
