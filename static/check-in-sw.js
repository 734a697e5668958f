// The check-in page's service worker, served as /organise/check-in-sw.js
// with the scope /organise/. It keeps a copy of the check-in page and of
// the files it loads, so that reloading the page at the door without a
// network shows it again (the unsent checks are kept in the browser's
// storage by check-in.js). Pages and files are asked from the network first
// and the copy is only used when the network fails; only GET requests of the
// check-in page and its files are touched, never another organiser page.
"use strict";

var CACHE = "jiangxin-checkin-1";
var FILES = ["/static/check-in.js", "/static/app.css", "/favicon.svg"];
var CHECK_IN_PAGE = /^\/organise\/contests\/\d+\/check-in$/;

function kept(url) {
  return url.origin === self.location.origin &&
    (CHECK_IN_PAGE.test(url.pathname) || FILES.indexOf(url.pathname) >= 0);
}

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
        return Promise.all(names.filter(function (n) { return n.indexOf("jiangxin-checkin-") === 0 && n !== CACHE; })
          .map(function (n) { return caches.delete(n); }));
      })
      .then(function () { return self.clients.claim(); })
      .then(function () { return self.clients.matchAll({ type: "window" }); })
      .then(function (windows) {
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
          return c.match(req.url, { ignoreVary: true, ignoreSearch: true });
        }).then(function (hit) { return hit || Response.error(); });
      })
  );
});
