// journeylab explorer: keyboard navigation and coding by fetch(); no libraries.
(function () {
  "use strict";
  var meta = function (name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  };
  var readOnly = meta("read-only") === "ja";
  var current = -1;

  function segments() { return Array.prototype.slice.call(document.querySelectorAll(".segment")); }

  function say(text) {
    var el = document.getElementById("status");
    if (el) { el.textContent = text; }
  }

  function focusAt(index) {
    var list = segments();
    if (!list.length) { return; }
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (el) { el.classList.remove("current"); });
    current = index;
    list[index].classList.add("current");
    list[index].focus({ preventScroll: true });
    list[index].scrollIntoView({ block: "nearest" });
  }

  function currentSegment() {
    var list = segments();
    return current >= 0 && current < list.length ? list[current] : null;
  }

  // The theme buttons come once a page in <template id="theme-buttons">; each
  // segment gets a copy, with the themes in its data-coded pressed.
  function addButtons(root) {
    var template = document.getElementById("theme-buttons");
    if (!template) { return; }
    root.querySelectorAll(".segment .controls").forEach(function (controls) {
      if (controls.querySelector(".theme-btn")) { return; }
      var coded = (controls.closest(".segment").getAttribute("data-coded") || "").split(" ");
      var buttons = template.content.cloneNode(true);
      buttons.querySelectorAll(".theme-btn").forEach(function (button, i) {
        var on = coded.indexOf(String(i + 1)) >= 0;
        button.classList.toggle("on", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
      controls.insertBefore(buttons, controls.firstChild);
    });
  }
  addButtons(document);

  function replaceSegment(id, html, counts) {
    segments().forEach(function (el, i) {
      if (el.getAttribute("data-segment") !== id || !html) { return; }
      var box = document.createElement("div");
      box.innerHTML = html.trim();  // server-rendered, autoescaped markup
      addButtons(box);
      var fresh = box.firstElementChild;
      el.replaceWith(fresh);
      if (i === current) { fresh.classList.add("current"); fresh.focus({ preventScroll: true }); }
    });
    Object.keys(counts || {}).forEach(function (theme) {
      document.querySelectorAll("[data-count-theme]").forEach(function (el) {
        if (el.getAttribute("data-count-theme") === theme) { el.textContent = String(counts[theme]); }
      });
    });
  }

  function post(url, body) {
    say(meta("ui-saving"));
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta("csrf-token") },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text || response.statusText); });
      }
      return response.json();
    }).then(function (data) {
      replaceSegment(data.segment, data.html, data.counts);
      say(meta("ui-saved"));
      return data;
    }).catch(function (err) { say(meta("ui-error") + ": " + err.message); });
  }

  function act(segment, action, theme) {
    if (!segment || !theme || readOnly) { return; }
    segment.classList.add("busy");
    post("/api/code", { segment: segment.getAttribute("data-segment"), theme: theme, action: action });
  }

  function nthTheme(segment, n) {
    var buttons = segment.querySelectorAll('.theme-btn');
    return n <= buttons.length ? buttons[n - 1].getAttribute("data-theme") : null;
  }

  function firstSuggestion(segment) {
    var chip = segment.querySelector('.chip[data-state="suggested"]');
    return chip ? chip.getAttribute("data-theme") : null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var segment = button.closest(".segment");
    current = segments().indexOf(segment);
    act(segment, button.getAttribute("data-action"), button.getAttribute("data-theme"));
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("memo-form")) { return; }
    event.preventDefault();
    var segment = form.closest(".segment");
    var text = form.querySelector("input").value.trim();
    if (segment && text) {
      current = segments().indexOf(segment);
      post("/api/memo", { segment: segment.getAttribute("data-segment"), text: text });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var key = event.key;
    if (key === "/") {
      var box = document.getElementById("top-q");
      if (box) { event.preventDefault(); box.focus(); }
      return;
    }
    if (key === "j") { focusAt(current + 1); return; }
    if (key === "k") { focusAt(current - 1); return; }
    if (readOnly) { return; }
    if (key === "u") { post("/api/undo", {}); return; }
    var segment = currentSegment();
    if (!segment) { return; }
    if (/^[1-9]$/.test(key)) { act(segment, "toggle", nthTheme(segment, parseInt(key, 10))); return; }
    if (key === "a") { act(segment, "accept", firstSuggestion(segment)); return; }
    if (key === "r") { act(segment, "reject", firstSuggestion(segment)); }
  });
})();
