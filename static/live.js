// The live ranking: replaces the table's rows as server-sent events arrive,
// and shows whether the stream is live or reconnecting. Every text comes
// from the page's data- attributes.
(function () {
  "use strict";
  var root = document.getElementById("live");
  var rows = document.getElementById("live-rows");
  var badge = document.getElementById("live-state");
  if (!root || !rows || !badge || !window.EventSource) {
    return;
  }
  function show(state) {
    badge.textContent = root.getAttribute("data-" + state) || "";
    badge.setAttribute("data-state", state);
    badge.hidden = false;
  }
  var source = new EventSource(root.getAttribute("data-events"));
  source.onopen = function () {
    show("live");
  };
  source.onerror = function () {
    if (source.readyState !== EventSource.CLOSED) {
      show("reconnecting");
    }
  };
  source.addEventListener("table", function (e) {
    // The rows are rendered and escaped by the server.
    rows.innerHTML = e.data;
    root.setAttribute("data-updates", String(Number(root.getAttribute("data-updates") || "0") + 1));
    show("live");
  });
  source.addEventListener("closed", function () {
    source.close();
    show("closed");
  });
})();
