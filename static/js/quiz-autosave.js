// Autosave on the quiz page says when an answer did not reach the server and tries again:
// after a back-off (1, 2, 4 ... 30 s) and at once when the browser is back online. The typed
// answer stays in the page throughout, and "Submit answers" still posts every answer.
(function () {
  "use strict";
  var NOT_SAVED = "Not saved — retrying…";
  var pending = new Map(); // fieldset -> {tries, timer}

  function isAutosave(elt) {
    return elt && elt.classList && elt.classList.contains("question-fieldset");
  }

  function statusOf(fieldset) {
    var target = fieldset.getAttribute("hx-target");
    return target ? document.querySelector(target) : null;
  }

  function retry(fieldset) {
    var state = pending.get(fieldset);
    if (state) {
      clearTimeout(state.timer);
      state.timer = null;
    }
    htmx.trigger(fieldset, "autosave-retry");
  }

  function failed(fieldset) {
    var state = pending.get(fieldset) || { tries: 0, timer: null };
    pending.set(fieldset, state);
    var status = statusOf(fieldset);
    if (status) {
      status.textContent = NOT_SAVED;
    }
    clearTimeout(state.timer);
    var delay = Math.min(30000, 1000 * Math.pow(2, state.tries));
    state.tries += 1;
    state.timer = setTimeout(function () {
      retry(fieldset);
    }, delay);
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.detail.elt;
    if (!isAutosave(fieldset)) {
      return;
    }
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.detail.successful) {
      var state = pending.get(fieldset);
      if (state) {
        clearTimeout(state.timer);
        pending.delete(fieldset);
      }
    } else if (code >= 400 && code < 500) {
      // Refused, not lost: trying again would be refused again.
      var refused = statusOf(fieldset);
      if (refused) {
        refused.textContent = "Not saved. Use “Save and finish later” below.";
      }
    } else {
      failed(fieldset);
    }
  });

  window.addEventListener("online", function () {
    pending.forEach(function (state, fieldset) {
      retry(fieldset);
    });
  });

  // Leaving with an answer not saved would lose it, unless the whole form is being posted.
  var submitting = false;
  document.addEventListener("submit", function () {
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (pending.size && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
