// Condividi newsletter form: sends the signup with fetch() and answers inline.
// Without this script the form still works: a plain POST, then the endpoint's redirect.
(function () {
  "use strict";
  var form = document.querySelector("form[data-newsletter]");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var email = form.querySelector("#nl-email");
  var consent = form.querySelector("#nl-consent");
  var button = form.querySelector("button[type=submit]");
  var errorBox = document.getElementById("nl-error");
  var statusBox = document.getElementById("nl-status");
  var fields = { "missing-email": email, "invalid-email": email, consent: consent };

  function message(reason) {
    return form.getAttribute("data-msg-" + reason) || form.getAttribute("data-msg-unavailable");
  }

  function clear() {
    [email, consent].forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    errorBox.textContent = "";
    statusBox.textContent = "";
  }

  function showError(reason, moveFocus) {
    clear();
    errorBox.textContent = message(reason);
    var field = fields[reason];
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", errorBox.id);
      if (moveFocus) {
        field.focus();
      }
    }
  }

  // Our own messages replace the browser's validation bubbles.
  form.noValidate = true;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!email.value.trim()) {
      return showError("missing-email", true);
    }
    if (!email.validity.valid) {
      return showError("invalid-email", true);
    }
    if (!consent.checked) {
      return showError("consent", true);
    }
    clear();
    statusBox.textContent = message("sending");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "omit",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.ok) {
          form.reset();
          clear();
          statusBox.textContent = message(answer.reason);
        } else {
          showError(answer.reason, true);
        }
      })
      .catch(function () {
        showError("unavailable", false);
      })
      .finally(function () {
        button.disabled = false;
        form.removeAttribute("aria-busy");
      });
  });

  // The error page gets the endpoint's reason in its query string: say it next to the form.
  var reason = new URLSearchParams(window.location.search).get("reason");
  if (reason && form.hasAttribute("data-msg-" + reason)) {
    showError(reason, false);
  }
})();
