// The moderator queue, quicker: keyboard shortcuts, decisions in place through
// fetch(), and new comments appearing by themselves. Without this script every
// form on the page still works as a plain POST.
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  if (!queue) {
    return;
  }
  var list = document.getElementById("items");
  var csrf = queue.dataset.csrf;
  var current = null;
  var lastDecided = null;
  var announcer = document.getElementById("announcer");
  var shortcutsOn = document.getElementById("shortcuts-on");
  // Remembered in this browser; localStorage can be refused (a private window, a strict setting).
  var SHORTCUTS_KEY = "moderation.shortcuts";

  function remembered() {
    try {
      return window.localStorage.getItem(SHORTCUTS_KEY);
    } catch (error) {
      return null;
    }
  }

  function remember(value) {
    try {
      window.localStorage.setItem(SHORTCUTS_KEY, value);
    } catch (error) {
      // The setting then lasts as long as the page.
    }
  }

  if (shortcutsOn) {
    shortcutsOn.checked = remembered() !== "off";
    shortcutsOn.closest(".shortcuts-setting").hidden = false;
    shortcutsOn.addEventListener("change", function () {
      remember(shortcutsOn.checked ? "on" : "off");
    });
  }

  // Screen readers hear what changed in place through the page's one live region.
  function announce(message) {
    if (announcer && message) {
      announcer.textContent = message;
    }
  }

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue .item"));
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401) {
        window.location.reload();  // the session ended: the page sends us to the login
        throw new Error("logged out");
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        data.httpStatus = response.status;
        return data;
      });
    });
  }

  function claim(ids) {
    if (!ids.length) {
      return;
    }
    var body = new FormData();
    body.append("csrf_token", csrf);
    ids.forEach(function (id) { body.append("ids", id); });
    post(queue.dataset.claims, body).catch(function () {});
  }

  // Makes item the one the keys act on; the focus goes to it, unless keepFocus (the focus is inside it already).
  function select(item, keepFocus) {
    if (!item) {
      return;
    }
    if (current) {
      current.classList.remove("current");
    }
    current = item;
    item.classList.add("current");
    if (!keepFocus) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }
    if (item.dataset.status === "pending") {
      claim([item.dataset.id]);
    }
  }

  function move(step) {
    var all = items();
    if (!all.length) {
      return;
    }
    var index = all.indexOf(current);
    var next = index === -1 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    select(all[next]);
  }

  function show(item, message, state) {
    var outcome = item.querySelector(".outcome");
    if (outcome) {
      outcome.textContent = message || "";
    }
    item.dataset.status = state;
    item.classList.remove("pending", "approved", "rejected", "elsewhere");
    item.classList.toggle("decided", state !== "pending");
    if (state !== "pending") {
      item.classList.add(state);
    }
    var undo = item.querySelector("form.undo");
    item.querySelectorAll("form.decide, .edit-link").forEach(function (el) {
      el.hidden = state !== "pending";
    });
    if (undo) {
      undo.hidden = state === "pending" || state === "elsewhere";
    }
  }

  function flash(message, kind) {
    var box = document.getElementById("flashes");
    if (!box || !message) {
      return;
    }
    var p = document.createElement("p");
    p.className = "notice notice-" + kind;
    p.setAttribute("role", "status");
    p.textContent = message;
    box.replaceChildren(p);
  }

  function decideInPlace(form) {
    var item = form.closest(".item");
    var undoing = form.classList.contains("undo");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    post(form.action, new FormData(form)).then(function (data) {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      if (data.httpStatus >= 200 && data.httpStatus < 300) {
        show(item, data.message, data.status);
        lastDecided = undoing ? null : item;
        if (!undoing && item === current) {
          move(1);
        }
      } else if (data.error === "already_decided") {
        show(item, data.message, "elsewhere");
      } else {
        show(item, data.message || "", item.dataset.status);
      }
      announce(data.message);
      // The focus was on a button that is hidden now (or it fell to the page's start): back to the comment.
      var focused = document.activeElement;
      if (!focused || focused === document.body || focused.closest("[hidden]")) {
        select(current || item);
      }
    }).catch(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  }

  function bulkInPlace(form) {
    post(form.action, new FormData(form)).then(function (data) {
      if (data.httpStatus !== 200) {
        flash(data.message, "error");
        return;
      }
      (data.done || []).forEach(function (id) {
        var item = document.getElementById("item-" + id);
        if (item) {
          show(item, "", data.status);
          item.querySelector("input[name=ids]").checked = false;
        }
      });
      flash(data.message, "success");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "bulk") {
      event.preventDefault();
      bulkInPlace(form);
    } else if (form.closest("#queue .item")) {
      event.preventDefault();
      decideInPlace(form);
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest("#queue .item");
    if (item && item !== current) {
      select(item);
    }
  });

  // Tabbing into a comment makes it the current one, so that the keys act on what has the focus.
  document.addEventListener("focusin", function (event) {
    var item = event.target.closest && event.target.closest("#queue .item");
    if (item && item !== current) {
      select(item, true);
    }
  });

  // Where letters are text, not commands. A checkbox or a button is not: the keys work there.
  function typingIn(target) {
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
      return true;
    }
    return target.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(target.type);
  }

  function submitIn(item, selector) {
    var form = item && item.querySelector(selector);
    if (form && !form.hidden) {
      form.requestSubmit();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if ((shortcutsOn && !shortcutsOn.checked) || typingIn(event.target)) {
      return;
    }
    var help = document.getElementById("keys-help");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": submitIn(current, "form.decide.approve"); break;
      case "r": submitIn(current, "form.decide.reject"); break;
      case "u": submitIn(lastDecided, "form.undo"); break;
      case "x":
        if (current) {
          var box = current.querySelector("input[name=ids]");
          box.checked = !box.checked;
        }
        break;
      case "?":
        if (help) {
          help.open = !help.open;
          if (help.open) {
            help.scrollIntoView({ block: "nearest" });
          }
        }
        break;
      case "Escape":
        if (help) {
          help.open = false;
        }
        return;
      default:
        return;
    }
    event.preventDefault();
  });

  // New comments and others' decisions, without a reload.
  function poll() {
    var url = queue.dataset.updates + (queue.dataset.updates.indexOf("?") === -1 ? "?" : "&") +
      "after=" + encodeURIComponent(queue.dataset.last);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        queue.dataset.last = data.last;
        var total = document.getElementById("pending-total");
        if (total && data.total_label) {
          total.textContent = data.total_label;
        }
        if (queue.dataset.hasNext !== "1") {
          data.items.forEach(function (html) {
            var holder = document.createElement("div");
            holder.innerHTML = html;
            var item = holder.firstElementChild;
            if (item && !document.getElementById(item.id)) {
              var empty = document.getElementById("queue-empty");
              if (empty) {
                empty.remove();
              }
              item.classList.add("new");
              list.appendChild(item);
            }
          });
        }
        data.decided.forEach(function (d) {
          var item = document.getElementById("item-" + d.id);
          if (item && item.dataset.status === "pending" && d.status !== "undone") {
            show(item, d.message, "elsewhere");
            if (item === current) {
              announce(d.message);  // the one the moderator was looking at
            }
          }
        });
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, Number(queue.dataset.pollSeconds || 5) * 1000);
      });
  }
  window.setTimeout(poll, Number(queue.dataset.pollSeconds || 5) * 1000);
}());
