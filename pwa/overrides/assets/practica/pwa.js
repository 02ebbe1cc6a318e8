/* Practica as an app: registers the service worker, offers updates, saves communities and paths for
 * offline reading, and offers installation (with Add-to-Home-Screen steps on iOS). */
(function () {
  "use strict";

  if (!("serviceWorker" in navigator) || !window.caches) return;
  var onPage = (window.practica && window.practica.onPage) || function (fn) { fn(); };

  function siteRoot() {
    var config = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  /* ---------- Updates: "New content is available — reload" ---------- */
  var reloading = false;
  function offerUpdate(registration) {
    if (!registration.waiting || document.querySelector(".pr-update")) return;
    var bar = document.createElement("div");
    bar.className = "pr-update";
    bar.setAttribute("role", "alert");
    bar.innerHTML = '<p class="pr-update__text">New content is available.</p>' +
      '<button type="button" class="md-button md-button--primary pr-update__reload">Reload</button>' +
      '<button type="button" class="md-button pr-update__later">Not now</button>';
    bar.querySelector(".pr-update__reload").addEventListener("click", function () {
      var waiting = registration.waiting;
      if (!waiting) { location.reload(); return; }
      waiting.postMessage({ type: "SKIP_WAITING" });
    });
    bar.querySelector(".pr-update__later").addEventListener("click", function () { bar.remove(); });
    document.body.appendChild(bar);
  }

  var root = siteRoot();
  navigator.serviceWorker.register(new URL("sw.js", root).href, { scope: root.pathname }).then(function (reg) {
    window.practica = window.practica || {};
    window.practica.registration = reg;
    if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg);
    reg.addEventListener("updatefound", function () {
      var installing = reg.installing;
      if (!installing) return;
      installing.addEventListener("statechange", function () {
        if (installing.state === "installed" && navigator.serviceWorker.controller) offerUpdate(reg);
      });
    });
    /* Instant navigation never reloads the page: look for a new version as the reader moves on. */
    onPage(function () { reg.update().catch(function () { /* offline */ }); });
  }).catch(function () { /* no service worker: the site still works online */ });

  var hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (!hadController) { hadController = true; return; }   // first install, nothing to reload
    if (reloading) return;
    reloading = true;
    location.reload();
  });

  /* ---------- Save a community or a path for offline reading ---------- */
  function formatBytes(n) {
    if (n < 1024) return n + " bytes";
    if (n < 1024 * 1024) return Math.round(n / 1024) + " KB";
    return (n / 1024 / 1024).toFixed(1) + " MB";
  }

  function imagesIn(html, pageUrl) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = {};
    doc.querySelectorAll("article img[src], article video[poster], article img[srcset]").forEach(function (el) {
      var candidates = [el.getAttribute("src"), el.getAttribute("poster")];
      (el.getAttribute("srcset") || "").split(",").forEach(function (part) { candidates.push(part.trim().split(/\s+/)[0]); });
      candidates.forEach(function (c) {
        if (!c) return;
        var url = new URL(c, pageUrl);
        if (url.origin === location.origin) found[url.href] = true;
      });
    });
    return Object.keys(found);
  }

  function saveState(box) {
    var name = "practica-saved-" + box.dataset.key;
    var status = box.querySelector(".pr-save__status");
    var button = box.querySelector(".pr-save__button");
    var remove = box.querySelector(".pr-save__remove");
    var store = window.localStorage;

    function showSaved() {
      var meta = {};
      try { meta = JSON.parse(store.getItem(name) || "{}"); } catch (e) { meta = {}; }
      if (!meta.savedAt) return false;
      status.textContent = "Saved for offline on " + new Date(meta.savedAt).toLocaleDateString() + " · " +
        meta.pages + " pages · " + formatBytes(meta.bytes);
      button.querySelector("span").textContent = "Update offline copy";
      remove.hidden = false;
      box.classList.add("pr-save--saved");
      return true;
    }

    function save() {
      var listUrl = new URL(box.dataset.list, location.href);
      var urls = [];
      var done = 0;
      var bytes = 0;
      button.disabled = true;
      status.textContent = "Preparing…";
      return fetch(listUrl.href, { credentials: "same-origin", cache: "no-cache" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (listing) {
        urls = listing.pages.map(function (u) { return new URL(u, listUrl).href; });
        status.textContent = "Saving 0 of " + urls.length + " pages…";
        return caches.open(name);
      }).then(function (cache) {
        function put(url) {
          return fetch(url, { credentials: "same-origin", cache: "no-cache" }).then(function (response) {
            if (!response.ok) throw new Error(url + ": HTTP " + response.status);
            return response.clone().text().then(function (html) {
              bytes += new Blob([html]).size;
              return cache.put(url, response).then(function () { return html; });
            });
          });
        }
        var chain = Promise.resolve();
        var images = {};
        urls.forEach(function (url) {
          chain = chain.then(function () { return put(url); }).then(function (html) {
            imagesIn(html, url).forEach(function (img) { images[img] = true; });
            done += 1;
            status.textContent = "Saving " + done + " of " + urls.length + " pages…";
          });
        });
        return chain.then(function () {
          var list = Object.keys(images);
          status.textContent = "Saving " + list.length + " images…";
          return Promise.all(list.map(function (img) {
            return fetch(img, { credentials: "same-origin" }).then(function (response) {
              if (!response.ok) return null;
              return response.clone().blob().then(function (blob) {
                bytes += blob.size;
                return cache.put(img, response);
              });
            }).catch(function () { return null; });
          }));
        });
      }).then(function () {
        store.setItem(name, JSON.stringify({ savedAt: new Date().toISOString(), pages: urls.length, bytes: bytes }));
        showSaved();
      }).catch(function (error) {
        status.textContent = "Could not save everything (" + error.message + "). Check your connection and try again.";
      }).then(function () { button.disabled = false; });
    }

    button.addEventListener("click", save);
    remove.addEventListener("click", function () {
      caches.delete(name).then(function () {
        store.removeItem(name);
        remove.hidden = true;
        box.classList.remove("pr-save--saved");
        button.querySelector("span").textContent = "Save " + box.dataset.what + " for offline";
        status.textContent = "Offline copy removed.";
      });
    });
    box.hidden = false;
    showSaved();
  }

  onPage(function () {
    document.querySelectorAll(".pr-save[data-list]").forEach(function (box) {
      if (box.dataset.prReady) return;
      box.dataset.prReady = "1";
      box.dataset.key = new URL(".", location.href).pathname.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
      saveState(box);
    });
  });

  /* ---------- Install: the browser's prompt, or Add-to-Home-Screen steps on iOS ---------- */
  var deferred = null;
  var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  var ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);

  function showInstall() {
    document.querySelectorAll(".pr-install").forEach(function (box) {
      if (standalone) { box.hidden = true; return; }
      var button = box.querySelector(".pr-install__button");
      var steps = box.querySelector(".pr-install__ios");
      if (deferred) {
        box.hidden = false;
        button.hidden = false;
        if (!button.dataset.prReady) {
          button.dataset.prReady = "1";
          button.addEventListener("click", function () {
            if (!deferred) return;
            deferred.prompt();
            deferred.userChoice.then(function () { deferred = null; box.hidden = true; });
          });
        }
      } else if (ios) {
        box.hidden = false;
        steps.hidden = false;
      }
    });
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    showInstall();
  });
  window.addEventListener("appinstalled", function () { deferred = null; standalone = true; showInstall(); });
  onPage(showInstall);
})();
