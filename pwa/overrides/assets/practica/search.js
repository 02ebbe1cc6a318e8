/* Practica search: a dialog over the Pagefind index (generator/search.py builds it into pagefind/).
 * Pagefind downloads only the index chunks a query needs, so the first search on a phone costs a few hundred
 * kilobytes, not the whole index. Nothing loads until the reader opens search. Offline, it searches what this
 * device has: the chunks earlier searches fetched, or everything after "Save search for offline".
 */
(function () {
  "use strict";

  var MAX_RESULTS = 8;
  var MAX_PEOPLE = 5;
  var DEBOUNCE_MS = 150;
  // "Who can I ask about X?" is the question a community of practice answers: such a query searches for X
  // and lists the people who know it first.
  var ASKING = /^(who\s+(knows(\s+about)?|can\s+help(\s+me)?(\s+with)?|can\s+i\s+ask(\s+about)?|to\s+ask(\s+about)?|is\s+good\s+at|has\s+experience\s+(in|with))|experts?\s+(in|on|for)|ask\s+(an\s+expert|someone)\s+about)\s+/i;
  var timer = null;
  var SAVED = "practica-saved-search";
  var dialog = document.getElementById("pr-search");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var input = dialog.querySelector(".pr-search__input");
  var list = dialog.querySelector(".pr-search__results");
  var status = dialog.querySelector(".pr-search__status");
  var offlineBox = dialog.querySelector(".pr-search__offline");
  var pagefind = null;
  var latest = 0;

  function siteRoot() {
    var base = ".";
    try { base = JSON.parse(document.getElementById("__config").textContent).base || "."; } catch (e) { /* "." */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }
  var root = siteRoot();  // the header, and this script, outlive instant navigation: fix the root once

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () { return pf; });
      });
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    load().catch(function () { say("Search is not available offline on this device yet."); });
    showSaveOffer();
  }

  function say(text) { status.textContent = text; }

  function offlineNote() { return navigator.onLine === false ? " You are offline: searching what this device has saved." : ""; }

  /* Pagefind's excerpt is HTML: text with <mark> around the matches. Parsed inertly (DOMParser runs no
     script and loads nothing) and rebuilt from text and <mark> only, so page text that reads like markup
     stays text even if the index ever held it unescaped. */
  function excerptNodes(html) {
    var parsed = new DOMParser().parseFromString(String(html || ""), "text/html").body;
    return Array.prototype.map.call(parsed.childNodes, function (node) {
      if (node.nodeName !== "MARK") return document.createTextNode(node.textContent || "");
      var mark = document.createElement("mark");
      mark.textContent = node.textContent || "";
      return mark;
    });
  }

  function render(results, total, query, people) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "pr-search__result";
      a.href = r.url;
      var kind = document.createElement("span");
      kind.className = "pr-search__kind";
      kind.textContent = (r.meta && r.meta.kind) || "Page";
      var title = document.createElement("span");
      title.className = "pr-search__title";
      title.textContent = (r.meta && r.meta.title) || r.url;
      var excerpt = document.createElement("span");
      excerpt.className = "pr-search__excerpt";
      excerpt.append.apply(excerpt, excerptNodes(r.excerpt));
      a.append(kind, title, excerpt);
      li.appendChild(a);
      list.appendChild(li);
    });
    var lead = people === null ? "" : people ? "People who know “" + query + "” first. " : "Nobody lists “" + query + "” yet. ";
    if (!query) say("");
    else if (!total) say("No results for “" + query + "”." + offlineNote());
    else say(lead + (total === 1 ? "1 result" : total + " results") + (total > results.length ? ", showing the best " + results.length : "") + "." + offlineNote());
  }

  function search() {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  function run() {
    var typed = input.value.trim();
    var asking = ASKING.test(typed);
    var query = typed.replace(ASKING, "");
    var ticket = ++latest;
    if (!query) { render([], 0, "", null); return; }
    load().then(function (pf) {
      return Promise.all([pf.search(query), asking ? pf.search(query, { filters: { kind: "Person" } }) : null]);
    }).then(function (found) {
      if (ticket !== latest) return null;  // a newer query replaced this one
      var people = found[1] ? found[1].results.slice(0, MAX_PEOPLE) : [];
      var seen = {};
      people.forEach(function (r) { seen[r.id] = true; });
      var best = people.concat(found[0].results.filter(function (r) { return !seen[r.id]; })).slice(0, MAX_RESULTS);
      return Promise.all(best.map(function (r) { return r.data(); })).then(function (data) {
        if (ticket === latest) render(data, found[0].results.length, query, asking ? people.length > 0 : null);
      });
    }).catch(function () {
      if (ticket === latest) say("Search could not run" + (navigator.onLine === false ? ": you are offline and search has not been saved on this device." : "."));
    });
  }

  /* "Save search for offline": every index chunk and page fragment, listed at build time. */
  function showSaveOffer() {
    if (!window.caches) return;
    caches.has(SAVED).then(function (saved) {
      var button = offlineBox.querySelector(".pr-search__save");
      var note = offlineBox.querySelector(".pr-search__save-status");
      offlineBox.hidden = false;
      if (saved) { button.hidden = true; note.textContent = "Search works offline on this device."; return; }
      fetch(new URL("pagefind/offline.json", root), { cache: "no-cache" }).then(function (r) { return r.json(); })
        .then(function (listing) {
          button.textContent = "Save search for offline (" + (listing.bytes / 1048576).toFixed(1) + " MB)";
        }).catch(function () { offlineBox.hidden = true; });
    });
  }

  function saveOffline() {
    var button = offlineBox.querySelector(".pr-search__save");
    var note = offlineBox.querySelector(".pr-search__save-status");
    var bundle = new URL("pagefind/", root);
    button.disabled = true;
    fetch(new URL("offline.json", bundle), { cache: "no-cache" }).then(function (r) { return r.json(); })
      .then(function (listing) {
        return caches.open(SAVED + "-incomplete").then(function (cache) {
          var done = 0;
          var files = listing.files.map(function (f) { return new URL(f, bundle).href; });
          function next(i) {
            if (i >= files.length) return Promise.resolve();
            return cache.add(files[i]).then(function () {
              done += 1;
              if (done % 25 === 0 || done === files.length) note.textContent = "Saving search: " + done + " of " + files.length + " files…";
              return next(i + 1);
            });
          }
          return next(0);
        });
      })
      .then(function () { return moveCache(SAVED + "-incomplete", SAVED); })
      .then(function () { button.hidden = true; note.textContent = "Search works offline on this device."; })
      .catch(function () { note.textContent = "Could not save search. Check your connection and try again."; })
      .then(function () { button.disabled = false; });
  }

  /* Only a complete copy counts as saved: fill a scratch cache, then move it in one go. */
  function moveCache(from, to) {
    return Promise.all([caches.open(from), caches.open(to)]).then(function (c) {
      return c[0].keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return c[0].match(k).then(function (r) { return c[1].put(k, r); }); }));
      });
    }).then(function () { return caches.delete(from); });
  }

  dialog.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "close") return;
    event.preventDefault();  // Enter goes to the best result rather than closing the dialog
    var first = list.querySelector("a");
    if (first) location.href = first.href;
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();  // a tap on the backdrop
    if (event.target.closest && event.target.closest(".pr-search__result")) dialog.close();
  });
  input.addEventListener("input", search);
  offlineBox.querySelector(".pr-search__save").addEventListener("click", saveOffline);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".pr-search-open")) open();
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if ((event.key === "/" || event.key === "s") && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      open();
    }
  });
  /* The Search shortcut of the installed app opens the site with ?q=. */
  var asked = new URLSearchParams(location.search).get("q");
  if (asked !== null) {
    open();
    input.value = asked;
    run();
  }
})();
