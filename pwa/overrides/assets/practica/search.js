/* Practica search: a dialog over the Pagefind index (generator/search.py builds it into pagefind/).
 * Pagefind downloads only the index chunks a query needs, so the first search on a phone costs a few hundred
 * kilobytes, not the whole index. Nothing loads until the reader opens search. Offline, it searches what this
 * device has: the chunks earlier searches fetched, or everything after "Save search for offline".
 */
(() => {
  "use strict";

  const tr = practica.tr;   // shared.js: an interface string in the page's language
  const PAGE_SIZE = 8;  // results shown at first and added by each "Show more"
  const PEOPLE_FIRST = 3;  // a plain search that names a skill lists its strongest experts above pages
  const FEW = 3;  // fewer results than this, and no skill named: try the closest skill name (a typo?)
  const DEBOUNCE_MS = 150;
  // "Who can I ask about X?" is the question a community of practice answers: such a query searches for X
  // and lists the people who know it first.
  const ASKING = /^(who\s+(knows(\s+about)?|can\s+help(\s+me)?(\s+with)?|can\s+i\s+ask(\s+about)?|to\s+ask(\s+about)?|is\s+good\s+at|has\s+experience\s+(in|with))|experts?\s+(in|on|for)|ask\s+(an\s+expert|someone)\s+about)\s+/i;
  let timer = null;
  const SAVED = practica.caches.savedSearch;
  const dialog = document.getElementById("pr-search");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const input = dialog.querySelector(".pr-search__input");
  const list = dialog.querySelector(".pr-search__results");
  const status = dialog.querySelector(".pr-search__status");
  const offlineBox = dialog.querySelector(".pr-search__offline");
  let pagefind = null;
  let skills = null;
  const experts = {};
  let latest = 0;
  let shown = null;  // the results of the latest query: {entries, count}
  const more = document.createElement("button");
  more.type = "button";
  more.className = "md-button pr-search__more";
  more.hidden = true;
  list.after(more);

  const root = practica.siteRoot();  // the header, and this script, outlive instant navigation: fix the root once

  /* A large site's index comes in parts (generator/search.py): the bundle at pagefind/ and the others listed in
     its parts.json, merged into it. Results, filters and "Show more" then span every part, ranked together;
     each part costs its own metadata and chunks on a first query. */
  function load() {
    if (!pagefind) {
      const bundle = new URL(practica.urls.pagefind, root);
      const options = { baseUrl: root.pathname, excerptLength: 24 };
      const parts = fetch(new URL("parts.json", bundle)).then((r) => r.ok ? r.json() : Promise.reject(new Error(r.status)));
      pagefind = Promise.all([import(new URL("pagefind.js", bundle).href), parts])
        .then(([pf, listing]) => pf.options(options)
          .then(() => Promise.all(listing.parts.map((part) => pf.mergeIndex(new URL(part, bundle).pathname, options))))
          // A part that failed to merge stays in Pagefind's instance: start afresh on the next attempt.
          .then(() => pf, (error) => pf.destroy().then(() => { throw error; })));
      pagefind.catch(() => { pagefind = null; });
    }
    return pagefind;
  }

  /* Who knows what (generator/expertise.py): skill names and aliases by their slug, fetched with Pagefind;
     a skill's people, ranked by evidence, fetched when a query names it. Without them search still works. */
  function slug(text) {
    return text.replace(/\+\+/g, " plus plus").replace(/#/g, " sharp ").replace(/&/g, " and ").normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function loadSkills() {
    if (!skills) {
      skills = fetch(new URL(practica.urls.skills, root)).then((r) => r.ok ? r.json() : { skills: [] })
        .then((index) => {
          const bySlug = {};
          index.skills.forEach((s) => {
            [s[0], s[1]].concat(s[2]).forEach((spelling) => {
              const key = slug(spelling);
              if (key && !(key in bySlug)) bySlug[key] = { id: s[0], spelling };
            });
          });
          return bySlug;
        });
      skills.catch(() => { skills = null; });
    }
    return skills.catch(() => ({}));
  }

  function expertsFor(id) {
    if (!experts[id]) {
      experts[id] = fetch(new URL(practica.urls.experts + id + ".json", root)).then((r) => r.json());
      experts[id].catch(() => { delete experts[id]; });
    }
    return experts[id].catch(() => null);
  }

  /* The closest skill spelling within a typo or two ("forcasting" → "forecasting"); Pagefind has no fuzzy match. */
  function closest(bySlug, query) {
    const key = slug(query);
    let best = null;
    const limit = key.length < 5 ? 0 : key.length < 9 ? 1 : 2;
    Object.keys(bySlug).forEach((k) => {
      const d = Math.abs(k.length - key.length) > limit ? limit + 1 : distance(k, key);
      if (d <= limit && (!best || d < best.d)) best = { d, skill: bySlug[k] };
    });
    return best && best.d > 0 ? best.skill : null;
  }

  function distance(a, b) {  // Levenshtein
    const row = [];
    for (let j = 0; j <= b.length; j++) row.push(j);
    for (let i = 1; i <= a.length; i++) {
      let diag = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const up = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
        diag = up;
      }
    }
    return row[b.length];
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    load().catch(() => { say(tr("Search is not available offline on this device yet.")); });
    loadSkills();
    showSaveOffer();
  }

  function say(text) { status.textContent = text; }

  function offlineNote() { return navigator.onLine === false ? " " + tr("You are offline: searching what this device has saved.") : ""; }

  /* Pagefind's excerpt is HTML: text with <mark> around the matches. Parsed inertly (DOMParser runs no
     script and loads nothing) and rebuilt from text and <mark> only, so page text that reads like markup
     stays text even if the index ever held it unescaped. */
  function excerptNodes(html) {
    const parsed = new DOMParser().parseFromString(String(html || ""), "text/html").body;
    return Array.prototype.map.call(parsed.childNodes, (node) => {
      if (node.nodeName !== "MARK") return document.createTextNode(node.textContent || "");
      const mark = document.createElement("mark");
      mark.textContent = node.textContent || "";
      return mark;
    });
  }

  function row(r) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "pr-search__result";
    a.href = r.url;
    const kind = document.createElement("span");
    kind.className = "pr-search__kind";
    kind.textContent = (r.meta && r.meta.kind) || "Page";
    const title = document.createElement("span");
    title.className = "pr-search__title";
    title.textContent = (r.meta && r.meta.title) || r.url;
    const excerpt = document.createElement("span");
    excerpt.className = "pr-search__excerpt";
    const written = r.filters && r.filters.lang && r.filters.lang[0];
    if (written && written !== pageLanguage()) {   // a result in another language says which, and is laid out as its own
      kind.textContent += " · " + languageName(written);
      [title, excerpt].forEach((node) => { node.lang = written; node.dir = "auto"; });
    }
    if (r.text !== undefined) excerpt.textContent = r.text;
    else excerpt.append.apply(excerpt, excerptNodes(r.excerpt));
    a.append(kind, title, excerpt);
    li.appendChild(a);
    return li;
  }

  /* A person from a skill's evidence ranking, shaped like a Pagefind result's data. */
  function expert(person) {
    return { url: new URL(person[0], root).href, meta: { kind: "Person", title: person[1] },
             text: [person[2], person[3]].filter(Boolean).join(" · ") };
  }

  function data(entry) { return entry.data ? entry.data() : Promise.resolve(entry); }

  /* Show the next page of the latest results (the first page replaces what was there). */
  function showMore(ticket, focus) {
    const next = shown.entries.slice(shown.count, shown.count + PAGE_SIZE);
    // A page this device cannot fetch (offline, not saved) is left out rather than failing the search.
    return Promise.all(next.map((e) => data(e).catch(() => null))).then((found) => {
      if (ticket !== latest) return;
      const rows = found.filter(Boolean);
      if (!shown.count) list.textContent = "";
      rows.forEach((r, i) => {
        const li = list.appendChild(row(r));
        if (focus && i === 0) li.firstChild.focus();  // the "Show more" button may be gone: go on from here
      });
      shown.count += next.length;
      describe(shown);
    });
  }

  function describe(found) {
    const total = found.entries.length;
    const rest = total - found.count;
    const query = found.query;
    let lead = found.corrected ? tr("Showing results for “%(query)s”.", { query }) + " " : "";
    if (found.asking) {
      lead += (found.people ? tr("People who know “%(query)s” first, by what they have shown.", { query })
        : tr("Nobody lists “%(query)s” as a skill yet.", { query })) + " ";
    }
    more.hidden = rest <= 0;
    more.textContent = tr("Show more (%(num)s)", { num: rest });
    if (!total) say(lead + tr("No results for “%(query)s”.", { query: found.typed }) + offlineNote());
    else {
      const results = total === 1 ? tr("1 result") : tr("%(num)s results", { num: total });
      say(lead + (rest > 0 ? tr("%(results)s, showing %(shown)s.", { results, shown: found.count }) : results + ".")
        + offlineNote());
    }
  }

  function search() {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  /* A query that names a skill lists exactly its evidence ranking of people (profiles that merely mention the
     word are not experts); "who knows X" puts them all first, a plain search its strongest few. */
  function find(pf, query, skill) {
    const ranking = skill ? expertsFor(skill.id) : Promise.resolve({ people: [] });
    return ranking.then((ranked) => {
      if (!skill || !ranked) {  // no skill named, or its ranking is not on this device (offline): text matches
        return ownLanguageFirst(pf, query, []).then((pages) => ({ people: ranked && [], pages }));
      }
      return ownLanguageFirst(pf, query, [{ not: { kind: "Person" } }]).then((pages) => ({ people: ranked.people.map(expert), pages }));
    });
  }

  /* One index holds every language (generator/search.py): pages in the page's language first, then the rest,
     so an item that exists only in another language is still found. */
  function pageLanguage() { return document.documentElement.lang || "en"; }
  function ownLanguageFirst(pf, query, filters) {
    const here = pageLanguage();
    return Promise.all([
      pf.search(query, { filters: { all: filters.concat([{ lang: here }]) } }),
      pf.search(query, { filters: { all: filters.concat([{ not: { lang: here } }]) } }),
    ]).then((found) => found[0].results.concat(found[1].results));
  }

  function languageName(tag) {
    try { return new Intl.DisplayNames([pageLanguage()], { type: "language" }).of(tag) || tag; } catch { return tag; }
  }

  function run() {
    const typed = input.value.trim();
    const asking = ASKING.test(typed);
    const query = typed.replace(ASKING, "");
    const ticket = ++latest;
    if (!query) { shown = null; list.textContent = ""; more.hidden = true; say(""); return; }
    Promise.all([load(), loadSkills()]).then((ready) => {
      const pf = ready[0];
      const bySlug = ready[1];
      const skill = bySlug[slug(query)] || null;
      return find(pf, query, skill).then((found) => {
        const near = skill ? null : closest(bySlug, query);
        if (!near || found.pages.length >= FEW) return { found, query, corrected: false };
        return find(pf, near.spelling, near).then((better) => {
          const fewer = better.pages.length + (better.people || []).length <= found.pages.length;
          return fewer ? { found, query, corrected: false } : { found: better, query: near.spelling, corrected: true };
        });
      });
    }).then((best) => {
      if (ticket !== latest) return null;  // a newer query replaced this one
      const people = best.found.people || [];
      const lead = asking ? people : people.slice(0, PEOPLE_FIRST);
      shown = { entries: lead.concat(best.found.pages, people.slice(lead.length)), count: 0, typed,
                query: best.query, corrected: best.corrected, asking: asking && best.found.people !== null,
                people: people.length > 0 };
      return showMore(ticket);
    }).catch(() => {
      if (ticket === latest) say(navigator.onLine === false ? tr("Search could not run: you are offline and search has not been saved on this device.") : tr("Search could not run."));
    });
  }

  /* "Save search for offline": every part's index, filter and fragment chunks, listed at build time. */
  function showSaveOffer() {
    if (!window.caches) return;
    caches.has(SAVED).then((saved) => {
      const button = offlineBox.querySelector(".pr-search__save");
      const note = offlineBox.querySelector(".pr-search__save-status");
      offlineBox.hidden = false;
      if (saved) { button.hidden = true; note.textContent = tr("Search works offline on this device."); return; }
      fetch(new URL(practica.urls.pagefind + "offline.json", root), { cache: "no-cache" }).then((r) => r.json())
        .then((listing) => {
          button.textContent = tr("Save search for offline (%(size)s MB)", { size: (listing.bytes / 1048576).toFixed(1) });
        }).catch(() => { offlineBox.hidden = true; });
    });
  }

  function saveOffline() {
    const button = offlineBox.querySelector(".pr-search__save");
    const note = offlineBox.querySelector(".pr-search__save-status");
    const bundle = new URL(practica.urls.pagefind, root);
    button.disabled = true;
    fetch(new URL("offline.json", bundle), { cache: "no-cache" }).then((r) => r.json())
      .then((listing) => caches.open(SAVED + "-incomplete").then((cache) => {
          let done = 0;
          const files = listing.files.map((f) => new URL(f, bundle).href);
          function next(i) {
            if (i >= files.length) return Promise.resolve();
            return cache.add(files[i]).then(() => {
              done += 1;
              if (done % 25 === 0 || done === files.length) note.textContent = tr("Saving search: %(done)s of %(num)s files…", { done, num: files.length });
              return next(i + 1);
            });
          }
          return next(0);
        }))
      .then(() => moveCache(SAVED + "-incomplete", SAVED))
      .then(() => { button.hidden = true; note.textContent = tr("Search works offline on this device."); })
      .catch(() => { note.textContent = tr("Could not save search. Check your connection and try again."); })
      .then(() => { button.disabled = false; });
  }

  /* Only a complete copy counts as saved: fill a scratch cache, then move it in one go. */
  function moveCache(from, to) {
    return Promise.all([caches.open(from), caches.open(to)]).then((c) => c[0].keys().then((keys) => Promise.all(keys.map((k) => c[0].match(k).then((r) => c[1].put(k, r)))))).then(() => caches.delete(from));
  }

  dialog.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.value === "close") return;
    event.preventDefault();  // Enter goes to the best result rather than closing the dialog
    const first = list.querySelector("a");
    if (first) location.href = first.href;
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();  // a tap on the backdrop
    if (event.target.closest && event.target.closest(".pr-search__result")) dialog.close();
  });
  input.addEventListener("input", search);
  more.addEventListener("click", () => { if (shown) showMore(latest, true); });
  offlineBox.querySelector(".pr-search__save").addEventListener("click", saveOffline);
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest(".pr-search-open")) open();
  });
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if ((event.key === "/" || event.key === "s") && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      open();
    }
  });
  /* The Search shortcut of the installed app opens the site with ?q=. */
  const asked = new URLSearchParams(location.search).get("q");
  if (asked !== null) {
    open();
    input.value = asked;
    run();
  }
})();
