// Remote assistance, the customer's side (docs/remote-assistance.md).
// On every portal page of a signed-in customer: asks the server for an
// open session; shows the invitation (the agent's server-signed identity
// card, the verification code, the levels with "view only" preselected,
// the recording notice); after consent records the page with rrweb —
// masking every protected field in this browser, before anything is sent —
// and streams it over /support/assist/ws; shows the banner with Stop and
// Lower permission; applies an agent action only when the level the
// customer consented to allows it and never on a masked field or on this
// script's own controls.
//
// Levels and actions arrive on two streams that are not ordered against
// each other (the consent's answer or a control message; the relayed
// actions). Each carries level_seq, the consent that set the level: an
// action stamped with a consent this page has not heard of yet waits for
// it (held), and an action applies only when both the level it was allowed
// under and the level this page knows allow it.
(function () {
  "use strict";
  var textEl = document.getElementById("fd-assist-text");
  var T = {};
  try { T = JSON.parse(textEl ? textEl.textContent : "{}"); } catch (e) { T = {}; }
  function t(key) {
    var s = T[key] || key, args = Array.prototype.slice.call(arguments, 1), i = 0;
    return s.replace(/%s/g, function () { return String(args[i++]); });
  }
  var LEVELS = ["view", "guided", "control"];
  var ALLOWED = { view: [], guided: ["pointer", "highlight", "annotate"], control: ["pointer", "highlight", "annotate", "click", "scroll", "type"] };
  // Fields masked whatever the policy says: passwords, marked fields, and
  // what browsers know as card data and one-time codes.
  var BUILTIN_MASK = ["input[type=password]", "[data-fd-mask]", "[autocomplete^=cc-]", "[autocomplete=one-time-code]",
    "[autocomplete=current-password]", "[autocomplete=new-password]"];
  var MASK = "••••••••"; // fixed: the length of a secret is not sent either
  var UI_ID = "fd-assist-ui";

  var session = null, card = null, ws = null, stopRec = null, seq = 0, buffer = [], flushTimer = null;
  var maskSel = BUILTIN_MASK.join(","), wasPassword = new WeakSet(), lastMasked = "", ended = false, polling = null;
  var held = [], MAX_HELD = 32;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function ui() {
    var root = document.getElementById(UI_ID);
    if (!root) {
      // Blocked from the recording: the agent sees a placeholder, never
      // these buttons, and no action may target them.
      root = el("div", { id: UI_ID, "data-fd-block": "", "class": "fd-assist-ui", role: "region", "aria-label": t("banner_label") });
      document.body.appendChild(root);
    }
    return root;
  }
  function post(path, form) {
    var body = new URLSearchParams(form || {});
    return fetch(path, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  // ---- masking ----
  function isMasked(node) {
    var e = node && node.nodeType === 1 ? node : node && node.parentElement;
    if (!e) { return false; }
    if (e.tagName === "INPUT" && (e.type === "password" || e.hasAttribute("data-rr-is-password"))) { wasPassword.add(e); }
    if (wasPassword.has(e)) { return true; } // "show password" keeps it masked
    try { return !!e.closest(maskSel); } catch (x) { return true; }
  }
  function maskedElements() {
    var list = [];
    document.querySelectorAll(maskSel + ",input[type=hidden]").forEach(function (e) { list.push(e); });
    document.querySelectorAll("input").forEach(function (e) { if (wasPassword.has(e) && list.indexOf(e) < 0) { list.push(e); } });
    return list;
  }
  // scrub is the last check before a batch leaves: no current value of a
  // masked or hidden field may be in it, whatever path rrweb took.
  function scrub(json) {
    maskedElements().forEach(function (e) {
      var v = e.value;
      if (typeof v === "string" && v.length >= 3) {
        var esc = JSON.stringify(v).slice(1, -1);
        if (json.indexOf(esc) >= 0) {
          json = json.split(esc).join(MASK);
          if (window.console) { console.warn("frontdesk assist: a masked value was removed from a batch"); }
        }
      }
    });
    return json;
  }
  function reportMasked() {
    if (!ws || ws.readyState !== 1 || !window.rrwebRecord) { return; }
    var mirror = window.rrwebRecord.record.mirror, ids = [];
    maskedElements().forEach(function (e) {
      var id = mirror.getId(e);
      if (id > 0) { ids.push(id); }
      e.querySelectorAll && e.querySelectorAll("*").forEach(function (c) { var cid = mirror.getId(c); if (cid > 0) { ids.push(cid); } });
    });
    ids.sort(function (a, b) { return a - b; });
    var key = ids.join(",");
    if (key !== lastMasked) {
      lastMasked = key;
      ws.send(JSON.stringify({ type: "masked", nodes: ids }));
    }
  }

  // ---- recording ----
  function loadRecorder() {
    if (window.rrwebRecord) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/assist/static/rrweb-record.js";
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function flush() {
    flushTimer = null;
    if (!ws || ws.readyState !== 1 || buffer.length === 0) { return; }
    var events = buffer;
    buffer = [];
    seq++;
    var json = scrub(JSON.stringify({ type: "batch", seq: seq, events: events }));
    ws.send(json);
    reportMasked();
  }
  function startRecording() {
    if (stopRec) { return; }
    var extra = (session.mask_selectors || []).join(",");
    if (extra) { maskSel = BUILTIN_MASK.join(",") + "," + extra; }
    document.querySelectorAll("input").forEach(isMasked);
    stopRec = window.rrwebRecord.record({
      emit: function (ev) {
        buffer.push(ev);
        if (!flushTimer) { flushTimer = setTimeout(flush, ev.type === 2 ? 0 : 100); }
      },
      maskAllInputs: true,
      maskInputFn: function (text, e) { return isMasked(e) ? MASK : text; },
      maskTextSelector: maskSel,
      maskTextFn: function () { return MASK; },
      blockSelector: "[data-fd-block],input[type=hidden],#" + UI_ID,
      checkoutEveryNms: 5 * 60 * 1000,
      recordCanvas: false,
      collectFonts: false,
      inlineImages: false,
      // The portal's stylesheets stay links to its own files: the agent's
      // view loads them under the console's CSP (style-src 'self'), where
      // inlined copies would be refused and the page shown unstyled.
      inlineStylesheet: false
    });
  }
  function stopRecording() {
    if (stopRec) { stopRec(); stopRec = null; }
    buffer = [];
    held = [];
  }

  // ---- levels ----
  function allows(level, kind) { return !!level && !!ALLOWED[level] && ALLOWED[level].indexOf(kind) >= 0; }
  // adopt takes a session from the server (the consent's answer, the
  // socket's welcome) without going back to an older consent than one a
  // control message already brought.
  function adopt(s) {
    if (session && s && session.id === s.id && (session.level_seq || 0) > (s.level_seq || 0)) {
      s.level = session.level;
      s.level_seq = session.level_seq;
    }
    session = s;
    release();
  }
  // setLevel takes the level of a state control, when it is not older
  // than the one this page has.
  function setLevel(level, seq) {
    if (!level || (seq || 0) < (session.level_seq || 0)) { return; }
    session.level = level;
    session.level_seq = seq || 0;
    release();
  }
  // release applies the held actions whose consent this page now knows.
  function release() {
    var h = held;
    held = [];
    h.forEach(apply);
  }

  // ---- agent actions ----
  function apply(a) {
    if (!session || ended || !stopRec) { return; }
    if ((a.level_seq || 0) > (session.level_seq || 0)) {
      // Allowed under a consent whose state is still on its way: it waits
      // for it (and goes if sharing stops first).
      if (held.length < MAX_HELD) { held.push(a); }
      return;
    }
    // Above the level this page knows, or above the one the server allowed
    // it under (a level lowered since): ignored here too.
    if (!allows(session.level, a.kind) || (a.level && !allows(a.level, a.kind))) { return; }
    var target = a.target ? window.rrwebRecord.record.mirror.getNode(a.target) : null;
    if (target && target.nodeType !== 1) { target = target.parentElement; }
    if (a.target && !target) { return; }
    if (target && (isMasked(target) || target.closest("#" + UI_ID + ",[data-fd-block]"))) { return; } // never a masked field or our controls
    var data = a.data || {};
    switch (a.kind) {
      case "pointer":
        showPointer(Number(data.x), Number(data.y));
        break;
      case "highlight":
        if (target) {
          target.scrollIntoView({ block: "nearest" });
          flash(target);
          say(t("highlight_said", agentName(), nameOf(target)));
        }
        break;
      case "annotate":
        if (typeof data.text === "string") { showNote(target, data.text.slice(0, 140)); }
        break;
      case "click":
        if (target && typeof target.click === "function") { target.click(); }
        break;
      case "scroll":
        window.scrollTo(Number(data.x) || 0, Number(data.y) || 0);
        break;
      case "type":
        if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA") && typeof data.text === "string") {
          target.value = data.text;
          target.dispatchEvent(new Event("input", { bubbles: true }));
        }
        break;
    }
  }

  // The agent's pointer and notes live in this script's own UI, which is
  // blocked from the recording: the agent's view does not echo them back.
  var pointerEl = null, pointerTimer = null;
  function agentName() { return card ? card.name : ""; }
  function showPointer(x, y) {
    if (!isFinite(x) || !isFinite(y)) { return; }
    if (!pointerEl || !pointerEl.isConnected) {
      pointerEl = el("div", { "class": "fd-assist-pointer", id: "fd-assist-pointer", "aria-hidden": "true" });
      pointerEl.appendChild(el("span", {}, agentName() || t("pointer")));
      ui().appendChild(pointerEl);
    }
    pointerEl.hidden = false;
    pointerEl.style.left = Math.max(0, Math.min(window.innerWidth, x)) + "px";
    pointerEl.style.top = Math.max(0, Math.min(window.innerHeight, y)) + "px";
    clearTimeout(pointerTimer);
    pointerTimer = setTimeout(function () { if (pointerEl) { pointerEl.hidden = true; } }, 4000);
  }
  function showNote(target, text) {
    var old = document.getElementById("fd-assist-note");
    if (old) { old.remove(); }
    var n = el("div", { "class": "fd-assist-note", id: "fd-assist-note", role: "note", "aria-labelledby": "fd-assist-note-from" });
    n.appendChild(el("strong", { id: "fd-assist-note-from" }, t("note_from", agentName())));
    n.appendChild(el("p", { id: "fd-assist-note-text" }, text)); // text, never HTML
    var close = el("button", { type: "button", "class": "button secondary", id: "fd-assist-note-close" }, t("note_close"));
    close.addEventListener("click", function () { n.remove(); });
    n.addEventListener("keydown", function (e) { if (e.key === "Escape") { n.remove(); } });
    n.appendChild(close);
    if (target) { target.scrollIntoView({ block: "nearest" }); }
    var r = target && target.getBoundingClientRect ? target.getBoundingClientRect() : null;
    n.style.left = Math.max(8, Math.min(window.innerWidth - 300, r ? r.left : 16)) + "px";
    n.style.top = Math.max(8, Math.min(window.innerHeight - 120, r ? r.bottom + 8 : 16)) + "px";
    ui().appendChild(n);
    if (target) { flash(target); }
    // Announced, not focused: the customer may be typing.
    say(t("note_from", agentName()) + ": " + text);
  }
  // flash outlines an element for 3 s; highlighting it again restarts the 3 s.
  var flashTimers = new WeakMap();
  function flash(target) {
    clearTimeout(flashTimers.get(target));
    target.classList.add("fd-assist-highlight");
    flashTimers.set(target, setTimeout(function () { target.classList.remove("fd-assist-highlight"); flashTimers.delete(target); }, 3000));
  }
  // say tells screen-reader users what the agent shows, through a live
  // region in this script's UI (set after a tick, so it is announced).
  function say(text) {
    var live = document.getElementById("fd-assist-said");
    if (!live) {
      live = el("p", { id: "fd-assist-said", "class": "sr", role: "status", "aria-live": "polite" });
      ui().appendChild(live);
    }
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }
  // nameOf is a short accessible name for a highlighted element: what the
  // customer sees on it (never a masked field's, which is never a target).
  function nameOf(e) {
    var s = e.getAttribute("aria-label") || e.getAttribute("title") || e.getAttribute("placeholder") || e.textContent || e.tagName.toLowerCase();
    s = s.replace(/\s+/g, " ").trim();
    return s.length > 60 ? s.slice(0, 59) + "…" : s;
  }

  // ---- the screens ----
  function minutes(ns) { return Math.round(ns / 6e10); }
  function showConsent(offer, resume) {
    var root = ui();
    root.textContent = "";
    var box = el("div", { "class": "fd-assist-consent", id: "fd-assist-consent", role: "dialog", "aria-modal": "true", "aria-labelledby": "fd-assist-title" });
    box.appendChild(el("h2", { id: "fd-assist-title" }, resume ? t("resume_title") : t("invite_title")));
    var c = offer.card && offer.card.card;
    if (c) {
      var fig = el("figure", { "class": "fd-assist-card", id: "fd-assist-card" });
      if (c.photo) { fig.appendChild(el("img", { src: c.photo, alt: "", width: "64", height: "64" })); }
      var cap = el("figcaption");
      cap.appendChild(el("strong", { id: "fd-assist-name" }, c.name));
      cap.appendChild(el("span", { id: "fd-assist-number" }, t("staff_number") + " " + c.staff_number));
      cap.appendChild(el("span", { id: "fd-assist-department" }, t("department") + " " + c.department));
      fig.appendChild(cap);
      box.appendChild(fig);
      box.appendChild(el("p", { "class": offer.verified ? "fd-ok" : "fd-bad", id: "fd-assist-verified" }, offer.verified ? t("card_verified") : t("card_unverified")));
    }
    if (offer.code) {
      var p = el("p", {}, t("code") + " ");
      p.appendChild(el("strong", { id: "fd-assist-code", "class": "fd-assist-code" }, offer.code));
      box.appendChild(p);
    }
    var fs = el("fieldset", { id: "fd-assist-levels" });
    fs.appendChild(el("legend", {}, t("choose")));
    var max = LEVELS.indexOf(offer.session.max_level);
    LEVELS.forEach(function (lv, i) {
      var lab = el("label", { "class": "check" });
      var r = el("input", { type: "radio", name: "fd-assist-level", value: lv, id: "fd-assist-level-" + lv });
      if (lv === (offer.want || "view")) { r.checked = true; }
      if (i > max) { r.disabled = true; }
      lab.appendChild(r);
      lab.appendChild(document.createTextNode(" " + t("level." + lv) + (i > max ? " (" + t("not_allowed") + ")" : "")));
      fs.appendChild(lab);
    });
    box.appendChild(fs);
    box.appendChild(el("p", { "class": "note" }, t("masked_note")));
    box.appendChild(el("p", { "class": "note", id: "fd-assist-recording" }, offer.session.recording ? t("recording_on") : t("recording_off")));
    box.appendChild(el("p", { "class": "note" }, t("max_duration", minutes(offer.session.max_duration))));
    var accept = el("button", { type: "button", "class": "button", id: "fd-assist-accept" }, t("accept"));
    var decline = el("button", { type: "button", "class": "button secondary", id: "fd-assist-decline" }, t("decline"));
    accept.disabled = !offer.verified;
    accept.addEventListener("click", function () {
      var chosen = box.querySelector("input[name=fd-assist-level]:checked");
      consent(offer, chosen ? chosen.value : "view");
    });
    decline.addEventListener("click", function () { stop(offer.session.id); });
    var actions = el("div", { "class": "actions" });
    actions.appendChild(accept);
    actions.appendChild(decline);
    box.appendChild(actions);
    root.appendChild(box);
    accept.focus();
  }
  function consent(offer, level) {
    card = offer.card && offer.card.card;
    post("/support/assist/" + offer.session.id + "/accept", { level: level }).then(function (res) {
      adopt(res.session);
      showBanner();
      if (!ws) { return loadRecorder().then(function () { connect(res.ticket); }); }
    }).catch(function () { notice(t("error")); });
  }
  function stop(id) {
    ended = true;
    stopRecording();
    post("/support/assist/" + id + "/stop").catch(function () {}).then(function () { finish(); });
  }
  function finish() {
    ended = true;
    stopRecording();
    if (ws) { try { ws.close(); } catch (e) { /* closing */ } ws = null; }
    notice(session && session.kind === "steps" ? t("steps_ended") : t("ended"), "fd-assist-ended");
  }
  function notice(msg, id) {
    var root = ui();
    root.textContent = "";
    root.appendChild(el("p", { "class": "fd-assist-notice", id: id || "fd-assist-notice", role: "status" }, msg));
  }
  function showBanner(request) {
    if (session.kind === "steps") { showStepsBanner(); return; }
    var root = ui();
    root.textContent = "";
    var b = el("div", { "class": "fd-assist-banner", id: "fd-assist-banner", "data-level": session.level, role: "status" });
    b.appendChild(el("span", { id: "fd-assist-watching" }, t("banner", card ? card.name : "", card ? card.staff_number : "", t("level." + session.level))));
    var lower = el("button", { type: "button", "class": "button secondary", id: "fd-assist-lower" }, t("lower"));
    var i = LEVELS.indexOf(session.level);
    lower.disabled = i <= 0;
    lower.addEventListener("click", function () {
      post("/support/assist/" + session.id + "/lower", { level: LEVELS[Math.max(0, i - 1)] }).then(function (res) {
        adopt(res.session);
        showBanner();
      }).catch(function () { notice(t("error")); });
    });
    var stopB = el("button", { type: "button", "class": "button danger", id: "fd-assist-stop" }, t("stop"));
    stopB.addEventListener("click", function () { stop(session.id); });
    b.appendChild(lower);
    b.appendChild(stopB);
    if (request) {
      var q = el("div", { "class": "fd-assist-request", id: "fd-assist-request" });
      q.appendChild(el("span", {}, t("request", t("level." + request))));
      var allow = el("button", { type: "button", "class": "button", id: "fd-assist-allow" }, t("allow"));
      var deny = el("button", { type: "button", "class": "button secondary", id: "fd-assist-deny" }, t("deny"));
      // Raising the level is a new consent, given here by the customer.
      allow.addEventListener("click", function () { consent({ session: session, card: card ? { card: card } : null }, request); });
      deny.addEventListener("click", function () { showBanner(); });
      q.appendChild(allow);
      q.appendChild(deny);
      b.appendChild(q);
    }
    root.appendChild(b);
  }

  // ---- record my steps ----
  // A recording of steps has no watcher: it continues on every portal page
  // (a fresh ticket per page, no new consent) until Stop or its maximum.
  // If its socket drops, the next state poll joins again with a fresh
  // ticket (lostSteps remembers it, to say so if it ended meanwhile).
  var stepsClock = null, lostSteps = null;
  function stepsLeft() {
    return session.ends_at ? Math.max(1, Math.ceil((Date.parse(session.ends_at) - Date.now()) / 60000)) : minutes(session.max_duration);
  }
  function showStepsBanner() {
    var root = ui();
    root.textContent = "";
    var b = el("div", { "class": "fd-assist-banner", id: "fd-assist-banner", "data-kind": "steps", role: "status" });
    // The minutes left are kept current but not announced each minute;
    // the server's warning, two minutes before the end, is.
    var said = el("span", { id: "fd-assist-watching", "aria-live": "off" }, t("steps_banner", stepsLeft()));
    b.appendChild(said);
    var stopB = el("button", { type: "button", "class": "button danger", id: "fd-assist-stop" }, t("steps_stop"));
    stopB.addEventListener("click", function () { stop(session.id); });
    b.appendChild(stopB);
    root.appendChild(b);
    clearInterval(stepsClock);
    stepsClock = setInterval(function () {
      if (ended || !session || !said.isConnected) { clearInterval(stepsClock); return; }
      said.textContent = t("steps_banner", stepsLeft());
    }, 15000);
  }
  function resumeSteps(sess) {
    session = sess;
    post("/support/assist/" + sess.id + "/ticket").then(function (res) {
      session = res.session;
      lostSteps = null;
      showStepsBanner();
      return loadRecorder().then(function () { connect(res.ticket); });
    }).catch(function () { session = null; });
  }

  // ---- the relay ----
  function connect(ticket) {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/support/assist/ws");
    ws.onopen = function () { ws.send(JSON.stringify({ type: "hello", ticket: ticket })); };
    ws.onmessage = function (m) {
      var f;
      try { f = JSON.parse(m.data); } catch (e) { return; }
      if (f.type === "welcome") {
        adopt(f.session);
        if (session.state === "active") { startRecording(); }
      } else if (f.type === "action") {
        apply(f.action);
      } else if (f.type === "control") {
        control(f.control);
      } else if (f.type === "error" && f.code === "paused") {
        stopRecording();
        notice(t("paused"));
      }
    };
    ws.onclose = function () {
      ws = null;
      if (ended) { return; }
      stopRecording();
      if (session && session.kind === "steps") {
        lostSteps = session.id;
        session = null;
        notice(t("steps_reconnecting"));
        return;
      }
      notice(t("paused"));
    };
  }
  function control(c) {
    if (c.type === "state") {
      if (c.state === "ended") { finish(); return; }
      setLevel(c.level, c.level_seq);
      session.state = c.state;
      if (c.state === "active") { showBanner(); } else { stopRecording(); notice(t("paused")); }
    } else if (c.type === "level_request") {
      showBanner(c.requested);
    } else if (c.type === "snapshot") {
      if (stopRec) { window.rrwebRecord.record.takeFullSnapshot(true); }
    } else if (c.type === "warning") {
      var w = el("p", { "class": "fd-assist-warning", id: "fd-assist-warning" }, t("warning", Math.ceil((c.remaining_s || 0) / 60)));
      ui().appendChild(w);
    }
  }

  // ---- finding an invitation ----
  function check() {
    if (session || ended) { return; }
    fetch("/support/assist/state", { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { clearInterval(polling); polling = null; return null; }
      return r.json();
    }).then(function (st) {
      if (!st || session || document.getElementById("fd-assist-consent")) { return; }
      var steps = (st.sessions || []).filter(function (o) { return o.session.kind === "steps" && o.session.state === "active"; })[0];
      if (steps) { resumeSteps(steps.session); return; }
      if (lostSteps) { lostSteps = null; notice(t("steps_ended"), "fd-assist-ended"); }
      var offer = (st.sessions || []).filter(function (o) { return o.session.kind === "assist" && o.session.state !== "ended"; })[0];
      if (offer) { showConsent(offer, offer.session.state !== "invited"); }
    }).catch(function () { /* try again at the next tick */ });
  }
  check();
  polling = setInterval(function () { if (!document.hidden) { check(); } }, 3000);
})();
