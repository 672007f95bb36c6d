// Passkeys on the portal: a button with data-passkey="register", "signin",
// "mfa" or "reauth" asks the server for WebAuthn options (POST to its
// data-begin URL), runs the browser's ceremony, and submits the result in
// the button's form (field "credential"). Without WebAuthn the buttons
// stay hidden and every other way of signing in still works.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function b64uToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function bufToB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creationOptions(o) {
    var pk = o.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    pk.user.id = b64uToBuf(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    return o;
  }
  function requestOptions(o) {
    var pk = o.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    return o;
  }
  function credentialJSON(c) {
    var r = c.response, out = { id: c.id, rawId: bufToB64u(c.rawId), type: c.type,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: { clientDataJSON: bufToB64u(r.clientDataJSON) } };
    if (c.authenticatorAttachment) { out.authenticatorAttachment = c.authenticatorAttachment; }
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64u(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = bufToB64u(r.authenticatorData);
      out.response.signature = bufToB64u(r.signature);
      if (r.userHandle) { out.response.userHandle = bufToB64u(r.userHandle); }
    }
    return JSON.stringify(out);
  }
  function fail(button, message) {
    var box = document.getElementById(button.getAttribute("data-error") || "passkey-error");
    if (box) { box.textContent = message; box.hidden = false; }
    button.disabled = false;
  }

  var buttons = document.querySelectorAll("button[data-passkey]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function (e) {
      e.preventDefault();
      var kind = button.getAttribute("data-passkey"), form = button.form;
      button.disabled = true;
      fetch(button.getAttribute("data-begin"), { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) { throw new Error((body.error && body.error.message) || res.statusText); }
            return body;
          });
        })
        .then(function (body) {
          if (body.ceremony && form.elements.ceremony) { form.elements.ceremony.value = body.ceremony; }
          if (kind === "register") { return navigator.credentials.create(creationOptions(body.options)); }
          return navigator.credentials.get(requestOptions(body.options));
        })
        .then(function (cred) {
          form.elements.credential.value = credentialJSON(cred);
          form.submit();
        })
        .catch(function (err) { fail(button, button.getAttribute("data-failed") + " (" + err.message + ")"); });
    });
  });
})();
