// Live updates for the console's desk pages. The pages work without it:
// this script only adds what a reload would show, as it happens.
(function () {
  "use strict";
  var thread = document.getElementById("messages");
  var inbox = document.getElementById("inbox");
  if (!thread && !inbox) { return; }
  var conv = thread ? thread.getAttribute("data-conversation") : "";
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/live" + (conv ? "?conversation=" + conv : "");
  var typingEl = document.getElementById("typing");
  var readEl = document.getElementById("customer-read");
  var ws, backoff = 500, typingTimer, lastTyping = 0, reloadTimer;

  function maxSeq() {
    var n = 0;
    if (thread) { thread.querySelectorAll("[data-seq]").forEach(function (e) { n = Math.max(n, +e.getAttribute("data-seq")); }); }
    return n;
  }
  function send(v) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(v)); } }
  function markRead() { if (document.visibilityState === "visible") { var n = maxSeq(); if (n) { send({ type: "read", seq: n }); } } }
  function names() { try { return JSON.parse(thread.getAttribute("data-names") || "{}"); } catch (e) { return {}; } }
  function label(kind) { return thread.getAttribute("data-label-" + kind) || kind; }

  function append(m) {
    if (thread.querySelector('[data-seq="' + m.seq + '"]')) { return; }
    var li = document.createElement("li");
    li.className = "message " + m.kind;
    li.id = "m" + m.seq;
    li.setAttribute("data-kind", m.kind);
    li.setAttribute("data-seq", m.seq);
    var meta = document.createElement("p"); meta.className = "meta";
    var who = document.createElement("strong");
    who.textContent = m.kind === "customer" ? thread.getAttribute("data-who") : (m.kind === "agent" ? (names()[m.author_id] || label("agent")) : label(m.kind));
    var when = document.createElement("time"); when.textContent = new Date(m.created_at).toISOString().slice(0, 16).replace("T", " ") + " UTC";
    meta.appendChild(who); meta.appendChild(when);
    var body = document.createElement("div"); body.className = "body"; body.textContent = m.body;
    li.appendChild(meta); li.appendChild(body);
    thread.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
    if (m.kind === "customer") { markRead(); if (typingEl) { typingEl.textContent = ""; } }
  }

  function reloadSoon() {
    var active = document.activeElement;
    var busy = active && (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT") && active.value;
    if (busy) { return; }
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(function () { location.reload(); }, 1500);
  }

  function connect() {
    ws = new WebSocket(url);
    ws.onopen = function () { backoff = 500; markRead(); };
    ws.onmessage = function (ev) {
      var e; try { e = JSON.parse(ev.data); } catch (x) { return; }
      if (inbox) { if (e.type === "message" || e.type === "conversation" || e.type === "assigned") { reloadSoon(); } return; }
      if (e.conversation_id !== conv) { return; }
      switch (e.type) {
        case "message": append(e.data); break;
        case "typing":
          if (e.data.by === "customer" && typingEl) {
            typingEl.textContent = typingEl.getAttribute("data-text");
            clearTimeout(typingTimer); typingTimer = setTimeout(function () { typingEl.textContent = ""; }, 4000);
          }
          break;
        case "read": if (e.data.by === "customer" && readEl) { readEl.textContent = readEl.getAttribute("data-text") + " #" + e.data.seq; } break;
        case "conversation": case "assigned": case "merged": reloadSoon(); break;
      }
    };
    ws.onclose = function () { setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 15000); };
  }
  connect();
  document.addEventListener("visibilitychange", markRead);

  // The reply form posts in the background; the message arrives live.
  var form = document.getElementById("reply-form");
  var box = document.getElementById("body");
  if (form && box) {
    form.addEventListener("submit", function (ev) {
      if (!window.fetch) { return; }
      ev.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin", redirect: "follow" }).then(function (r) {
        if (!r.ok) { form.submit(); return; }
        var then = form.querySelector("#then");
        if (then && then.value) { location.reload(); return; }
        box.value = "";
        var cid = form.querySelector('input[name="client_id"]');
        if (cid) { cid.value = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }
      }).catch(function () { form.submit(); });
    });
    box.addEventListener("input", function () {
      var note = document.getElementById("kind-note");
      if (note && note.checked) { return; }
      var now = Date.now();
      if (now - lastTyping > 2000) { lastTyping = now; send({ type: "typing" }); }
    });
  }
})();
