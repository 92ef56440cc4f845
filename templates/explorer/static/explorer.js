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

  function isInterviewer(segment) { return segment.classList.contains("role-interviewer"); }

  // The theme buttons come once a page in <template id="theme-buttons">; each
  // segment gets a copy, with the themes in its data-coded pressed. Interviewer
  // turns get none: they never count towards a theme.
  function addButtons(root) {
    var template = document.getElementById("theme-buttons");
    if (!template) { return; }
    root.querySelectorAll(".segment .controls").forEach(function (controls) {
      if (controls.querySelector(".theme-btn") || isInterviewer(controls.closest(".segment"))) { return; }
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
  // A theme page reviews its own theme: each block offers its suggestions highest
  // score first (one .suggest span each, only the first shown); here the span of
  // the page's theme is shown instead, or none when the theme is not suggested.
  var pageTheme = (function () {
    var el = document.querySelector("[data-page-theme]");
    return el ? el.getAttribute("data-page-theme") : null;
  })();

  function focusSuggestions(root) {
    if (pageTheme === null) { return; }
    root.querySelectorAll(".segment .suggest").forEach(function (span) {
      span.hidden = span.getAttribute("data-theme") !== pageTheme;
    });
  }

  addButtons(document);
  focusSuggestions(document);

  function replaceSegment(id, html) {
    segments().forEach(function (el, i) {
      if (el.getAttribute("data-segment") !== id || !html) { return; }
      var box = document.createElement("div");
      box.innerHTML = html.trim();  // server-rendered, autoescaped markup
      addButtons(box);
      focusSuggestions(box);
      var fresh = box.firstElementChild;
      el.replaceWith(fresh);
      if (i === current) { fresh.classList.add("current"); fresh.focus({ preventScroll: true }); }
    });
  }

  function showCounts(counts) {
    Object.keys(counts || {}).forEach(function (theme) {
      document.querySelectorAll("[data-count-theme]").forEach(function (el) {
        if (el.getAttribute("data-count-theme") === theme) { el.textContent = String(counts[theme]); }
      });
    });
  }

  // The status bar's words for a failed act: the server answers in English (JSON
  // or plain text), which is kept for the console only.
  function failure(status, text) {
    var parsed = {};
    try { parsed = JSON.parse(text) || {}; } catch (e) { parsed = { detail: text || "" }; }
    var detail = parsed.detail || "";
    var key = detail === "nothing to undo" ? "nothing_to_undo"
      : status === 404 ? "gone"
      : status === 401 || status === 403 ? "session"
      : status === 409 ? "conflict"
      : status >= 500 ? "server" : "bad";
    // A refusal the server words in the study's language (an interviewer turn) is
    // shown as it says; everything else by its kind. say() sets textContent only.
    var err = new Error(typeof parsed.message === "string" && parsed.message
      ? parsed.message : meta("ui-err-" + key));
    err.detail = status + " " + detail;
    return err;
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
        return response.text().then(function (text) { throw failure(response.status, text); });
      }
      return response.json();
    }).then(function (data) {
      // A span act (and its undo) answers with several blocks, a segment act with one.
      (data.segments || [{ segment: data.segment, html: data.html }]).forEach(function (b) {
        replaceSegment(b.segment, b.html);
      });
      showCounts(data.counts);
      say(meta("ui-saved"));
      return data;
    }).catch(function (err) {
      // fetch itself rejects (a TypeError) when the server cannot be reached.
      var text = err.detail ? err.message : meta("ui-err-network");
      if (window.console) { window.console.warn("journeylab:", err.detail || err.message); }
      document.querySelectorAll(".segment.busy").forEach(function (el) { el.classList.remove("busy"); });
      say(meta("ui-error") + ": " + text);
    });
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

  // The suggestion a and r act on: the one whose buttons are shown (the highest
  // score, or on a theme page that theme's), so keys and buttons always agree.
  function shownSuggestion(segment) {
    var span = segment.querySelector(".suggest:not([hidden])");
    return span ? span.getAttribute("data-theme") : null;
  }

  // -- Span coding: select text (mouse, or shift+arrows) in one or more segments;
  // a floating bar offers the themes, and one click codes every segment the
  // selection touches. The selected words go along as a quote when they are less
  // than the whole segment (the server keeps them as the coding's memo).
  var bar = null, span = null, mouseDown = false, timer = 0;

  function makeBar() {
    var template = document.getElementById("theme-buttons");
    if (!template || readOnly) { return null; }
    var el = document.createElement("div");
    el.id = "span-bar";
    el.className = "span-bar";
    el.hidden = true;
    el.setAttribute("role", "toolbar");
    el.setAttribute("aria-label", meta("ui-span"));
    var label = document.createElement("span");
    label.className = "span-label";
    label.textContent = meta("ui-span");
    el.appendChild(label);
    el.appendChild(template.content.cloneNode(true));
    el.querySelectorAll(".theme-btn").forEach(function (button) {
      button.setAttribute("data-action", "span");
      button.removeAttribute("aria-pressed");
    });
    // Pressing a button must not clear the selection it is about to code.
    el.addEventListener("mousedown", function (event) { event.preventDefault(); });
    document.body.appendChild(el);
    return el;
  }
  bar = makeBar();

  // The segments whose text the range covers at least in part, with the words covered.
  function touched(range) {
    var found = [];
    document.querySelectorAll(".segment .seg-text").forEach(function (el) {
      if (!range.intersectsNode(el) || isInterviewer(el.closest(".segment"))) { return; }
      var part = document.createRange();
      part.selectNodeContents(el);
      if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) {
        part.setStart(range.startContainer, range.startOffset);
      }
      if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) {
        part.setEnd(range.endContainer, range.endOffset);
      }
      var words = part.toString().trim();
      if (!words) { return; }
      var whole = (el.textContent || "").trim();
      var id = el.closest(".segment").getAttribute("data-segment");
      if (found.some(function (s) { return s.id === id; })) { return; }
      found.push({ id: id, quote: words === whole ? "" : words });
    });
    return found;
  }

  function hideBar() {
    if (bar) { bar.hidden = true; }
    span = null;
  }

  function updateBar() {
    if (!bar) { return; }
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { hideBar(); return; }
    var range = selection.getRangeAt(0);
    var found = touched(range);
    if (!found.length) { hideBar(); return; }
    span = found;
    var rect = range.getBoundingClientRect();
    bar.hidden = false;
    var left = Math.max(8, Math.min(window.innerWidth - bar.offsetWidth - 8, rect.left));
    bar.style.left = (left + window.scrollX) + "px";  // CSSOM, allowed by the CSP
    // Below the selection, or above it when the fixed key footer would cover the bar.
    var below = rect.bottom + 8 + bar.offsetHeight < window.innerHeight - 60;
    var top = below ? rect.bottom + 8 : Math.max(8, rect.top - bar.offsetHeight - 8);
    bar.style.top = (top + window.scrollY) + "px";
  }

  function codeSpan(theme) {
    // The selection may have grown since the bar last looked (shift+arrows, then a digit).
    var now = window.getSelection();
    if (now && !now.isCollapsed && now.rangeCount) {
      var fresh = touched(now.getRangeAt(0));
      if (fresh.length) { span = fresh; }
    }
    if (!span || !theme || readOnly) { return; }
    var body = { segments: [], theme: theme, quotes: {} };
    span.forEach(function (s) {
      body.segments.push(s.id);
      if (s.quote) { body.quotes[s.id] = s.quote; }
    });
    hideBar();
    var selection = window.getSelection();
    if (selection) { selection.removeAllRanges(); }
    post("/api/code-span", body);
  }

  if (bar) {
    document.addEventListener("mousedown", function (event) {
      if (!bar.contains(event.target)) { mouseDown = true; }
    });
    document.addEventListener("mouseup", function () {
      mouseDown = false;
      window.setTimeout(updateBar, 0);
    });
    document.addEventListener("selectionchange", function () {
      if (mouseDown) { return; }  // the bar waits for the end of a drag
      window.clearTimeout(timer);
      timer = window.setTimeout(updateBar, 120);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    if (button.getAttribute("data-action") === "span") { codeSpan(button.getAttribute("data-theme")); return; }
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
    if (span && bar && !bar.hidden) {
      // While text is selected, the digits code the selection and Escape drops it.
      if (key === "Escape") { hideBar(); window.getSelection().removeAllRanges(); return; }
      if (/^[1-9]$/.test(key)) {
        var themes = bar.querySelectorAll(".theme-btn");
        var n = parseInt(key, 10);
        if (n <= themes.length) { codeSpan(themes[n - 1].getAttribute("data-theme")); }
        return;
      }
    }
    if (key === "u") { post("/api/undo", {}); return; }
    var segment = currentSegment();
    if (!segment) { return; }
    var coding = /^[1-9]$/.test(key) || key === "a" || key === "r";
    if (coding && isInterviewer(segment)) { say(meta("ui-interviewer")); return; }
    if (/^[1-9]$/.test(key)) { act(segment, "toggle", nthTheme(segment, parseInt(key, 10))); return; }
    if (key === "a" || key === "r") {
      var theme = shownSuggestion(segment);
      if (!theme) { say(meta("ui-no-suggestion")); return; }
      act(segment, key === "a" ? "accept" : "reject", theme);
    }
  });
})();
