/* Practica page enhancements: knowledge checks, directory filter, path progress, video facades.
 *
 * Material's instant navigation swaps pages without reloading, so every enhancement runs on its
 * `document$` observable (and once on load where Material is absent). Each one is idempotent: an element
 * is enhanced once, marked with data-pr-ready. Everything works offline; nothing is fetched from elsewhere.
 */
(function () {
  "use strict";

  var enhancers = [];
  function onPage(fn) { enhancers.push(fn); }
  function each(selector, fn) {
    document.querySelectorAll(selector).forEach(function (el) {
      if (el.dataset.prReady) return;
      el.dataset.prReady = "1";
      fn(el);
    });
  }
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  /* Knowledge check: choose an option and check it. A first wrong answer may be retried; the right answer and
   * why are shown after a second wrong one, on "Show answer", or with a right one. Every state is said in
   * words (in the option's label and the status line), not by colour alone. */
  function checkText(icon, words) {
    var box = document.createDocumentFragment();
    if (icon) {
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = icon + " ";
      box.appendChild(mark);
    }
    box.appendChild(document.createTextNode(words));
    return box;
  }
  function markOption(label, state, icon, words) {
    var mark = label.querySelector(".pr-check__mark");
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "pr-check__mark";
      label.appendChild(mark);
    }
    mark.replaceChildren(checkText(icon, words));
    label.classList.add("pr-check__option--" + state);
  }
  onPage(function () {
    each("form.pr-check", function (form) {
      var result = form.querySelector(".pr-check__result");
      var explain = form.querySelector(".pr-check__explain");
      var show = form.querySelector(".pr-check__show");
      var answer = form.querySelector('input[value="' + form.dataset.answer + '"]');
      var answerText = answer ? answer.parentNode.querySelector(".pr-check__text").textContent.trim() : "";
      var wrongs = 0;
      function say(icon, words) { result.replaceChildren(checkText(icon, words)); }
      function reveal() {
        form.classList.add("pr-check--revealed");
        var label = answer && answer.parentNode;
        if (label && !label.classList.contains("pr-check__option--right")) {
          markOption(label, "answer", "✓", "Right answer");
        }
        if (explain) explain.hidden = false;
        if (show) show.hidden = true;
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = form.querySelector("input[type=radio]:checked");
        if (!chosen) {
          say("", "Choose an answer first.");
          form.querySelector("input[type=radio]").focus();
          return;
        }
        var right = chosen === answer;
        form.classList.toggle("pr-check--right", right);
        form.classList.toggle("pr-check--wrong", !right);
        if (right) {
          markOption(chosen.parentNode, "right", "✓", "Correct");
          say("✓", "Correct!");
          reveal();
          return;
        }
        markOption(chosen.parentNode, "tried", "✗", "Not quite");
        if (form.classList.contains("pr-check--revealed")) {
          say("✗", "Not quite. The answer is: " + answerText + ".");
          return;
        }
        wrongs += 1;
        if (wrongs < 2) {
          say("✗", "Not quite — try again.");
          return;
        }
        say("✗", "Not quite. The answer is: " + answerText + ".");
        reveal();
      });
      if (show) {
        show.hidden = false;
        show.addEventListener("click", function () {
          say("", "The answer is: " + answerText + ".");
          reveal();
          if (answer) answer.focus();
        });
      }
    });
  });

  /* Directory filter: free text (name, role, team, place, skills, availability, communities), skill,
   * community and team, announced to screen readers. */
  onPage(function () {
    each("form.pr-filter", function (form) {
      var cards = Array.prototype.slice.call(document.querySelectorAll(".pr-directory > .pr-person"));
      var count = form.querySelector(".pr-filter__count");
      var empty = document.querySelector(".pr-filter__empty");
      var params = new URLSearchParams(location.search);
      ["q", "skill", "topic", "team"].forEach(function (name) {
        if (params.get(name) && form.elements[name]) form.elements[name].value = params.get(name);
      });
      // Community names come from the form's own list, so cards carry only the communities' ids.
      var topicNames = {};
      Array.prototype.forEach.call(form.elements.topic.options, function (o) { topicNames[o.value] = o.text; });
      function teamOf(card) {
        var team = card.querySelector(".pr-person__team");
        return team ? team.textContent : "";
      }
      // What free text matches: the card's own words and its skills' and communities' names, read once.
      var words = new WeakMap();
      function wordsOf(card) {
        if (!words.has(card)) {
          var topics = card.dataset.topics.split(" ").map(function (t) { return topicNames[t] || t; });
          words.set(card, [card.textContent, card.dataset.skills.replace(/-/g, " "), topics.join(" ")]
            .join(" ").toLowerCase());
        }
        return words.get(card);
      }
      function apply() {
        var text = form.elements.q.value.trim().toLowerCase();
        var words = text ? text.split(/\s+/) : [];
        var skill = form.elements.skill.value;
        var topic = form.elements.topic.value;
        var team = form.elements.team ? form.elements.team.value : "";
        var shown = 0;
        cards.forEach(function (card) {
          var hay = wordsOf(card);
          var match = words.every(function (w) { return hay.indexOf(w) !== -1; }) &&
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
      form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
      form.hidden = false;
      apply();
    });
  });

  /* A person's local time, from the IANA zone in data-tz; computed here, never baked into the page. */
  var clocks = {};
  function localTimes() {
    var now = new Date();
    document.querySelectorAll(".pr-localtime[data-tz]").forEach(function (el) {
      var zone = el.dataset.tz;
      try {
        if (!clocks[zone]) {
          clocks[zone] = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone });
        }
        el.textContent = clocks[zone].format(now) + " local time";
        el.hidden = false;
      } catch (e) {
        el.hidden = true; // an unknown zone: show nothing rather than a wrong time
      }
    });
  }
  onPage(localTimes);
  window.setInterval(localTimes, 30000);

  /* What's new: type filter chips work as links without JavaScript; with it they filter in place. */
  onPage(function () {
    each("nav.pr-kinds", function (nav) {
      var links = Array.prototype.slice.call(nav.querySelectorAll("a[data-kind]"));
      var lists = Array.prototype.slice.call(document.querySelectorAll(".pr-new ul.pr-items"));
      function show(kind) {
        links.forEach(function (a) {
          if (a.dataset.kind === kind) a.setAttribute("aria-current", "true");
          else a.removeAttribute("aria-current");
        });
        lists.forEach(function (ul) {
          var any = false;
          Array.prototype.forEach.call(ul.children, function (li) {
            li.hidden = kind !== "" && !li.classList.contains("pr-item--" + kind);
            if (!li.hidden) any = true;
          });
          var group = ul.closest(".pr-week");
          if (group) group.hidden = !any;
        });
      }
      links.forEach(function (a) {
        a.addEventListener("click", function (event) {
          event.preventDefault();
          show(a.dataset.kind);
        });
      });
    });
  });

  /* Learning path progress, kept on this device only. */
  onPage(function () {
    each(".pr-path[data-path]", function (box) {
      var store = storage();
      var key = "practica:path:" + box.dataset.path;
      var done = {};
      try { done = JSON.parse((store && store.getItem(key)) || "{}"); } catch (e) { done = {}; }
      var boxes = box.querySelectorAll(".pr-step__done input");
      var bar = box.querySelector(".pr-path__bar");
      var label = box.querySelector(".pr-path__count");
      function render() {
        var n = 0;
        boxes.forEach(function (input) {
          input.checked = !!done[input.value];
          input.closest(".pr-step").classList.toggle("pr-step--done", input.checked);
          if (input.checked) n += 1;
        });
        bar.value = n;
        label.textContent = n === boxes.length ? "Path complete: all " + n + " steps done" :
          n + " of " + boxes.length + " steps done";
      }
      boxes.forEach(function (input) {
        input.closest("label").hidden = false;
        input.addEventListener("change", function () {
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
    var src = facade.dataset.embed;
    if (!src) return;  // a host the site does not frame: the figure links to it instead
    if (start) src += (src.indexOf("?") === -1 ? "?" : "&") + "start=" + start + "#t=" + start + "s";
    var frame = facade.querySelector("iframe");
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = facade.dataset.title || "Video";
      frame.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
      frame.allowFullscreen = true;
      frame.setAttribute("loading", "lazy");
      frame.width = "1280";
      frame.height = "720";
      facade.querySelectorAll(".pr-facade__play, .pr-facade__poster").forEach(function (el) { el.remove(); });
      facade.insertBefore(frame, facade.firstChild);
      facade.classList.add("pr-facade--loaded");
    }
    frame.src = src;
    frame.focus();
  }
  onPage(function () {
    each(".pr-facade", function (facade) {
      var play = facade.querySelector(".pr-facade__play");
      if (play) play.addEventListener("click", function () { loadEmbed(facade, 0); });
    });
    each(".pr-chapters", function (chapters) {
      chapters.addEventListener("click", function (event) {
        var button = event.target.closest("[data-seek]");
        if (!button) return;
        var at = parseInt(button.dataset.seek, 10) || 0;
        var video = document.querySelector(".pr-video video");
        var facade = document.querySelector(".pr-facade");
        if (video) {
          video.currentTime = at;
          var playing = video.play();
          if (playing && playing.catch) playing.catch(function () { /* autoplay may be refused */ });
          video.focus();
        } else if (facade) {
          loadEmbed(facade, at);
        }
      });
    });
  });

  onPage(function () {
    each("[data-action=reload]", function (button) {
      button.addEventListener("click", function () { location.reload(); });
    });
  });

  function run() { enhancers.forEach(function (fn) { fn(); }); }
  window.practica = window.practica || {};
  window.practica.onPage = function (fn) { enhancers.push(fn); fn(); };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(run);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
