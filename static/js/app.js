/* The few behaviours every page shares. A file, not inline: the CSP allows only our own scripts.
 * 1. A form with data-confirm="..." asks before it submits (destructive or irreversible acts).
 * 2. The inactivity warning: the server signs a person out after SESSION_COOKIE_AGE seconds
 *    without a request; two minutes before, a dialog offers "Stay signed in", which makes one
 *    request to /session/keepalive/ (the server then restarts its clock).
 * 3. On a phone the stylesheet shows a table as one card per row; each cell then names its column
 *    (data-label, from the table's header) unless the template already gave one.
 * 4. The bell's number of unread alerts, asked for once the page is shown: no page waits for it.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) {
      return;
    }
    var names = Array.prototype.map.call(head.cells, function (cell) {
      return (cell.textContent || "").trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (tbody) {
      Array.prototype.forEach.call(tbody.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (cell.tagName === "TD" && names[index] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[index]);
          }
        });
      });
    });
  });

  var bell = document.querySelector("[data-bell]");
  if (bell && window.fetch) {
    fetch(bell.getAttribute("data-bell"), {credentials: "same-origin", redirect: "manual",
                                           headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.words) {
          var unread = document.createElement("span");
          unread.className = "visually-hidden";
          unread.textContent = " unread";
          bell.textContent = answer.words;
          bell.appendChild(unread);
          bell.hidden = false;
        }
      })
      .catch(function () { /* no number: the link to the alerts still works */ });
  }

  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-session-seconds") || "0", 10);
  var keepalive = body.getAttribute("data-keepalive-url");
  var dialog = document.getElementById("session-warning");
  if (!seconds || !keepalive || !dialog) {
    return;
  }
  var WARN_BEFORE = Math.min(120, Math.floor(seconds / 2));
  var countdown = document.getElementById("session-countdown");
  var warnTimer = null, tickTimer = null, deadline = 0;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearInterval(tickTimer);
    dialog.hidden = true;
    deadline = Date.now() + seconds * 1000;
    warnTimer = window.setTimeout(warn, (seconds - WARN_BEFORE) * 1000);
  }

  function warn() {
    dialog.hidden = false;
    tick();
    tickTimer = window.setInterval(tick, 1000);
    var stay = document.getElementById("session-stay");
    if (stay) { stay.focus(); }
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (countdown) {
      countdown.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s";
    }
    if (left <= 0) {
      window.clearInterval(tickTimer);
      window.location.assign(body.getAttribute("data-login-url") + "?next=" +
        encodeURIComponent(window.location.pathname));
    }
  }

  document.getElementById("session-stay").addEventListener("click", function () {
    fetch(keepalive, {credentials: "same-origin", redirect: "manual",
                      headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.ok) { schedule(); } else { tick(); deadline = 0; tick(); }
      });
  });
  schedule();
})();
