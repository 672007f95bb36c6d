// The article editor: the address follows the title until the editor
// types one, and the preview beside the text follows the text. The page
// works without it (Preview shows the text as readers will see it).
(function () {
  "use strict";
  // A guide's steps: each shows the fields of its kind only (without the
  // script all are shown, and the server uses those of the kind).
  var steps = document.getElementById("flow-steps");
  if (steps) {
    steps.classList.add("js-steps");
    steps.addEventListener("change", function (ev) {
      if (ev.target.classList.contains("step-kind")) { ev.target.closest(".flow-step").setAttribute("data-kind", ev.target.value); }
    });
  }
  var title = document.getElementById("title"), slug = document.getElementById("slug");
  function slugify(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80).replace(/-+$/, "");
  }
  if (title && slug && slug.getAttribute("data-auto") === "1") {
    var auto = slug.value === "" || slug.value === slugify(title.value);
    title.addEventListener("input", function () { if (auto) { slug.value = slugify(title.value); } });
    slug.addEventListener("input", function () { auto = slug.value === ""; });
  }
  var body = document.getElementById("body"), out = document.getElementById("preview-body"), form = document.getElementById("article-form");
  if (!body || !out || !form || !window.fetch) { return; }
  var timer, seq = 0;
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++seq, data = new URLSearchParams();
      data.set("body", body.value);
      fetch("/console/kb/preview", { method: "POST", body: data, credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        // Sanitised by the server, as a save would be.
        if (html !== null && mine === seq) { out.innerHTML = html; }
      }).catch(function () {});
    }, 350);
  });
})();
