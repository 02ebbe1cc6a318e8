/* "Continue where you left off" on the home page: learning paths in progress, the items opened last, and what
 * is new in the communities this device follows. Everything it knows is kept on this device (localStorage, and
 * push.js's record of the subscription); the only requests are for the site's own topic feeds, which the
 * service worker keeps for offline. Every item page view is recorded, instant navigation included.
 */
(function () {
  "use strict";

  var onPage = (window.practica && window.practica.onPage) || function (fn) { fn(); };
  var RECENT = "practica:recent";        // [{title, url, kind, label, when}], newest first
  var PATHS = "practica:paths";          // {path id: {title, url, steps}}, written when a path is opened
  var PROGRESS = "practica:path:";       // + path id: {step id: day}, written by practica.js
  var KEEP = 10;
  var SHOWN = 5;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function read(key, fallback) {
    var store = storage();
    try { return JSON.parse((store && store.getItem(key)) || "null") || fallback; } catch (e) { return fallback; }
  }

  function write(key, value) {
    var store = storage();
    try { if (store) store.setItem(key, JSON.stringify(value)); } catch (e) { /* full or refused: forget it */ }
  }

  /* ---------- Remembering: on every item page ---------- */
  function remember(meta) {
    var heading = document.querySelector(".md-content h1");
    if (!heading) return;
    var kind = document.querySelector(".pr-meta__kind");
    var title = heading.cloneNode(true);
    title.querySelectorAll(".headerlink").forEach(function (a) { a.remove(); });   // the "¶" permalink
    var entry = { title: title.textContent.trim(), url: location.pathname, kind: meta.dataset.prItem,
      label: kind ? kind.textContent.trim() : "", when: new Date().toISOString() };
    var recent = read(RECENT, []).filter(function (e) { return e && e.url !== entry.url; });
    write(RECENT, [entry].concat(recent).slice(0, KEEP));
    var path = document.querySelector(".pr-path[data-path]");
    if (path) {
      var paths = read(PATHS, {});
      paths[path.dataset.path] = { title: entry.title, url: entry.url,
        steps: path.querySelectorAll(".pr-step__done input").length };
      write(PATHS, paths);
    }
  }

  /* ---------- Showing: on the home page ---------- */
  function row(list, title, url, note) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = title;
    li.appendChild(link);
    if (note) {
      var small = document.createElement("span");
      small.className = "pr-continue__note";
      small.textContent = note;
      li.append(" ", small);
    }
    list.appendChild(li);
  }

  function fill(section, name, rows) {
    var group = section.querySelector('[data-continue="' + name + '"]');
    var list = group.querySelector("ul");
    list.textContent = "";
    rows.forEach(function (r) { row(list, r.title, r.url, r.note); });
    group.hidden = rows.length === 0;
    section.hidden = !section.querySelector("[data-continue]:not([hidden])");
  }

  function pathsInProgress() {
    var paths = read(PATHS, {});
    return Object.keys(paths).map(function (id) {
      var done = read(PROGRESS + id, {});
      var days = Object.keys(done).map(function (step) { return String(done[step]); }).sort();
      return { path: paths[id], done: days.length, last: days[days.length - 1] || "" };
    }).filter(function (p) {
      return p.path && p.done > 0 && p.done < p.path.steps;
    }).sort(function (a, b) { return a.last < b.last ? 1 : -1; }).map(function (p) {
      return { title: p.path.title, url: p.path.url, note: p.done + " of " + p.path.steps + " steps done" };
    });
  }

  function recentlyOpened(skip) {
    return read(RECENT, []).filter(function (e) {
      return e && typeof e.title === "string" && typeof e.url === "string" && e.url.charAt(0) === "/" &&
        skip.indexOf(e.url) === -1;
    }).slice(0, SHOWN).map(function (e) { return { title: e.title, url: e.url, note: e.label }; });
  }

  function day(iso) {
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  }

  /* The newest items of the followed communities' feeds that this device has not opened yet. */
  function newInFollowed(group, topics, opened) {
    var template = group.dataset.feed;
    return Promise.all(topics.map(function (id) {
      var url = new URL(template.replace("TOPIC", encodeURIComponent(id)), location.href);
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : { items: [] };
      }).catch(function () { return { items: [] }; });   // offline with no saved copy: nothing to show
    })).then(function (feeds) {
      var seen = {};
      return feeds.reduce(function (all, feed) { return all.concat(feed.items || []); }, []).filter(function (item) {
        var url = typeof item.url === "string" ? new URL(item.url, location.href) : null;
        if (!url || !/^https?:$/.test(url.protocol) || seen[item.id] || opened.indexOf(url.pathname) !== -1) return false;
        seen[item.id] = true;
        return typeof item.title === "string";
      }).sort(function (a, b) { return String(a.date_published) < String(b.date_published) ? 1 : -1; })
        .slice(0, SHOWN).map(function (item) { return { title: item.title, url: item.url, note: day(item.date_published) }; });
    });
  }

  function home(section) {
    var paths = pathsInProgress();
    fill(section, "paths", paths);
    fill(section, "recent", recentlyOpened(paths.map(function (p) { return p.url; })));
    var push = window.practica && window.practica.push;
    if (!push) return;
    push.readState().then(function (state) {
      var topics = (state && state.preferences && state.preferences.topics) || [];
      if (!topics.length) return [];
      var opened = read(RECENT, []).map(function (e) { return e && e.url; });
      return newInFollowed(section.querySelector('[data-continue="followed"]'), topics, opened);
    }).then(function (rows) { fill(section, "followed", rows); });
  }

  onPage(function () {
    var meta = document.querySelector(".pr-meta[data-pr-item]");
    if (meta && !meta.dataset.prSeen) {
      meta.dataset.prSeen = "1";
      remember(meta);
    }
    var section = document.querySelector("section.pr-continue");
    if (section && !section.dataset.prReady) {
      section.dataset.prReady = "1";
      home(section);
    }
  });
})();
