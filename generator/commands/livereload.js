/* `practica serve` only (never published): reload the page after a successful rebuild.
 * Asks the server, with a long poll, for a build newer than the one this page came from; a failed rebuild
 * bumps nothing, so the page stays as it is. Loaded from the head, so Material's instant navigation (which
 * swaps the body) keeps one poll running, and every reload starts from the newest build.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.practicaLiveReload) return;
  window.practicaLiveReload = true;
  var endpoint = new URL(script.dataset.endpoint, script.src);
  var build = script.dataset.build;
  var RETRY_MS = 1000;

  function poll() {
    endpoint.searchParams.set("since", build);
    fetch(endpoint, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (latest) {
      if (latest.trim() !== build) location.reload();
      else poll();
    }).catch(function () { setTimeout(poll, RETRY_MS); });  // the server restarting, or a dropped connection
  }
  poll();
})();
