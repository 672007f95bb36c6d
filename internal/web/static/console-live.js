// Live updates for the console's desk pages. The pages work without it:
// this script only adds what a reload would show, as it happens.
(function () {
  "use strict";
  var thread = document.getElementById("messages");
  var inbox = document.getElementById("inbox");
  var listPane = document.getElementById("inbox-list");
  var views = document.getElementById("views");
  if (!thread && !inbox) { return; }
  var conv = thread ? thread.getAttribute("data-conversation") : "";
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/live" + (conv ? "?conversation=" + conv : "");
  var typingEl = document.getElementById("typing");
  var readEl = document.getElementById("customer-read");
  var ws, backoff = 500, typingTimer, lastTyping = 0, reloadTimer, ownUntil = 0;

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
    var when = document.createElement("time"), at = new Date(m.created_at);
    when.setAttribute("datetime", at.toISOString()); when.textContent = at.toISOString().slice(0, 16).replace("T", " ") + " UTC";
    if (window.fdLocalTime) { window.fdLocalTime(when); }
    meta.appendChild(who); meta.appendChild(when);
    var body = document.createElement("div"); body.className = "body"; body.textContent = m.body;
    li.appendChild(meta); li.appendChild(body);
    thread.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
    if (m.kind === "customer") { markRead(); if (typingEl) { typingEl.textContent = ""; } }
  }

  // The list and the views' counts are read again from the page's own
  // address and swapped in place: nothing the agent is typing is touched.
  var listTimer, listBusy = false;
  function refreshList() {
    if (!listPane || !window.fetch || !window.DOMParser) { return; }
    clearTimeout(listTimer);
    listTimer = setTimeout(function () {
      if (listBusy) { refreshList(); return; }
      listBusy = true;
      fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        listBusy = false;
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var list = doc.getElementById("inbox-list");
        if (list) {
          listPane.innerHTML = list.innerHTML; inbox = document.getElementById("inbox");
          if (window.fdLocalTime) { [].forEach.call(listPane.querySelectorAll("time[datetime]"), function (el) { window.fdLocalTime(el); }); }
        }
        var nv = doc.querySelector("#views ul"), ov = views && views.querySelector("ul");
        if (nv && ov) { ov.innerHTML = nv.innerHTML; }
        listPane.setAttribute("data-refreshed", String(+(listPane.getAttribute("data-refreshed") || 0) + 1));
      }).catch(function () { listBusy = false; });
    }, 300);
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
    ws.onmessage = function (ev) {
      var e; try { e = JSON.parse(ev.data); } catch (x) { return; }
      if (e.type === "message" || e.type === "conversation" || e.type === "assigned" || e.type === "merged") { refreshList(); }
      if (!thread || e.conversation_id !== conv) { return; }
      switch (e.type) {
        case "message": append(e.data); break;
        case "typing":
          if (e.data.by === "customer" && typingEl) {
            typingEl.textContent = typingEl.getAttribute("data-text");
            clearTimeout(typingTimer); typingTimer = setTimeout(function () { typingEl.textContent = ""; }, 4000);
          }
          break;
        case "read": if (e.data.by === "customer" && readEl) { readEl.textContent = readEl.getAttribute("data-text") + " #" + e.data.seq; } break;
        case "conversation": case "assigned": case "merged": if (Date.now() > ownUntil) { reloadSoon(); } break;
      }
    };
    ws.onopen = function () { backoff = 500; markRead(); document.documentElement.setAttribute("data-live", "1"); };
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

  // Fields save as they change: status, assignee, priority, team,
  // category at once, tags when the field is left. Without JavaScript the
  // form's Save button sends them all.
  var fields = document.getElementById("update-form");
  var saveStatus = document.getElementById("fields-status");
  function saveFields() {
    if (!fields || !window.fetch) { return; }
    // The change comes back as a live event: this page already shows it.
    ownUntil = Date.now() + 4000;
    saveStatus.className = "saved";
    saveStatus.textContent = saveStatus.getAttribute("data-saving");
    fetch(fields.action, { method: "POST", body: new URLSearchParams(new FormData(fields)), credentials: "same-origin", headers: { "X-Autosave": "1" } }).then(function (r) {
      if (r.ok) {
        saveStatus.textContent = saveStatus.getAttribute("data-saved");
        var st = document.getElementById("conv-status"), sel = document.getElementById("status");
        if (st && sel) { st.textContent = sel.options[sel.selectedIndex].text; st.className = "badge status-" + sel.value; }
        var as = document.getElementById("assignee"), ag = document.getElementById("agent");
        if (as && ag && ag.value !== "auto") { as.textContent = ag.options[ag.selectedIndex].text; }
        if (ag && ag.value === "auto") { location.reload(); }
        refreshList();
      } else {
        saveStatus.className = "saved failed";
        saveStatus.textContent = saveStatus.getAttribute("data-failed");
      }
    }).catch(function () { saveStatus.className = "saved failed"; saveStatus.textContent = saveStatus.getAttribute("data-failed"); });
  }
  if (fields && saveStatus && window.fetch) {
    fields.classList.add("autosave");
    fields.querySelectorAll("select").forEach(function (el) { el.addEventListener("change", saveFields); });
    var tags = document.getElementById("tags");
    if (tags) {
      tags.addEventListener("change", saveFields);
      tags.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); saveFields(); } });
    }
  }

  // A note looks different from a reply while it is being written.
  var replyForm = document.getElementById("reply-form");
  function kindChanged() {
    var note = document.getElementById("kind-note");
    if (replyForm && note) { replyForm.classList.toggle("note-mode", note.checked); }
  }
  if (replyForm) { replyForm.addEventListener("change", kindChanged); kindChanged(); }

  // Keyboard: j/k next and previous conversation, r reply, n note,
  // e resolve, / search, ? the list of shortcuts, Ctrl+Enter sends,
  // Esc leaves a text box. Letters act only outside text boxes.
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable ||
      (el.tagName === "INPUT" && ["text", "search", "email", "tel", "number", "password", "url"].indexOf(el.type) >= 0));
  }
  function step(by) {
    var links = Array.prototype.slice.call(document.querySelectorAll("#inbox .conv a"));
    if (!links.length) { return; }
    var at = -1;
    links.forEach(function (a, i) { if (a.getAttribute("aria-current") === "true") { at = i; } });
    var next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + by));
    if (next !== at) { location.href = links[next].href; }
  }
  function compose(kind) {
    var box = document.getElementById("body"), radio = document.getElementById(kind === "note" ? "kind-note" : "kind-reply");
    if (!box) { return; }
    if (radio) { radio.checked = true; kindChanged(); }
    box.focus();
  }
  document.addEventListener("keydown", function (ev) {
    var el = document.activeElement;
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && el && el.id === "body" && replyForm) {
      ev.preventDefault();
      if (replyForm.requestSubmit) { replyForm.requestSubmit(); } else { replyForm.submit(); }
      return;
    }
    if (ev.key === "Escape" && typing(el)) { el.blur(); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(el)) { return; }
    switch (ev.key) {
      case "j": step(1); break;
      case "k": step(-1); break;
      case "r": compose("reply"); break;
      case "n": compose("note"); break;
      case "e":
        var st = document.getElementById("status");
        if (st && st.value !== "resolved") { st.value = "resolved"; saveFields(); }
        break;
      case "/":
        var q = document.getElementById("q"), filters = document.getElementById("filters");
        if (q) { if (filters) { filters.open = true; } q.focus(); }
        break;
      case "?":
        var sheet = document.getElementById("shortcuts");
        if (sheet) { sheet.open = !sheet.open; if (sheet.open) { sheet.querySelector("summary").focus(); } }
        break;
      default: return;
    }
    ev.preventDefault();
  });
})();
