// The check-in page on a phone at the door. Every check is kept on the
// phone first (localStorage), each with its own id, and sent oldest first
// to the check-in API; it leaves the queue only when the server has
// acknowledged it (or refused it, with the reason shown on the entry), so a
// dropped network, a reload or a retry never loses or doubles a check. The
// same pattern as the judges' marking page (judge.js). Without this script
// each entry is a plain form.
(function () {
  "use strict";

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/organise/check-in-sw.js", { scope: "/organise/" })
      .catch(function () { /* no worker: the page still works online */ });
  }

  var app = document.getElementById("checkin-app");
  if (!app) { return; }
  var S = JSON.parse(app.getAttribute("data-state"));
  var t = S.t;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var QUEUE_KEY = "jiangxin.checkin.queue." + S.contest;
  var DEVICE_KEY = "jiangxin.checkin.device";
  var STATUSES = ["present", "absent", "withdrawn", "not_yet"];

  function load(key, fallback) {
    try {
      var v = JSON.parse(window.localStorage.getItem(key));
      return v === null || v === undefined ? fallback : v;
    } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or blocked: the queue stays in memory */ }
  }
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(b);
    } else {
      for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); }
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = "";
    for (var k = 0; k < 16; k++) { h += (b[k] + 0x100).toString(16).slice(1); }
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var device = null;
  try { device = window.localStorage.getItem(DEVICE_KEY); } catch (e) { device = null; }
  if (!device) {
    device = "door-" + uuid().slice(0, 8);
    try { window.localStorage.setItem(DEVICE_KEY, device); } catch (e) { /* ignored */ }
  }

  var queue = load(QUEUE_KEY, []);
  var rows = {};
  Array.prototype.forEach.call(document.querySelectorAll(".checkin-row"), function (li) {
    rows[li.getAttribute("data-entry")] = li;
  });
  var sync = document.getElementById("checkin-sync");
  var counter = document.getElementById("checkin-unsent");
  var search = document.getElementById("checkin-search");
  var online = true;
  var sending = false;
  var timer = null;

  function setStatus(li, status) {
    STATUSES.forEach(function (s) { li.classList.remove("s-" + s); });
    li.classList.add("s-" + status);
    li.setAttribute("data-status", status);
    li.querySelector(".checkin-status").textContent = t["checkin_status_" + status];
  }

  function counts() {
    var c = { present: 0, absent: 0, withdrawn: 0, not_yet: 0 };
    Object.keys(rows).forEach(function (id) {
      var s = rows[id].getAttribute("data-status");
      if (c[s] !== undefined) { c[s] += 1; }
    });
    STATUSES.forEach(function (s) {
      var el = document.getElementById("count-" + s);
      if (el) { el.textContent = String(c[s]); }
    });
  }

  function showCounter() {
    sync.hidden = false;
    counter.setAttribute("data-count", String(queue.length));
    sync.classList.toggle("offline", !online);
    var text = queue.length > 0 ? t.checkin_unsent + ": " + queue.length : t.checkin_all_sent;
    if (!online) { text += " · " + t.checkin_offline; }
    counter.textContent = text;
    Object.keys(rows).forEach(function (id) { rows[id].classList.remove("queued"); });
    queue.forEach(function (c) {
      var li = rows[String(c.entry)];
      if (li) { li.classList.add("queued"); }
    });
  }

  function schedule(ms) {
    if (timer) { return; }
    timer = window.setTimeout(function () { timer = null; flush(); }, ms || 3000);
  }

  function showError(entry, text) {
    var li = rows[String(entry)];
    if (!li) { return; }
    var box = li.querySelector(".checkin-error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function flush() {
    if (sending || queue.length === 0) { showCounter(); return; }
    sending = true;
    var c = queue[0];
    window.fetch("/api/v1/contests/" + S.contest + "/check-ins", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        entry: c.entry, status: c.status, id_tail: c.id_tail || null, reason: c.reason || null,
        client_id: c.client_id, device: device, checked_at: c.checked_at
      })
    }).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, body: j }; },
        function () { return { status: r.status, body: null }; });
    }).then(function (res) {
      sending = false;
      online = true;
      var error = res.body && res.body.error;
      if (res.status === 200 || res.status === 201) {
        queue.shift();
        save(QUEUE_KEY, queue);
        var li = rows[String(c.entry)];
        var now = res.body && res.body.check;
        if (li && now) {
          setStatus(li, now.status);
          li.querySelector(".checkin-last").textContent =
            (now.checked_by_name || "") + " · " + (now.checked_at ? new Date(now.checked_at).toLocaleString() : "");
        }
        counts();
        showCounter();
        flush();
      } else if (res.status === 401 || (error && error.code === "csrf")) {
        showError(c.entry, t.checkin_signed_out);
        showCounter();
        schedule(10000);
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        // Refused: it will never be taken as it is. Show why and drop it;
        // the entry shows what the server holds.
        queue.shift();
        save(QUEUE_KEY, queue);
        var row = rows[String(c.entry)];
        if (row) { setStatus(row, c.before || "not_yet"); }
        showError(c.entry, t.checkin_refused + ": " + (error && error.message ? error.message : res.status));
        counts();
        showCounter();
        flush();
      } else {
        showCounter();
        schedule();
      }
    }, function () {
      sending = false;
      online = false;
      showCounter();
      schedule();
    });
  }

  function record(li, status, form) {
    var tail = form.querySelector(".checkin-tail").value.trim().toUpperCase();
    var reason = form.querySelector('input[name="reason"]').value.trim();
    if (status === "present" && tail.length !== 4 && reason === "") {
      showError(li.getAttribute("data-entry"), t.checkin_tail_needed);
      form.querySelector(".checkin-tail").focus();
      return;
    }
    showError(li.getAttribute("data-entry"), "");
    var before = li.getAttribute("data-status");
    queue.push({
      client_id: uuid(),
      entry: Number(li.getAttribute("data-entry")),
      status: status,
      id_tail: tail,
      reason: reason,
      checked_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      before: before
    });
    save(QUEUE_KEY, queue);
    setStatus(li, status);
    form.querySelector(".checkin-tail").value = "";
    counts();
    showCounter();
    flush();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".checkin-form"), function (form) {
    var li = form.closest(".checkin-row");
    var pressed = null;
    Array.prototype.forEach.call(form.querySelectorAll("button[name=status]"), function (b) {
      b.addEventListener("click", function () { pressed = b.value; });
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = pressed || (ev.submitter && ev.submitter.value) || "present";
      pressed = null;
      record(li, status, form);
    });
  });

  if (search) {
    search.hidden = false;
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      Object.keys(rows).forEach(function (id) {
        var hay = rows[id].getAttribute("data-search").toLowerCase();
        rows[id].hidden = q !== "" && hay.indexOf(q) < 0;
      });
    });
  }

  // Checks still on the phone are the entries' current state.
  queue.forEach(function (c) {
    var li = rows[String(c.entry)];
    if (li) { setStatus(li, c.status); }
  });
  counts();
  window.addEventListener("online", function () { online = true; flush(); });
  window.addEventListener("offline", function () { online = false; showCounter(); });
  showCounter();
  flush();
})();
