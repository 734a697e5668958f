// The judges' marking page on a tablet. Every mark is kept on the tablet
// first (localStorage), each with its own id, and sent oldest first to the
// marks API; it leaves the queue only when the server has acknowledged it,
// so a dropped network, a reload or a retry never loses or doubles a mark.
// The page works without this script as a plain form.
(function () {
  "use strict";

  var printButton = document.getElementById("print");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  // The service worker keeps a copy of the marking page, so that it loads
  // again without a network (see /judge/sw.js).
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/judge/sw.js")
      .catch(function () { /* no worker: the page still works online */ });
  }

  var app = document.getElementById("judge-app");
  if (!app) { return; }
  var S = JSON.parse(app.getAttribute("data-state"));
  var t = S.t;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var QUEUE_KEY = "jiangxin.judge.queue." + S.contest + "." + S.judge;
  var REFUSED_KEY = "jiangxin.judge.refused." + S.contest + "." + S.judge;
  var DEVICE_KEY = "jiangxin.judge.device";
  var BATCH = 50;

  function load(key, fallback) {
    try {
      var v = JSON.parse(window.localStorage.getItem(key));
      return v === null || v === undefined ? fallback : v;
    } catch (e) { return fallback; }
  }
  function store(key, value) {
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

  // Decimals stay strings; this only tells whether two spellings are equal.
  function sameDecimal(a, b) {
    if (a === null || a === undefined || b === null || b === undefined) { return false; }
    function norm(s) {
      s = String(s).trim().replace(/^\+/, "");
      var neg = s.charAt(0) === "-";
      if (neg) { s = s.slice(1); }
      if (s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
      s = s.replace(/^0+(?=\d)/, "");
      if (s === "" || s === "0") { return "0"; }
      return (neg ? "-" : "") + s;
    }
    return norm(a) === norm(b);
  }
  var DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

  var device = window.localStorage.getItem(DEVICE_KEY);
  if (!device) {
    device = "tablet-" + uuid().slice(0, 8);
    try { window.localStorage.setItem(DEVICE_KEY, device); } catch (e) { /* ignored */ }
  }

  var queue = load(QUEUE_KEY, []);
  var refused = load(REFUSED_KEY, []);
  var entries = {};
  var order = [];
  S.entries.forEach(function (e) { entries[e.id] = e; order.push(e.id); });
  // Marks still on the tablet are the slots' current marks.
  queue.forEach(function (m) {
    var e = entries[m.entry];
    if (e && e.slots[m.aspect]) {
      e.slots[m.aspect].id = m.id;
      e.slots[m.aspect].value = m.value;
    }
  });

  var current = S.entry;
  // A copy of the page kept for another entry: show the one in the address.
  // An entry is named by its id, or by its blind number while the contest is blind.
  var asked = new URLSearchParams(window.location.search).get("entry");
  asked = asked && entries[asked] ? entries[asked].id : null;
  if (asked && entries[asked] && asked !== current) { current = asked; }
  var form = document.getElementById("mark-form");
  var cards = Array.prototype.slice.call(document.querySelectorAll("fieldset[data-aspect]"));
  var sync = document.getElementById("sync");
  var counter = document.getElementById("unsent-count");
  var refusals = document.getElementById("refusals");
  var aspectNow = document.getElementById("aspect-now");
  var saved = document.getElementById("saved");
  var online = true;

  function showCounter() {
    sync.hidden = false;
    counter.setAttribute("data-count", String(queue.length));
    sync.classList.toggle("offline", !online);
    sync.classList.toggle("pending", queue.length > 0);
    var text = queue.length > 0 ? t.judge_unsent + ": " + queue.length : t.judge_all_sent;
    if (!online) { text += " · " + t.judge_offline; }
    counter.textContent = text;
  }

  function showRefusals() {
    refusals.textContent = "";
    refusals.hidden = refused.length === 0;
    if (!refused.length) { return; }
    var p = document.createElement("p");
    p.textContent = t.judge_refused;
    refusals.appendChild(p);
    var ul = document.createElement("ul");
    refused.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "refused-mark";
      var why = t["judge_error_" + r.code] || t.judge_error_other;
      li.textContent = t.judge_entry_of + " " + r.start + " · " + r.aspect + " = " + r.value + ": " + why;
      ul.appendChild(li);
    });
    refusals.appendChild(ul);
    var b = document.createElement("button");
    b.type = "button";
    b.className = "judge-big";
    b.textContent = t.judge_dismiss;
    b.addEventListener("click", function () { refused = []; store(REFUSED_KEY, refused); showRefusals(); });
    refusals.appendChild(b);
  }

  function neighbour(step) {
    var k = order.indexOf(current) + step;
    return k >= 0 && k < order.length ? order[k] : null;
  }

  // On the first showing the form already holds the server's marks (or
  // what was typed); only the marks still on the tablet are put in.
  var queuedAtLoad = {};
  queue.forEach(function (m) { queuedAtLoad[m.entry + " " + m.aspect] = true; });

  function showEntry(id, first) {
    var e = entries[id];
    if (!e) { return; }
    current = id;
    document.getElementById("entry-number").textContent = e.start;
    document.getElementById("entry-position").textContent = (order.indexOf(id) + 1) + " / " + order.length;
    document.getElementById("entry-field").value = String(id);
    cards.forEach(function (card) {
      var slot = e.slots[card.getAttribute("data-aspect")];
      card.hidden = !slot;
      if (!slot) { return; }
      if (first && !queuedAtLoad[id + " " + card.getAttribute("data-aspect")]) { return; }
      Array.prototype.forEach.call(card.querySelectorAll("input[type=radio]"), function (r) {
        r.checked = sameDecimal(r.value, slot.value);
        r.disabled = !S.open || (slot.locked && !S.chief);
      });
      Array.prototype.forEach.call(card.querySelectorAll("input[inputmode]"), function (i) {
        i.value = slot.value === null || slot.value === undefined ? "" : slot.value;
        i.disabled = !S.open || (slot.locked && !S.chief);
      });
      if (id !== S.entry) {
        Array.prototype.forEach.call(card.querySelectorAll(".corrections"), function (c) { c.hidden = true; });
      }
    });
    ["prev", "next"].forEach(function (name) {
      var el = document.getElementById(name);
      var to = neighbour(name === "prev" ? -1 : 1);
      el.classList.toggle("disabled", to === null);
      el.setAttribute("aria-disabled", to === null ? "true" : "false");
    });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?entry=" + id);
    }
  }

  function fieldError(card, text) {
    var err = card.querySelector(".field-error");
    err.textContent = text || "";
    err.hidden = !text;
    card.classList.toggle("has-error", !!text);
  }

  function record(card, value) {
    var code = card.getAttribute("data-aspect");
    var e = entries[current];
    var slot = e.slots[code];
    if (!slot || !S.open || (slot.locked && !S.chief)) { return; }
    value = String(value).trim();
    if (!DECIMAL.test(value)) { fieldError(card, t.judge_not_a_number); return; }
    fieldError(card, "");
    if (sameDecimal(slot.value, value)) { return; }
    // Only the chief judge changes a signed-off module, with a reason.
    var reason = null;
    if (slot.locked) {
      var field = document.getElementById("reason");
      reason = field ? field.value.trim() : "";
      if (!reason) { fieldError(card, t.judge_error_reason_required); return; }
    }
    var m = {
      id: uuid(), entry: current, aspect: code, kind: "mark", value: value,
      replaces: slot.id || null, device: device, reason: reason,
      start: e.start, was: { id: slot.id || null, value: slot.value === undefined ? null : slot.value }
    };
    slot.id = m.id;
    slot.value = value;
    queue.push(m);
    store(QUEUE_KEY, queue);
    if (saved) { saved.hidden = true; }
    showCounter();
    flush();
  }

  var sending = false;
  var oneByOne = false;
  var timer = null;

  function schedule(ms) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; flush(); }, ms || 3000);
  }

  function acknowledged(batch) {
    var done = {};
    batch.forEach(function (m) { done[m.id] = true; });
    queue = queue.filter(function (m) { return !done[m.id]; });
    store(QUEUE_KEY, queue);
  }

  function refuse(m, error) {
    var code = error && error.code;
    queue = queue.filter(function (q) { return q.id !== m.id; });
    var now = m.was;
    if (code === "stale" && error.current && error.current.id) {
      now = { id: error.current.id, value: error.current.value };
    }
    // Later marks of the slot now replace what the slot really holds.
    queue.forEach(function (q) { if (q.replaces === m.id) { q.replaces = now.id; } });
    var slot = entries[m.entry] && entries[m.entry].slots[m.aspect];
    if (slot && slot.id === m.id) { slot.id = now.id; slot.value = now.value; }
    refused.push({
      start: m.start, aspect: m.aspect, value: m.value, code: code || ""
    });
    store(QUEUE_KEY, queue);
    store(REFUSED_KEY, refused);
    showRefusals();
    if (m.entry === current) { showEntry(current); }
  }

  function flush() {
    if (sending || queue.length === 0) { showCounter(); return; }
    sending = true;
    var batch = queue.slice(0, oneByOne ? 1 : BATCH);
    var body = {
      marks: batch.map(function (m) {
        return { id: m.id, entry: m.entry, aspect: m.aspect, kind: m.kind, value: m.value, replaces: m.replaces, device: m.device, reason: m.reason || null };
      })
    };
    window.fetch("/api/v1/contests/" + S.contest + "/marks/batch", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, body: j }; },
        function () { return { status: r.status, body: null }; });
    }).then(function (res) {
      sending = false;
      online = true;
      var error = res.body && res.body.error;
      if (res.status === 200 || res.status === 201) {
        oneByOne = false;
        acknowledged(batch);
        showCounter();
        flush();
      } else if (res.status === 401 || (error && error.code === "csrf")) {
        refusals.hidden = false;
        refusals.textContent = t.judge_signed_out;
        showCounter();
        schedule(10000);
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        var which = /^marks\[(\d+)\]/.exec(error && error.message ? error.message : "");
        if (batch.length === 1) {
          refuse(batch[0], error);
        } else if (which && batch[Number(which[1])]) {
          refuse(batch[Number(which[1])], error);
        } else {
          oneByOne = true;
        }
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

  cards.forEach(function (card) {
    card.addEventListener("change", function (ev) {
      var input = ev.target;
      if (input.type === "radio" && input.checked) { record(card, input.value); }
      if (input.getAttribute("inputmode") && input.value.trim() !== "") { record(card, input.value); }
    });
    card.addEventListener("focusin", function () {
      aspectNow.textContent = card.querySelector("legend").textContent;
    });
    card.addEventListener("click", function () {
      aspectNow.textContent = card.querySelector("legend").textContent;
    });
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    cards.forEach(function (card) {
      if (card.hidden) { return; }
      Array.prototype.forEach.call(card.querySelectorAll("input[inputmode]"), function (i) {
        if (i.value.trim() !== "") { record(card, i.value); }
      });
    });
  });

  ["prev", "next"].forEach(function (name) {
    document.getElementById(name).addEventListener("click", function (ev) {
      ev.preventDefault();
      var to = neighbour(name === "prev" ? -1 : 1);
      if (to !== null) { showEntry(to); window.scrollTo(0, 0); }
    });
  });

  // The bar names the aspect at the top of the screen while scrolling.
  var bar = document.getElementById("judge-bar");
  var looking = false;
  function aspectInView() {
    looking = false;
    var below = bar.getBoundingClientRect().bottom;
    for (var k = 0; k < cards.length; k++) {
      if (!cards[k].hidden && cards[k].getBoundingClientRect().bottom > below + 24) {
        aspectNow.textContent = cards[k].querySelector("legend").textContent;
        return;
      }
    }
  }
  window.addEventListener("scroll", function () {
    if (!looking) { looking = true; window.requestAnimationFrame(aspectInView); }
  }, { passive: true });

  window.addEventListener("online", function () { online = true; flush(); });
  window.addEventListener("offline", function () { online = false; showCounter(); });
  window.setInterval(function () { if (queue.length) { flush(); } }, 5000);

  showEntry(current, current === S.entry);
  aspectInView();
  showCounter();
  showRefusals();
  flush();
}());
