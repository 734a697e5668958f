// The judges' service worker, served as /judge/sw.js so that its scope is
// /judge/. It keeps a copy of the marking page and of the files it loads,
// so that reloading the marking page without a network shows the page
// again (the unsent marks are kept in the browser's storage by judge.js).
// Pages and files are asked from the network first and the copy is only
// used when the network fails; nothing but GET requests is ever touched,
// so answers to posted forms and marks are never kept.
"use strict";

var CACHE = "jiangxin-judge-1";
var FILES = ["/static/judge.js", "/static/judge.css", "/static/app.css", "/favicon.svg"];
var MARKING_PAGE = /^\/judge\/contests\/\d+$/;

function kept(url) {
  return url.origin === self.location.origin &&
    (MARKING_PAGE.test(url.pathname) || FILES.indexOf(url.pathname) >= 0);
}

// Keeps a copy of a good answer: a page or file served whole, not a
// redirect (to the sign-in page, for one) nor an error.
function keep(request, response) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
    return Promise.resolve();
  }
  var copy = response.clone();
  return caches.open(CACHE)
    .then(function (c) { return c.put(request, copy); })
    .catch(function () { /* storage full or refused: no copy */ });
}

function fetchAndKeep(url) {
  return fetch(url, { credentials: "same-origin" })
    .then(function (r) { return keep(url, r); })
    .catch(function () { /* offline: nothing to keep */ });
}

self.addEventListener("install", function (ev) {
  ev.waitUntil(Promise.all(FILES.map(fetchAndKeep)).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (ev) {
  ev.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("jiangxin-judge-") === 0 && n !== CACHE; })
          .map(function (n) { return caches.delete(n); }));
      })
      .then(function () { return self.clients.claim(); })
      .then(function () { return self.clients.matchAll({ type: "window" }); })
      .then(function (windows) {
        // The marking page that registered the worker was loaded before it
        // ran: keep a copy of it now.
        return Promise.all(windows.filter(function (w) { return kept(new URL(w.url)); })
          .map(function (w) { return fetchAndKeep(w.url); }));
      })
  );
});

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (!kept(url)) { return; }
  ev.respondWith(
    fetch(req)
      .then(function (r) {
        return keep(req.url, r).then(function () { return r; });
      })
      .catch(function () {
        return caches.open(CACHE).then(function (c) {
          return c.match(req.url, { ignoreVary: true }).then(function (hit) {
            // Another entry of the same contest's marking page will do:
            // judge.js shows the entry named in the address.
            return hit || c.match(req.url, { ignoreVary: true, ignoreSearch: true });
          });
        }).then(function (hit) { return hit || Response.error(); });
      })
  );
});
