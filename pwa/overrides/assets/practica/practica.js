/* Practica page enhancements: knowledge checks, directory filter, path progress, video facades.
 *
 * Material's instant navigation swaps pages without reloading, so every enhancement runs on its
 * `document$` observable (and once on load where Material is absent). Each one is idempotent: an element
 * is enhanced once, marked with data-pr-ready. Everything works offline; nothing is fetched from elsewhere.
 */
(() => {
  "use strict";

  const enhancers = [];
  function onPage(fn) { enhancers.push(fn); }
  function each(selector, fn) {
    document.querySelectorAll(selector).forEach((el) => {
      if (el.dataset.prReady) return;
      el.dataset.prReady = "1";
      fn(el);
    });
  }
  /* A page in another language than the site's carries [data-pr-lang] (main.html). The build writes its <html lang
   * dir> for a first load; Material's instant navigation swaps the content but keeps the <html> and <body> of the
   * page it came from, so set them here on every page: the page's language, or the site's (what the header
   * says: the build marks Material's chrome with the site's language on pages in another). */
  const site = (() => {
    const header = document.querySelector("header.md-header[lang]");
    const root = document.documentElement;
    return header ? { lang: header.getAttribute("lang"), dir: header.getAttribute("dir") || "ltr" }
      : { lang: root.lang, dir: root.dir || document.body.dir || "ltr" };
  })();
  const CHROME = "header.md-header, footer.md-footer, .md-sidebar--primary";
  onPage(() => {
    const marker = document.querySelector("[data-pr-lang]");
    const page = marker ? { lang: marker.dataset.prLang, dir: marker.dataset.prDir || "ltr" } : site;
    const root = document.documentElement;
    if (root.lang === page.lang && document.body.dir === page.dir) return;
    root.lang = page.lang;
    if (marker) root.dir = page.dir; else root.removeAttribute("dir");
    document.body.dir = page.dir;
    document.querySelectorAll(CHROME).forEach((el) => {
      if (marker) { el.lang = site.lang; el.dir = site.dir; } else { el.removeAttribute("lang"); el.removeAttribute("dir"); }
    });
  });

  function storage() {
    try { return window.localStorage; } catch { return null; }
  }

  /* Knowledge check: choose an option and check it. A first wrong answer may be retried; the right answer and
   * why are shown after a second wrong one, on "Show answer", or with a right one. Every state is said in
   * words (in the option's label and the status line), not by colour alone. */
  function checkText(icon, words) {
    const box = document.createDocumentFragment();
    if (icon) {
      const mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = icon + " ";
      box.appendChild(mark);
    }
    box.appendChild(document.createTextNode(words));
    return box;
  }
  function markOption(label, state, icon, words) {
    let mark = label.querySelector(".pr-check__mark");
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "pr-check__mark";
      label.appendChild(mark);
    }
    mark.replaceChildren(checkText(icon, words));
    label.classList.add("pr-check__option--" + state);
  }
  onPage(() => {
    each("form.pr-check", (form) => {
      const result = form.querySelector(".pr-check__result");
      const explain = form.querySelector(".pr-check__explain");
      const show = form.querySelector(".pr-check__show");
      const answer = form.querySelector('input[value="' + form.dataset.answer + '"]');
      const answerText = answer ? answer.parentNode.querySelector(".pr-check__text").textContent.trim() : "";
      let wrongs = 0;
      function say(icon, words) { result.replaceChildren(checkText(icon, words)); }
      function reveal() {
        form.classList.add("pr-check--revealed");
        const label = answer && answer.parentNode;
        if (label && !label.classList.contains("pr-check__option--right")) {
          markOption(label, "answer", "✓", practica.tr("Right answer"));
        }
        if (explain) explain.hidden = false;
        if (show) show.hidden = true;
      }
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const chosen = form.querySelector("input[type=radio]:checked");
        if (!chosen) {
          say("", practica.tr("Choose an answer first."));
          form.querySelector("input[type=radio]").focus();
          return;
        }
        const right = chosen === answer;
        form.classList.toggle("pr-check--right", right);
        form.classList.toggle("pr-check--wrong", !right);
        if (right) {
          markOption(chosen.parentNode, "right", "✓", practica.tr("Correct"));
          say("✓", practica.tr("Correct!"));
          reveal();
          return;
        }
        markOption(chosen.parentNode, "tried", "✗", practica.tr("Not quite"));
        if (form.classList.contains("pr-check--revealed")) {
          say("✗", practica.tr("Not quite. The answer is: %(answer)s.", { answer: answerText }));
          return;
        }
        wrongs += 1;
        if (wrongs < 2) {
          say("✗", practica.tr("Not quite — try again."));
          return;
        }
        say("✗", practica.tr("Not quite. The answer is: %(answer)s.", { answer: answerText }));
        reveal();
      });
      if (show) {
        show.hidden = false;
        show.addEventListener("click", () => {
          say("", practica.tr("The answer is: %(answer)s.", { answer: answerText }));
          reveal();
          if (answer) answer.focus();
        });
      }
    });
  });

  /* Directory filter: free text (name, role, team, place, skills, availability, communities), skill,
   * community and team, announced to screen readers. */
  onPage(() => {
    each("form.pr-filter", (form) => {
      const cards = Array.prototype.slice.call(document.querySelectorAll(".pr-directory > .pr-person"));
      const count = form.querySelector(".pr-filter__count");
      const empty = document.querySelector(".pr-filter__empty");
      const params = new URLSearchParams(location.search);
      ["q", "skill", "topic", "team"].forEach((name) => {
        if (params.get(name) && form.elements[name]) form.elements[name].value = params.get(name);
      });
      // Community names come from the form's own list, so cards carry only the communities' ids.
      const topicNames = {};
      Array.prototype.forEach.call(form.elements.topic.options, (o) => { topicNames[o.value] = o.text; });
      function teamOf(card) {
        const team = card.querySelector(".pr-person__team");
        return team ? team.textContent : "";
      }
      // What free text matches: the card's own words and its skills' and communities' names, read once.
      const words = new WeakMap();
      function wordsOf(card) {
        if (!words.has(card)) {
          const topics = card.dataset.topics.split(" ").map((t) => topicNames[t] || t);
          words.set(card, [card.textContent, card.dataset.skills.replace(/-/g, " "), topics.join(" ")]
            .join(" ").toLowerCase());
        }
        return words.get(card);
      }
      function apply() {
        const text = form.elements.q.value.trim().toLowerCase();
        const words = text ? text.split(/\s+/) : [];
        const skill = form.elements.skill.value;
        const topic = form.elements.topic.value;
        const team = form.elements.team ? form.elements.team.value : "";
        let shown = 0;
        cards.forEach((card) => {
          const hay = wordsOf(card);
          const match = words.every((w) => hay.indexOf(w) !== -1) &&
            (!skill || (" " + card.dataset.skills + " ").indexOf(" " + skill + " ") !== -1) &&
            (!topic || (" " + card.dataset.topics + " ").indexOf(" " + topic + " ") !== -1) &&
            (!team || teamOf(card) === team);
          card.hidden = !match;
          if (match) shown += 1;
        });
        count.textContent = shown === cards.length ? "Showing all " + shown + " people" :
          shown + (shown === 1 ? " person matches" : " people match");
        if (empty) empty.hidden = shown !== 0;
      }
      form.addEventListener("input", apply);
      form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
      form.hidden = false;
      apply();
    });
  });

  /* A person's local time, from the IANA zone in data-tz; computed here, never baked into the page. */
  const clocks = {};
  function localTimes() {
    const now = new Date();
    document.querySelectorAll(".pr-localtime[data-tz]").forEach((el) => {
      const zone = el.dataset.tz;
      try {
        if (!clocks[zone]) {
          clocks[zone] = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone });
        }
        el.textContent = clocks[zone].format(now) + " local time";
        el.hidden = false;
      } catch {
        el.hidden = true; // an unknown zone: show nothing rather than a wrong time
      }
    });
  }
  onPage(localTimes);
  window.setInterval(localTimes, 30000);

  /* An event's time in the reader's own zone, when it is not the event's (the page says the event's). */
  onPage(() => {
    each("[data-pr-when]", (el) => {
      try {
        const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (!mine || mine === el.dataset.zone) return;
        const start = new Date(el.dataset.start);
        const end = new Date(el.dataset.end);
        const day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short",
                                                         hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
        const hour = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
        el.textContent = " Your time: " + day.format(start) + " – " + hour.format(end) + ".";
        el.hidden = false;
      } catch {
        el.hidden = true;
      }
    });
  });

  /* What's new: type filter chips work as links without JavaScript; with it they filter in place. */
  onPage(() => {
    each("nav.pr-kinds", (nav) => {
      const links = Array.prototype.slice.call(nav.querySelectorAll("a[data-kind]"));
      const lists = Array.prototype.slice.call(document.querySelectorAll(".pr-new ul.pr-items"));
      function show(kind) {
        links.forEach((a) => {
          if (a.dataset.kind === kind) a.setAttribute("aria-current", "true");
          else a.removeAttribute("aria-current");
        });
        lists.forEach((ul) => {
          let any = false;
          Array.prototype.forEach.call(ul.children, (li) => {
            li.hidden = kind !== "" && !li.classList.contains("pr-item--" + kind);
            if (!li.hidden) any = true;
          });
          const group = ul.closest(".pr-week");
          if (group) group.hidden = !any;
        });
      }
      links.forEach((a) => {
        a.addEventListener("click", (event) => {
          event.preventDefault();
          show(a.dataset.kind);
        });
      });
    });
  });

  /* Learning path progress, kept on this device only. */
  onPage(() => {
    each(".pr-path[data-path]", (box) => {
      const store = storage();
      const key = practica.storage.pathProgress + box.dataset.path;
      let done = {};
      try { done = JSON.parse((store && store.getItem(key)) || "{}"); } catch { done = {}; }
      const boxes = box.querySelectorAll(".pr-step__done input");
      const bar = box.querySelector(".pr-path__bar");
      const label = box.querySelector(".pr-path__count");
      function render() {
        let n = 0;
        boxes.forEach((input) => {
          input.checked = !!done[input.value];
          input.closest(".pr-step").classList.toggle("pr-step--done", input.checked);
          if (input.checked) n += 1;
        });
        bar.value = n;
        label.textContent = n === boxes.length ? "Path complete: all " + n + " steps done" :
          n + " of " + boxes.length + " steps done";
      }
      boxes.forEach((input) => {
        input.closest("label").hidden = false;
        input.addEventListener("change", () => {
          if (input.checked) done[input.value] = new Date().toISOString().slice(0, 10);
          else delete done[input.value];
          if (store) store.setItem(key, JSON.stringify(done));
          render();
        });
      });
      bar.hidden = false;
      render();
    });
  });

  /* External videos: nothing loads from the video host until the reader presses play. */
  function loadEmbed(facade, start) {
    let src = facade.dataset.embed;
    if (!src) return;  // a host the site does not frame: the figure links to it instead
    if (start) src += (src.indexOf("?") === -1 ? "?" : "&") + "start=" + start + "#t=" + start + "s";
    let frame = facade.querySelector("iframe");
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = facade.dataset.title || "Video";
      frame.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
      frame.allowFullscreen = true;
      frame.setAttribute("loading", "lazy");
      frame.width = "1280";
      frame.height = "720";
      facade.querySelectorAll(".pr-facade__play, .pr-facade__poster").forEach((el) => { el.remove(); });
      facade.insertBefore(frame, facade.firstChild);
      facade.classList.add("pr-facade--loaded");
    }
    frame.src = src;
    frame.focus();
  }
  onPage(() => {
    each(".pr-facade", (facade) => {
      const play = facade.querySelector(".pr-facade__play");
      if (play) play.addEventListener("click", () => { loadEmbed(facade, 0); });
    });
    each(".pr-chapters", (chapters) => {
      chapters.addEventListener("click", (event) => {
        const button = event.target.closest("[data-seek]");
        if (!button) return;
        const at = parseInt(button.dataset.seek, 10) || 0;
        const video = document.querySelector(".pr-video video");
        const facade = document.querySelector(".pr-facade");
        if (video) {
          video.currentTime = at;
          const playing = video.play();
          if (playing && playing.catch) playing.catch(() => { /* autoplay may be refused */ });
          video.focus();
        } else if (facade) {
          loadEmbed(facade, at);
        }
      });
    });
  });

  onPage(() => {
    each("[data-action=reload]", (button) => {
      button.addEventListener("click", () => { location.reload(); });
    });
  });

  /* Scripts that only some pages use load only there, and only with a community service (a few KB the other
   * pages do not pay for): a discussion's (talk.js) and the "ask an expert" form's (ask.js), after the outbox they
   * share (outbox.js); introductions' (intro.js) on /me/ and community hubs; the stewards' page's
   * (moderation.js); learning records' (records.js) on items' pages. Each then runs on every page change itself. The site's root is read once: instant
   * navigation changes location but keeps the first page's config (its relative base). */
  const root = practica.siteRoot();
  const loaded = {};
  function inject(name) {
    return new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = new URL(practica.urls[name], root).href;
      script.onload = resolve;
      script.onerror = resolve;
      document.body.appendChild(script);
    });
  }
  /* Load a script once, after the one it needs (if any) has loaded. */
  function load(name, first) {
    if (!loaded[name]) loaded[name] = (first ? load(first) : Promise.resolve()).then(() => inject(name));
    return loaded[name];
  }
  const pageScripts = [   // [script, the elements that want it, the script it needs first]
    ["talk", "[data-pr-talk], [data-pr-board]", "outbox"],
    ["ask", "[data-pr-ask]", "outbox"],
    ["intro", "[data-pr-intro], [data-pr-members]", null],
    ["moderationScript", "[data-pr-moderation]", null],
    ["records", "[data-pr-learn]", null],
    ["events", "[data-pr-events]", "outbox"],   // event pages mark it only when events.js exists (pages/events.py)
  ];
  /* Scripts some pages need with or without a community service (they say so themselves when there is none). */
  const localScripts = [
    ["notificationsScript", "[data-push-page]"],
    ["learning", "form[data-commit], [data-thanks], [data-thanks-person], section[data-learning]"],
  ];
  onPage(() => {
    localScripts.forEach(([name, selector]) => { if (document.querySelector(selector)) load(name); });
  });
  onPage(() => {
    const service = document.querySelector('meta[name="practica:push"]');
    if (!service || !service.content) return;
    pageScripts.forEach(([name, selector, first]) => {
      if (document.querySelector(selector)) load(name, first);
    });
  });

  /* A list row offers its item in other languages (data-pr-langs: {lang: {url, title, summary}}, written by the
   * build): show the one this device's languages prefer (navigator.languages, in order; a language matches
   * its regional forms), else leave the row as built (the page's or the site's language). */
  function preferredLanguage(offered) {
    const wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""]);
    for (const tag of wanted) {
      const lower = String(tag).toLowerCase();
      const exact = offered.find((l) => l.toLowerCase() === lower);
      if (exact) return exact;
      const base = offered.find((l) => l.toLowerCase().split("-")[0] === lower.split("-")[0]);
      if (base) return base;
    }
    return null;
  }
  onPage(() => {
    const pageLang = document.documentElement.lang;
    each("[data-pr-langs]", (row) => {
      let offered;
      try { offered = JSON.parse(row.dataset.prLangs); } catch { return; }
      const title = row.querySelector(".pr-item__title");
      const summary = row.querySelector(".pr-item__summary");
      const pick = preferredLanguage(Object.keys(offered));
      const shown = (title && title.getAttribute("lang")) || pageLang;
      if (!pick || !title || pick === shown) return;
      title.href = offered[pick].url;
      title.textContent = offered[pick].title;
      if (summary) summary.textContent = offered[pick].summary;
      [title, summary].forEach((node) => {
        if (!node) return;
        if (pick === pageLang) { node.removeAttribute("lang"); node.removeAttribute("dir"); } else { node.lang = pick; node.dir = "auto"; }
      });
    });
  });

  function run() { enhancers.forEach((fn) => { fn(); }); }
  practica.onPage = (fn) => { enhancers.push(fn); fn(); };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(run);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
