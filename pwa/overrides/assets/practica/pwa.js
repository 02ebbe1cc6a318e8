/* Practica as an app: registers the service worker, offers updates, saves communities and paths for
 * offline reading, and offers installation (with Add-to-Home-Screen steps on iOS). */
(() => {
  "use strict";

  if (!("serviceWorker" in navigator) || !window.caches) return;
  const onPage = practica.onPage || ((fn) => fn());

  /* ---------- Updates: "New content is available — reload" ---------- */
  let reloading = false;
  function offerUpdate(registration) {
    if (!registration.waiting || document.querySelector(".pr-update")) return;
    const el = practica.el;
    const bar = el("div", { class: "pr-update", role: "alert" },
      el("p", { class: "pr-update__text", text: "New content is available." }),
      el("button", { type: "button", class: "md-button md-button--primary pr-update__reload", text: "Reload" }),
      el("button", { type: "button", class: "md-button pr-update__later", text: "Not now" }));
    bar.querySelector(".pr-update__reload").addEventListener("click", () => {
      const waiting = registration.waiting;
      if (!waiting) { location.reload(); return; }
      waiting.postMessage({ type: "SKIP_WAITING" });
    });
    bar.querySelector(".pr-update__later").addEventListener("click", () => { bar.remove(); });
    document.body.appendChild(bar);
  }

  const root = practica.siteRoot();
  navigator.serviceWorker.register(new URL("sw.js", root).href, { scope: root.pathname }).then((reg) => {
    practica.registration = reg;
    if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg);
    reg.addEventListener("updatefound", () => {
      const installing = reg.installing;
      if (!installing) return;
      installing.addEventListener("statechange", () => {
        if (installing.state === "installed" && navigator.serviceWorker.controller) offerUpdate(reg);
      });
    });
    /* Instant navigation never reloads the page: look for a new version as the reader moves on. */
    onPage(() => { reg.update().catch(() => { /* offline */ }); });
  }).catch(() => { /* no service worker: the site still works online */ });

  let hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
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
    const doc = new DOMParser().parseFromString(html, "text/html");
    const found = {};
    doc.querySelectorAll("article img[src], article video[poster], article img[srcset]").forEach((el) => {
      const candidates = [el.getAttribute("src"), el.getAttribute("poster")];
      (el.getAttribute("srcset") || "").split(",").forEach((part) => { candidates.push(part.trim().split(/\s+/)[0]); });
      candidates.forEach((c) => {
        if (!c) return;
        const url = new URL(c, pageUrl);
        if (url.origin === location.origin) found[url.href] = true;
      });
    });
    return Object.keys(found);
  }

  function saveState(box) {
    const name = practica.caches.saved + box.dataset.key;
    const status = box.querySelector(".pr-save__status");
    const button = box.querySelector(".pr-save__button");
    const remove = box.querySelector(".pr-save__remove");
    const store = window.localStorage;

    function showSaved() {
      let meta;
      try { meta = JSON.parse(store.getItem(name) || "{}"); } catch { meta = {}; }
      if (!meta.savedAt) return false;
      status.textContent = "Saved for offline on " + new Date(meta.savedAt).toLocaleDateString() + " · " +
        meta.pages + " pages · " + formatBytes(meta.bytes);
      button.querySelector("span").textContent = "Update offline copy";
      remove.hidden = false;
      box.classList.add("pr-save--saved");
      return true;
    }

    function save() {
      const listUrl = new URL(box.dataset.list, location.href);
      let urls = [];
      let done = 0;
      let bytes = 0;
      button.disabled = true;
      status.textContent = "Preparing…";
      return fetch(listUrl.href, { credentials: "same-origin", cache: "no-cache" }).then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then((listing) => {
        urls = listing.pages.map((u) => new URL(u, listUrl).href);
        status.textContent = "Saving 0 of " + urls.length + " pages…";
        return caches.open(name);
      }).then((cache) => {
        function put(url) {
          return fetch(url, { credentials: "same-origin", cache: "no-cache" }).then((response) => {
            if (!response.ok) throw new Error(url + ": HTTP " + response.status);
            return response.clone().text().then((html) => {
              bytes += new Blob([html]).size;
              return cache.put(url, response).then(() => html);
            });
          });
        }
        let chain = Promise.resolve();
        const images = {};
        urls.forEach((url) => {
          chain = chain.then(() => put(url)).then((html) => {
            imagesIn(html, url).forEach((img) => { images[img] = true; });
            done += 1;
            status.textContent = "Saving " + done + " of " + urls.length + " pages…";
          });
        });
        return chain.then(() => {
          const list = Object.keys(images);
          status.textContent = "Saving " + list.length + " images…";
          return Promise.all(list.map((img) => fetch(img, { credentials: "same-origin" }).then((response) => {
              if (!response.ok) return null;
              return response.clone().blob().then((blob) => {
                bytes += blob.size;
                return cache.put(img, response);
              });
            }).catch(() => null)));
        });
      }).then(() => {
        const heading = document.querySelector(".md-content h1");   // for "Saved for offline" on me/ (learning.js)
        store.setItem(name, JSON.stringify({ savedAt: new Date().toISOString(), pages: urls.length, bytes,
          title: heading ? heading.textContent.replace(/¶$/, "").trim() : document.title, url: location.pathname }));
        showSaved();
      }).catch((error) => {
        status.textContent = "Could not save everything (" + error.message + "). Check your connection and try again.";
      }).then(() => { button.disabled = false; });
    }

    button.addEventListener("click", save);
    remove.addEventListener("click", () => {
      caches.delete(name).then(() => {
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

  onPage(() => {
    document.querySelectorAll(".pr-save[data-list]").forEach((box) => {
      if (box.dataset.prReady) return;
      box.dataset.prReady = "1";
      box.dataset.key = new URL(".", location.href).pathname.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
      saveState(box);
    });
  });

  /* ---------- Install: the browser's prompt, or Add-to-Home-Screen steps on iOS ---------- */
  let deferred = null;
  let standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);

  function showInstall() {
    document.querySelectorAll(".pr-install").forEach((box) => {
      if (standalone) { box.hidden = true; return; }
      const button = box.querySelector(".pr-install__button");
      const steps = box.querySelector(".pr-install__ios");
      if (deferred) {
        box.hidden = false;
        button.hidden = false;
        if (!button.dataset.prReady) {
          button.dataset.prReady = "1";
          button.addEventListener("click", () => {
            if (!deferred) return;
            deferred.prompt();
            deferred.userChoice.then(() => { deferred = null; box.hidden = true; });
          });
        }
      } else if (ios) {
        box.hidden = false;
        steps.hidden = false;
      }
    });
  }
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    showInstall();
  });
  window.addEventListener("appinstalled", () => { deferred = null; standalone = true; showInstall(); });
  onPage(showInstall);
})();
