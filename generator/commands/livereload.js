/* `practica serve` only (never published): reload the page after a successful rebuild.
 * Asks the server, with a long poll, for a build newer than the one this page came from; a failed rebuild
 * bumps nothing, so the page stays as it is. Loaded from the head, so Material's instant navigation (which
 * swaps the body) keeps one poll running, and every reload starts from the newest build.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.practicaLiveReload) return;
  window.practicaLiveReload = true;
  const endpoint = new URL(script.dataset.endpoint, script.src);
  const build = script.dataset.build;
  const RETRY_MS = 1000;

  function poll() {
    endpoint.searchParams.set("since", build);
    fetch(endpoint, { cache: "no-store" }).then((r) => {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then((latest) => {
      if (latest.trim() !== build) location.reload();
      else poll();
    }).catch(() => { setTimeout(poll, RETRY_MS); });  // the server restarting, or a dropped connection
  }
  poll();
})();
