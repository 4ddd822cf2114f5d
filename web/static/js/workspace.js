// Inbox and task page enhancements; both pages work without this script.
// - The task form saves a draft while the user types and keeps a copy of the input in this tab's
//   sessionStorage, so a session that expired loses nothing: after signing in again the input comes back.
// - On narrow screens the inbox filters fold behind their button.
(function () {
  "use strict";
  var PREFIX = "kimflow:task:";
  var DELAY = 1500;

  function store() {
    try { return window.sessionStorage; } catch (err) { return null; }
  }

  function values(form) {
    var result = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "aktion" || el.disabled) { return; }
      if (el.type === "checkbox") { result[el.name] = el.checked; } else { result[el.name] = el.value; }
    });
    return result;
  }

  function restore(form, saved) {
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !Object.prototype.hasOwnProperty.call(saved, el.name) || el.disabled) { return; }
      if (el.type === "checkbox") {
        if (el.checked !== saved[el.name]) { el.checked = saved[el.name]; changed = true; }
      } else if (el.value !== saved[el.name]) {
        el.value = saved[el.name];
        changed = true;
      }
    });
    return changed;
  }

  function show(status, text, isError, link) {
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(isError));
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(a);
    }
  }

  function saveDraft(form) {
    var body = new FormData(form);
    body.set("aktion", "entwurf");
    return fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-Autosave": "1", "Accept": "application/json"}
    }).then(function (response) {
      // Signed out (redirected to the sign-in page) or the form's token gone with the session (400).
      if (response.redirected || response.status === 400 || response.status === 401) {
        return {saved: false, expired: true};
      }
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (json) {
        return response.json().then(function (data) { return {saved: Boolean(data.saved), message: data.message}; });
      }
      return {saved: false};
    });
  }

  function time(now) {
    return ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
  }

  function autosave(form) {
    var status = document.getElementById("autosave-status");
    var key = PREFIX + form.getAttribute("data-task-id");
    var storage = store();
    var timer = null;
    var login = {href: form.getAttribute("data-login-url"), text: form.getAttribute("data-msg-login")};

    function expired() {
      show(status, form.getAttribute("data-msg-expired"), true, login);
    }

    function keep() {
      if (storage) { storage.setItem(key, JSON.stringify(values(form))); }
    }

    var inflight = Promise.resolve();  // the draft save under way: a completion waits for it, never races it

    function save() {
      timer = null;
      inflight = saveDraft(form).then(function (result) {
        if (result.saved) {
          show(status, form.getAttribute("data-msg-saved").replace("{time}", time(new Date())), false);
        } else if (result.expired) {
          expired();
        } else {
          show(status, result.message || form.getAttribute("data-msg-failed"), true);
        }
        return result;
      }, function () {
        show(status, form.getAttribute("data-msg-failed"), true);
        return {saved: false};
      });
      return inflight;
    }

    // A page the server answered with field errors already shows what was typed: restoring the tab's copy
    // there would only race the person correcting it.
    if (storage && storage.getItem(key) && !form.hasAttribute("data-submitted")) {
      try {
        if (restore(form, JSON.parse(storage.getItem(key)))) {
          show(status, form.getAttribute("data-msg-restored"), false);
        }
      } catch (err) { storage.removeItem(key); }
    }

    function typed() {
      keep();
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, DELAY);
    }
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);

    // Before completing, make sure the session still holds: otherwise keep the input and ask to sign in.
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (form.getAttribute("data-checked") === "1" || !submitter || submitter.value === "entwurf") { return; }
      event.preventDefault();
      keep();
      if (timer) { window.clearTimeout(timer); timer = null; }
      inflight.then(function () { return saveDraft(form); }).then(function (result) {
        if (result.expired) {
          expired();
          window.location.assign(login.href);
          return;
        }
        form.setAttribute("data-checked", "1");
        form.requestSubmit(submitter);
      }, function () {
        form.setAttribute("data-checked", "1");
        form.requestSubmit(submitter);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var storage = store();
    document.querySelectorAll("[data-forget-task]").forEach(function (el) {
      if (storage) { storage.removeItem(PREFIX + el.getAttribute("data-forget-task")); }
    });
    var form = document.querySelector("form[data-autosave]");
    if (form && window.fetch && window.FormData) { autosave(form); }
    var filters = document.querySelector("details[data-collapse-narrow]");
    if (filters && window.matchMedia && window.matchMedia("(max-width: 40em)").matches) {
      filters.open = false;
    }
  });
})();
