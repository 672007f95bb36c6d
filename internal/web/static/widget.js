// Frontdesk chat widget. Embed on any page of the business:
//   <script src="https://support.bank.example/widget.js" async></script>
// Optional attributes: data-lang="vi|zh|en" (else the page's own <html lang>,
// else the browser's), data-open (start opened).
// Text is always inserted as text, never as HTML.
(function () {
  "use strict";
  if (window.__frontdeskWidget) { return; }
  window.__frontdeskWidget = true;

  var script = document.currentScript || (function () {
    var s = document.querySelectorAll('script[src$="/widget.js"]');
    return s[s.length - 1];
  })();
  var base = new URL(script.src, location.href);
  var wsURL = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/chat/ws";
  var lang = (script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  if (["en", "vi", "zh"].indexOf(lang) < 0) { lang = "en"; }

  var T = {
    en: { unread: "new messages", title: "Chat with us", placeholder: "Write a message…", send: "Send", close: "Close chat", open: "Chat with us",
      online: "We are online.", offline: "No one is online right now: leave your e-mail address and we answer by e-mail.",
      email: "Your e-mail address", name: "Your name (optional)", typing: "typing…", sent: "sent", read: "read", failed: "not sent yet: retrying",
      you: "You", agent: "Support", bot: "Automatic answer", rate: "How did we do?", thanks: "Thank you for your rating.", resolved: "This conversation was resolved. You can still reply.",
      reconnecting: "Reconnecting…", solved: "This solved it", human: "Talk to a person", file: "Attach a file", tooLarge: "The file is larger than 10 MB.",
      guides: "Choose a common problem, or write your message below:", back: "Back",
      assist: "The agent asks to see your screen to help you. You decide, signed in to your account: there you can check who is asking and compare the code the agent reads to you.",
      assistOpen: "Review the request", assistClosed: "The screen-sharing request has ended.",
      steps: "Record my steps", stepsNote: "No one free to watch live? Record what you do in your account (up to 10 minutes) for an agent to replay." },
    vi: { unread: "tin nhắn mới", title: "Trò chuyện với chúng tôi", placeholder: "Nhập tin nhắn…", send: "Gửi", close: "Đóng", open: "Trò chuyện với chúng tôi",
      online: "Chúng tôi đang trực tuyến.", offline: "Hiện không có ai trực tuyến: hãy để lại e-mail, chúng tôi sẽ trả lời qua e-mail.",
      email: "E-mail của bạn", name: "Tên của bạn (không bắt buộc)", typing: "đang nhập…", sent: "đã gửi", read: "đã xem", failed: "chưa gửi được: đang thử lại",
      you: "Bạn", agent: "Hỗ trợ", bot: "Trả lời tự động", rate: "Bạn đánh giá thế nào?", thanks: "Cảm ơn bạn đã đánh giá.", resolved: "Cuộc hội thoại đã được giải quyết. Bạn vẫn có thể trả lời.",
      reconnecting: "Đang kết nối lại…", solved: "Đã giải quyết được", human: "Nói chuyện với nhân viên", file: "Đính kèm tệp", tooLarge: "Tệp lớn hơn 10 MB.",
      guides: "Chọn một vấn đề thường gặp, hoặc nhập tin nhắn bên dưới:", back: "Quay lại",
      assist: "Nhân viên muốn xem màn hình của bạn để hỗ trợ. Bạn quyết định khi đã đăng nhập vào tài khoản: tại đó bạn kiểm tra được ai đang yêu cầu và so sánh mã mà nhân viên đọc cho bạn.",
      assistOpen: "Xem yêu cầu", assistClosed: "Yêu cầu chia sẻ màn hình đã kết thúc.",
      steps: "Ghi lại các bước của tôi", stepsNote: "Chưa có ai rảnh để xem trực tiếp? Hãy ghi lại những gì bạn làm trong tài khoản (tối đa 10 phút) để nhân viên xem lại." },
    zh: { unread: "条新消息", title: "在线咨询", placeholder: "输入消息…", send: "发送", close: "关闭", open: "在线咨询",
      online: "我们在线。", offline: "目前无人在线:请留下电子邮件地址,我们将通过邮件回复。",
      email: "您的电子邮件", name: "您的名字(可选)", typing: "正在输入…", sent: "已发送", read: "已读", failed: "尚未发送:正在重试",
      you: "您", agent: "客服", bot: "自动回复", rate: "您对我们的服务满意吗?", thanks: "感谢您的评分。", resolved: "此会话已解决。您仍然可以回复。",
      reconnecting: "正在重新连接…", solved: "问题已解决", human: "联系人工客服", file: "附加文件", tooLarge: "文件超过 10 MB。",
      guides: "请选择常见问题,或在下方输入您的消息:", back: "返回",
      assist: "客服希望查看您的屏幕以便帮助您。请登录您的账户后再决定:在那里您可以确认请求者的身份,并核对客服念给您的验证码。",
      assistOpen: "查看请求", assistClosed: "屏幕共享请求已结束。",
      steps: "录制我的操作步骤", stepsNote: "暂时没有客服可以实时查看?录制您在账户中的操作(最长 10 分钟),供客服回放。" }
  }[lang];

  var title = null; // the panel's title, where the logo goes
  var store = window.sessionStorage;
  var KEY = "frontdesk-chat";
  // ticket and lastSeq name the conversation and the last message seen;
  // readSeq is the last one shown with the panel open (the rest are
  // unread); opened keeps the panel open across pages and reloads.
  var state = { ticket: null, lastSeq: 0, readSeq: 0, opened: false, outbox: [] };
  try { var saved = JSON.parse(store.getItem(KEY) || "null"); if (saved) { state = saved; } } catch (e) { /* private mode */ }
  function save() { try { store.setItem(KEY, JSON.stringify(state)); } catch (e) { /* ignore */ } }

  // The user interface, in a shadow root so the page's styles do not leak in.
  var host = document.createElement("div");
  host.id = "frontdesk-chat";
  document.body.appendChild(host);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  // The look comes from widget.css on Frontdesk's own origin, linked
  // inside the shadow root: a <style> element would be refused by a strict
  // CSP (the portal's own among them), a stylesheet from an allowed origin
  // is not. Until it has loaded the widget stays hidden, so a page never
  // shows its controls unstyled; a host whose CSP refuses the stylesheet
  // is told so in the console (docs/support.md says what to allow).
  host.hidden = true;
  var sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = base.origin + "/static/widget.css";
  // Shown once both stylesheets are in (the brand's may fail alone: the
  // default colours then stand), so the colour does not change under the eye.
  var sheetsLeft = 2;
  function sheetDone() { if (--sheetsLeft === 0) { showLogo(); host.hidden = false; } }
  // The business's logo (console: Settings > Branding) beside the panel's
  // title: brand.css names its address as --fd-logo on :host. A host page
  // whose CSP refuses the image (img-src) keeps the title alone.
  function showLogo() {
    var src = getComputedStyle(host).getPropertyValue("--fd-logo").trim().replace(/^"|"$/g, "");
    if (!/^\/brand\/logo\?v=[0-9A-Za-z_-]+$/.test(src) || !title) { return; }
    var img = el("img", { "class": "logo", src: base.origin + src, alt: "" });
    img.addEventListener("error", function () { img.remove(); });
    title.insertBefore(img, title.firstChild);
  }
  sheet.addEventListener("load", sheetDone);
  sheet.addEventListener("error", function () {
    if (window.console) { console.warn("Frontdesk chat: " + sheet.href + " could not be loaded; allow it in this page's Content-Security-Policy (style-src)."); }
  });
  root.appendChild(sheet);
  // The business's colour (console: Settings > Branding), as custom
  // properties on :host that widget.css reads; without it, or when a host
  // page refuses it, widget.css's own colours stand.
  var brandSheet = document.createElement("link");
  brandSheet.rel = "stylesheet";
  brandSheet.href = base.origin + "/brand.css";
  brandSheet.addEventListener("load", sheetDone);
  brandSheet.addEventListener("error", sheetDone);
  root.appendChild(brandSheet);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); } }
    if (text != null) { e.textContent = text; }
    return e;
  }
  var launch = el("button", { "class": "launch", type: "button", id: "fd-open", "aria-haspopup": "dialog" });
  var NS = "http://www.w3.org/2000/svg", icon = document.createElementNS(NS, "svg"), iconPath = document.createElementNS(NS, "path");
  icon.setAttribute("viewBox", "0 0 24 24"); icon.setAttribute("aria-hidden", "true");
  iconPath.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
  icon.appendChild(iconPath); launch.appendChild(icon);
  launch.appendChild(el("span", { "class": "label" }, T.open));
  var badge = el("span", { "class": "badge", id: "fd-unread", "aria-hidden": "true", hidden: "" }, "");
  launch.appendChild(badge);
  var panel = el("div", { "class": "panel", role: "dialog", "aria-label": T.title, hidden: "" });
  var head = el("div", { "class": "head" });
  title = el("span", { "class": "title" });
  title.appendChild(el("span", {}, T.title));
  head.appendChild(title);
  var closeBtn = el("button", { type: "button", "aria-label": T.close, id: "fd-close" }, "×");
  head.appendChild(closeBtn);
  var status = el("div", { "class": "status", role: "status", id: "fd-status" }, "");
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", id: "fd-log" });
  var typing = el("div", { "class": "typing", id: "fd-typing" }, "");
  var rate = el("div", { "class": "rate", id: "fd-rate", hidden: "" });
  rate.appendChild(el("span", {}, T.rate));
  [1, 2, 3, 4, 5].forEach(function (n) {
    var b = el("button", { type: "button", id: "fd-rate-" + n, "aria-label": n + "/5" }, String(n));
    b.addEventListener("click", function () { send({ type: "rate", score: n }); });
    rate.appendChild(b);
  });
  var botBar = el("div", { "class": "rate", id: "fd-bot", hidden: "" });
  var solvedBtn = el("button", { type: "button", id: "fd-solved" }, T.solved);
  var humanBtn = el("button", { type: "button", id: "fd-human" }, T.human);
  solvedBtn.addEventListener("click", function () { botBar.hidden = true; send({ type: "bot_solved" }); });
  humanBtn.addEventListener("click", function () { botBar.hidden = true; send({ type: "human" }); });
  botBar.appendChild(solvedBtn); botBar.appendChild(humanBtn);
  var form = el("form", { id: "fd-form" });
  var email = el("input", { type: "email", id: "fd-email", placeholder: T.email, "aria-label": T.email, autocomplete: "email", hidden: "" });
  var name = el("input", { type: "text", id: "fd-name", placeholder: T.name, "aria-label": T.name, autocomplete: "name", hidden: "" });
  var text = el("textarea", { id: "fd-text", placeholder: T.placeholder, "aria-label": T.placeholder, maxlength: "20000" });
  var sendBtn = el("button", { type: "submit", "class": "send", id: "fd-send" }, T.send);
  var file = el("input", { type: "file", id: "fd-file", "aria-label": T.file, accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain" });
  var row = el("div", { "class": "row" });
  row.appendChild(file); row.appendChild(sendBtn);
  form.appendChild(name); form.appendChild(email); form.appendChild(text); form.appendChild(row);
  panel.appendChild(head); panel.appendChild(status); panel.appendChild(log); panel.appendChild(typing); panel.appendChild(botBar); panel.appendChild(rate); panel.appendChild(form);
  root.appendChild(launch); root.appendChild(panel);

  var seen = {};      // seq → element
  var pending = {};   // client id → element
  function show(m) {
    if (m.seq && seen[m.seq]) { return; }
    var e = m.client_id && pending[m.client_id];
    if (!e) {
      e = el("div", { "class": "m " + m.kind });
      e.appendChild(el("span", { "class": "meta" }, m.kind === "customer" ? T.you : (m.kind === "bot" ? T.bot : (m.author || T.agent))));
      e.appendChild(document.createTextNode(m.body));
      log.appendChild(e);
    }
    // After the bot's answer: settle it, or ask for a person.
    if (m.kind === "bot" && m.seq && m.seq >= state.lastSeq) {
      botBar.hidden = false;
    } else if (m.kind === "agent" || m.kind === "system") {
      botBar.hidden = true;
    }
    if (m.file && !e.querySelector("a.file")) {
      var a = el("a", { "class": "file", href: base.origin + m.file, download: "", rel: "noopener" }, "⬇");
      e.appendChild(a);
    }
    if (m.seq) {
      seen[m.seq] = e;
      if (m.kind !== "customer" && m.seq > state.readSeq) {
        if (panel.hidden) { unread[m.seq] = true; } else { state.readSeq = m.seq; }
      }
      e.setAttribute("data-seq", m.seq);
      if (m.seq > state.lastSeq) { state.lastSeq = m.seq; save(); }
    }
    if (m.client_id && pending[m.client_id]) {
      delete pending[m.client_id];
      e.removeAttribute("data-pending");
      var meta = e.querySelector(".meta"); if (meta) { meta.textContent = T.you + " · " + T.sent; }
    }
    log.scrollTop = log.scrollHeight;
    if (m.kind !== "customer" && !panel.hidden && m.seq) { send({ type: "read", seq: m.seq }); }
    showUnread();
  }
  // The launcher's badge counts the answers that came while the panel was
  // closed; opening the panel reads them.
  var unread = {};
  function showUnread() {
    var n = Object.keys(unread).length;
    badge.textContent = n > 9 ? "9+" : String(n);
    badge.hidden = n === 0;
    launch.setAttribute("aria-label", n ? T.open + " (" + n + " " + T.unread + ")" : T.open);
  }
  function showPending(o) {
    var e = el("div", { "class": "m customer", "data-pending": "1" });
    e.appendChild(el("span", { "class": "meta" }, T.you));
    e.appendChild(document.createTextNode(o.body));
    log.appendChild(e);
    pending[o.client_id] = e;
    log.scrollTop = log.scrollHeight;
  }

  // Guided troubleshooting: the bot offers guides ("flows"), each answer
  // asks the server for the next node ("flow" with the path taken), and at
  // an end "talk to a person" hands over ("flow_handover"). Nodes are the
  // automatic assistant's; nothing here is stored until the hand-over.
  var flowsShown = false, handovers = {};
  function botBubble(text) {
    var e = el("div", { "class": "m flow" });
    e.appendChild(el("span", { "class": "meta" }, T.bot));
    e.appendChild(document.createTextNode(text));
    var c = el("div", { "class": "choices" });
    e.appendChild(c);
    log.appendChild(e);
    log.scrollTop = log.scrollHeight;
    return c;
  }
  function choice(box, label, id, act) {
    var b = el("button", { type: "button", "data-choice": id }, label);
    b.addEventListener("click", function () {
      box.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
      act(label);
    });
    box.appendChild(b);
  }
  function picked(label) { log.appendChild(el("div", { "class": "m picked" }, label)); }
  function walk(flow, path, label) {
    if (label) { picked(label); }
    send({ type: "flow", flow: flow, path: path });
  }
  function showFlows(f) {
    if (flowsShown && !f.matched) { return; }
    flowsShown = true;
    var box = botBubble(T.guides);
    box.parentNode.id = f.matched ? "fd-flows-matched" : "fd-flows";
    f.flows.forEach(function (g) { choice(box, g.title, "flow-" + g.slug, function (l) { walk(g.slug, [], l); }); });
  }
  function showNode(f) {
    var box = botBubble(f.text);
    box.parentNode.setAttribute("data-kind", f.kind);
    (f.answers || []).forEach(function (a, i) {
      choice(box, a, "answer-" + i, function (l) { walk(f.flow, f.path.concat([i]), l); });
    });
    if (f.link && f.link.url.indexOf(base.origin + "/") === 0) {
      box.appendChild(el("a", { href: f.link.url, target: "_blank", rel: "noopener", "data-choice": "link" }, f.link.label));
    }
    if (f.handover) {
      choice(box, T.human, "talk", function (l) {
        var o = { client_id: "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10), body: f.title };
        handovers[o.client_id] = box;
        if (!state.ticket) { showPending(o); }
        var h = { type: "flow_handover", flow: f.flow, path: f.path, client_id: o.client_id };
        if (!email.hidden) { h.email = email.value.trim(); h.name = name.value.trim(); }
        send(h);
      });
    }
    if (f.path.length > 0) {
      choice(box, T.back, "back", function (l) { walk(f.flow, f.path.slice(0, -1), l); });
    }
  }

  var ws = null, backoff = 500, online = false, typingTimer = null, lastTyping = 0;
  // Screen sharing: the widget only points to the portal, where the
  // signed-in customer sees the agent's card and code and consents.
  var invites = {};
  function assistInvite(f) {
    var u;
    try { u = new URL(f.url); } catch (e) { return; }
    if (u.origin !== base.origin || invites[f.session_id]) { return; }
    var e = el("div", { "class": "m assist", "data-assist": f.session_id });
    e.appendChild(el("span", { "class": "meta" }, T.agent));
    e.appendChild(el("p", {}, T.assist));
    var a = el("a", { href: u.href, target: "_blank", rel: "noopener", "class": "button" }, T.assistOpen);
    e.appendChild(a);
    invites[f.session_id] = e;
    log.appendChild(e);
    log.scrollTop = log.scrollHeight;
  }
  function assistClosed(f) {
    var e = invites[f.session_id];
    if (!e) { return; }
    e.textContent = T.assistClosed;
  }
  // Record my steps: offered to a signed-in customer on the portal's own
  // pages once there is a conversation; a plain form to the conversation's
  // "record my steps", whose page starts the recording (assist.js).
  var signedIn = false, convID = null, stepsForm = null;
  function stepsOffer() {
    if (!signedIn || !convID || location.origin !== base.origin || stepsForm) { return; }
    stepsForm = el("form", { method: "post", action: "/support/" + encodeURIComponent(convID) + "/steps", "class": "steps", id: "fd-steps" });
    stepsForm.appendChild(el("p", { "class": "meta" }, T.stepsNote));
    stepsForm.appendChild(el("button", { type: "submit", id: "fd-steps-start" }, T.steps));
    panel.appendChild(stepsForm);
  }
  function send(v) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(v)); return true; } return false; }
  function msgFrame(o) {
    var f = { type: "msg", client_id: o.client_id, body: o.body };
    if (!email.hidden) { f.email = email.value.trim(); f.name = name.value.trim(); }
    return f;
  }
  function flush() { state.outbox.forEach(function (o) { send(msgFrame(o)); }); }
  function connect() {
    ws = new WebSocket(wsURL);
    ws.onopen = function () {
      backoff = 500;
      // After a page load nothing is shown yet: ask for the whole history
      // (last_seq 0); after a reconnect, only what came since.
      var since = Object.keys(seen).length ? state.lastSeq : 0;
      send({ type: "hello", ticket: state.ticket, last_seq: since, locale: lang, email: email.value, name: name.value });
    };
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      switch (f.type) {
        case "welcome":
          online = f.online;
          if (f.ticket) { state.ticket = f.ticket; save(); } else if (state.ticket) { state.ticket = null; state.lastSeq = 0; save(); }
          email.hidden = online || f.signed_in; name.hidden = online || f.signed_in;
          signedIn = !!f.signed_in;
          if (f.conversation_id) { convID = f.conversation_id; }
          stepsOffer();
          status.textContent = online ? T.online : (f.signed_in ? T.online : T.offline);
          (f.messages || []).forEach(show);
          if (f.status === "resolved") { rate.hidden = false; }
          flush();
          break;
        case "ack":
          if (f.ticket) { state.ticket = f.ticket; }
          if (f.conversation_id) { convID = f.conversation_id; stepsOffer(); }
          state.outbox = state.outbox.filter(function (o) { return o.client_id !== f.client_id; });
          save();
          show({ seq: f.seq, client_id: f.client_id, kind: "customer", body: "" });
          break;
        case "msg": show(f); typing.textContent = ""; break;
        case "typing":
          typing.textContent = T.agent + " " + T.typing;
          clearTimeout(typingTimer); typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
          break;
        case "read":
          Object.keys(seen).forEach(function (s) {
            var e = seen[s]; if (+s <= f.seq && e.classList.contains("customer")) { var meta = e.querySelector(".meta"); if (meta) { meta.textContent = T.you + " · " + T.read; } }
          });
          break;
        case "status": rate.hidden = f.status !== "resolved"; if (f.status === "resolved") { status.textContent = T.resolved; } break;
        case "rated": rate.hidden = true; status.textContent = T.thanks; break;
        case "moved": state.ticket = f.ticket; state.lastSeq = 0; save(); ws.close(); break;
        case "flows": showFlows(f); break;
        case "assist_invite": assistInvite(f); break;
        case "assist_closed": assistClosed(f); break;
        case "flow_node": showNode(f); break;
        case "error":
          if (f.client_id) {
            var e = pending[f.client_id];
            state.outbox = state.outbox.filter(function (o) { return o.client_id !== f.client_id; }); save();
            if (e) { delete pending[f.client_id]; e.remove(); }
            if (f.code === "invalid_email") { email.hidden = false; name.hidden = false; email.focus(); }
            if (handovers[f.client_id]) { handovers[f.client_id].querySelectorAll("button").forEach(function (x) { x.disabled = false; }); }
          }
          status.textContent = f.message;
          break;
      }
    };
    ws.onclose = function () {
      status.textContent = T.reconnecting;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = text.value.trim();
    if (!body) { return; }
    var o = { client_id: "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10), body: body };
    state.outbox.push(o); save();
    showPending(o);
    text.value = "";
    send(msgFrame(o)); // if the socket is down, the outbox is sent after the next welcome
  });
  // A file goes in 32 KiB chunks; the server checks what it is.
  file.addEventListener("change", function () {
    var f = file.files[0];
    file.value = "";
    if (!f) { return; }
    if (f.size > 10 * 1024 * 1024) { status.textContent = T.tooLarge; return; }
    var id = "f-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
    showPending({ client_id: id, body: "[file] " + f.name });
    f.arrayBuffer().then(function (buf) {
      var bytes = new Uint8Array(buf);
      send({ type: "file_begin", client_id: id, name: f.name, size: bytes.length });
      for (var i = 0; i < bytes.length; i += 32768) {
        var chunk = bytes.subarray(i, i + 32768), bin = "";
        for (var j = 0; j < chunk.length; j++) { bin += String.fromCharCode(chunk[j]); }
        send({ type: "file_chunk", client_id: id, data: btoa(bin) });
      }
      send({ type: "file_end", client_id: id });
    });
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : sendBtn.click(); return; }
    var now = Date.now();
    if (now - lastTyping > 2000) { lastTyping = now; send({ type: "typing" }); }
  });
  function open() {
    panel.hidden = false; launch.hidden = true; text.focus();
    if (!ws) { connect(); }
    var last = Object.keys(seen).map(Number).sort(function (a, b) { return b - a; })[0];
    if (last) { send({ type: "read", seq: last }); }
    if (last > state.readSeq) { state.readSeq = last; }
    unread = {}; showUnread();
    state.opened = true; save();
  }
  launch.addEventListener("click", open);
  closeBtn.addEventListener("click", function () {
    panel.hidden = true; launch.hidden = false; launch.focus();
    state.opened = false; save();
  });
  panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { closeBtn.click(); } });
  state.outbox.forEach(showPending);
  showUnread();
  // A conversation under way is reconnected at once, so its history is
  // back and new answers count on the launcher; the panel opens again only
  // if it was open.
  if (script.hasAttribute("data-open") || state.opened) { open(); } else if (state.ticket) { connect(); }
})();
