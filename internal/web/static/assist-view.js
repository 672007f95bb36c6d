// Remote assistance, the viewer's side (docs/remote-assistance.md): the
// agent's live view (#assist-live) replays the customer's page as it
// arrives over /console/assist/ws, sends the agent's tools — click,
// point, highlight, note — as actions (the server's gate and the
// customer's script both check them), shows the server's refusals, asks for
// a higher level, and shows "ended" the moment the session ends; a replay
// page (#assist-replay) plays a recording. @rrweb/replay runs the page in a
// sandboxed iframe without scripts.
(function () {
  "use strict";
  var view = document.getElementById("assist-view");
  if (!view || !window.rrwebReplay) { return; }
  var Replayer = window.rrwebReplay.Replayer;

  function loadCSS(href) {
    var l = document.createElement("link");
    l.rel = "stylesheet";
    l.href = href;
    document.head.appendChild(l);
  }

  // fit scales the replayed page to the width of the view, the way a
  // picture fits its frame, instead of cropping it: the customer's window
  // may be wider than the agent's column. Clicks are mapped back through
  // the same scale (at, below). Style properties set from script are not
  // inline style in the CSP's sense.
  function fit() {
    var wrapper = view.querySelector(".replayer-wrapper");
    var frame = view.querySelector("iframe");
    if (!wrapper || !frame || !frame.offsetWidth) { return; }
    var s = Math.min(1, view.clientWidth / frame.offsetWidth);
    wrapper.style.transformOrigin = "0 0";
    wrapper.style.transform = "scale(" + s + ")";
    view.style.height = Math.ceil(frame.offsetHeight * s) + "px";
    view.setAttribute("data-scale", s.toFixed(3));
  }
  function fitSoon() { window.requestAnimationFrame(fit); }
  window.addEventListener("resize", fitSoon);

  var replay = document.getElementById("assist-replay");
  if (replay) {
    loadCSS(replay.getAttribute("data-css"));
    var status = document.getElementById("assist-replay-status");
    fetch(replay.getAttribute("data-recording"), { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (rec) {
      var events = rec.events || [];
      if (!events.some(function (e) { return e.type === 2; })) {
        status.textContent = replay.getAttribute("data-label-empty");
        return;
      }
      var player = new Replayer(events, { root: view, mouseTail: false });
      player.on("finish", function () { replay.setAttribute("data-finished", "true"); });
      player.on("resize", fitSoon);
      fitSoon();
      player.play();
      status.textContent = "";
      replay.setAttribute("data-playing", "true");
    }).catch(function (e) { status.textContent = String(e); });
    return;
  }

  var live = document.getElementById("assist-live");
  if (!live) { return; }
  loadCSS(live.getAttribute("data-css"));
  var sid = live.getAttribute("data-session");
  var statusEl = document.getElementById("assist-status");
  var refusedEl = document.getElementById("assist-refused");
  var levels = {}, refusals = {};
  try { levels = JSON.parse(live.getAttribute("data-levels")); } catch (e) { levels = {}; }
  try { refusals = JSON.parse(live.getAttribute("data-refusals")); } catch (e) { refusals = {}; }
  var player = null, lastSeq = 0, ws = null, ended = false;

  function label(name) { return live.getAttribute("data-label-" + name) || ""; }
  function setState(state, level) {
    live.setAttribute("data-state", state);
    if (level !== undefined) { live.setAttribute("data-level", level || ""); }
    var lv = live.getAttribute("data-level");
    markTools(lv);
    var text = state === "invited" ? label("waiting") : state === "ended" ? label("ended") : label(state);
    if (lv && state !== "ended") { text += " · " + label("level") + ": " + (levels[lv] || lv); }
    statusEl.textContent = text;
  }
  function end() {
    ended = true;
    setState("ended");
    var form = document.getElementById("assist-stop-form");
    var levelsBox = document.getElementById("assist-levels");
    if (levelsBox) { levelsBox.hidden = true; }
    if (form) { form.querySelector("button").textContent = document.getElementById("assist-stop").textContent; }
    if (player) { try { player.pause(); } catch (e) { /* stopped */ } }
    view.setAttribute("data-ended", "true");
    if (ws) { try { ws.close(); } catch (e) { /* closing */ } }
  }
  function send(v) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(v)); } }

  function addEvents(events) {
    events.forEach(function (ev) {
      if (!player) {
        if (ev.type !== 4 && ev.type !== 2) { return; } // start from a snapshot
        player = new Replayer([], { root: view, liveMode: true, mouseTail: false });
        player.on("resize", fitSoon);
        player.startLive(ev.timestamp - 1000);
        overlay();
      }
      player.addEvent(ev);
      if (ev.type === 4 || ev.type === 2) { fitSoon(); }
    });
  }
  // The tools: what a click on the replayed page sends. Pointing,
  // highlighting and notes need the guided level, clicks full control: a
  // tool's button is disabled above the level the server last told. The
  // chosen tool still sends when the level has just dropped below it — the
  // server's gate and the customer's script decide, and the refusal is
  // shown.
  var tool = "click", note = document.getElementById("assist-note"), lastPointer = 0, pointerTimer = null;
  var RANK = { view: 0, guided: 1, control: 2 };
  document.querySelectorAll("[data-tool]").forEach(function (b) {
    b.addEventListener("click", function () {
      tool = b.getAttribute("data-tool");
      document.querySelectorAll("[data-tool]").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
      if (tool === "annotate" && note) { note.focus(); }
    });
  });
  function markTools(level) {
    document.querySelectorAll("[data-tool]").forEach(function (b) {
      b.disabled = ended || (RANK[level] || 0) < RANK[b.getAttribute("data-min-level")];
    });
  }
  markTools(live.getAttribute("data-level"));
  // at maps a point of the overlay to the replayed page: its coordinates
  // and the rrweb id of the element there.
  function at(e) {
    var frame = view.querySelector("iframe");
    if (!frame || ended || !player) { return null; }
    var r = frame.getBoundingClientRect();
    var scale = r.width / (frame.offsetWidth || r.width) || 1;
    var x = (e.clientX - r.left) / scale, y = (e.clientY - r.top) / scale;
    var target = frame.contentDocument && frame.contentDocument.elementFromPoint(x, y);
    var id = target ? player.getMirror().getId(target) : 0;
    return { x: Math.round(x), y: Math.round(y), id: id > 0 ? id : 0 };
  }
  // overlay turns the agent's clicks on the replayed page into actions of
  // the chosen tool, aimed at the element under the pointer.
  function overlay() {
    var wrapper = view.querySelector(".replayer-wrapper") || view;
    var o = document.createElement("div");
    o.className = "assist-overlay";
    o.id = "assist-overlay";
    wrapper.appendChild(o);
    o.addEventListener("click", function (e) {
      var p = at(e);
      if (!p) { return; }
      refusedEl.textContent = "";
      if (tool === "highlight") {
        send({ type: "action", kind: "highlight", target: p.id });
      } else if (tool === "annotate") {
        var text = note ? note.value.trim().slice(0, 140) : "";
        if (!text) { if (note) { note.focus(); } return; }
        send({ type: "action", kind: "annotate", target: p.id, data: { text: text } });
      } else if (tool === "pointer") {
        send({ type: "action", kind: "pointer", target: p.id, data: { x: p.x, y: p.y } });
      } else {
        send({ type: "action", kind: "click", target: p.id, data: { x: p.x, y: p.y } });
      }
    });
    // Pointing follows the mouse, at most four times a second (each
    // action is a transaction on the server: counted, and it keeps the
    // session from idling); where the mouse comes to rest is sent too.
    o.addEventListener("mousemove", function (e) {
      if (tool !== "pointer") { return; }
      var p = at(e);
      if (!p) { return; }
      clearTimeout(pointerTimer);
      var wait = 250 - (Date.now() - lastPointer);
      if (wait > 0) {
        pointerTimer = setTimeout(function () { lastPointer = Date.now(); point(p); }, wait);
        return;
      }
      lastPointer = Date.now();
      point(p);
    });
  }
  function point(p) {
    if (tool === "pointer" && !ended) { send({ type: "action", kind: "pointer", target: p.id, data: { x: p.x, y: p.y } }); }
  }

  document.querySelectorAll("[data-request-level]").forEach(function (b) {
    b.addEventListener("click", function () {
      send({ type: "level", level: b.getAttribute("data-request-level") });
      refusedEl.textContent = label("requested");
    });
  });

  function connect() {
    fetch("/console/assist/" + sid + "/ticket", { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (res) {
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      ws = new WebSocket(proto + location.host + "/console/assist/ws");
      ws.onopen = function () { ws.send(JSON.stringify({ type: "hello", ticket: res.ticket })); };
      ws.onmessage = function (m) {
        var f;
        try { f = JSON.parse(m.data); } catch (e) { return; }
        if (f.type === "welcome") {
          setState(f.session.state, f.session.level);
          if (f.session.state === "ended") { end(); }
        } else if (f.type === "batch") {
          var b = f.batch;
          if (lastSeq && b.seq !== lastSeq + 1) { send({ type: "snapshot" }); } // a lost batch: start again from a snapshot
          lastSeq = b.seq;
          addEvents(b.events || []);
        } else if (f.type === "control") {
          var c = f.control;
          if (c.type === "state") {
            if (c.state === "ended") { end(); return; }
            setState(c.state, c.level);
          }
        } else if (f.type === "refused") {
          refusedEl.textContent = (refusals[f.code] || f.message || label("refused")) + " (" + f.code + ")";
          live.setAttribute("data-refused", f.code);
        } else if (f.type === "acted") {
          live.setAttribute("data-acted", String(Number(live.getAttribute("data-acted") || 0) + 1));
        }
      };
      ws.onclose = function () {
        ws = null;
        if (!ended) { setTimeout(connect, 2000); }
      };
    }).catch(function () {
      // An ended session gets no ticket: show it as ended.
      end();
    });
  }
  if (live.getAttribute("data-state") === "ended") { end(); } else { connect(); }
})();
