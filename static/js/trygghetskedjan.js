// Trygghetskedjan run page: sends the page's forms in the background, swaps in the live part,
// runs the virtual clock, and announces new events to screen readers. Without this script every
// form still works: it posts and the page reloads.
(function () {
  "use strict";

  var controls = document.querySelector(".run-controls");
  var region = document.querySelector("[data-live-region]");
  var announcer = document.querySelector("[data-announcer]");
  if (!controls || !region || !window.fetch || !window.FormData) {
    return;
  }
  var playButton = controls.querySelector("[data-play]");
  var speedSelect = controls.querySelector("[data-speed-select]");
  var csrf = controls.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var busy = false;
  var lastSeq = highestSeq();

  function highestSeq() {
    var items = region.querySelectorAll("[data-timeline] li[data-seq]");
    return items.length ? Number(items[items.length - 1].getAttribute("data-seq")) : -1;
  }

  function isOver() {
    var marker = region.querySelector("[data-run-state]");
    return marker && marker.getAttribute("data-over") === "1";
  }

  function announceNew() {
    var fresh = [];
    region.querySelectorAll("[data-timeline] li[data-seq]").forEach(function (item) {
      if (Number(item.getAttribute("data-seq")) > lastSeq) {
        item.classList.add("is-new");
        fresh.push(item.textContent.replace(/\s+/g, " ").trim());
      }
    });
    lastSeq = highestSeq();
    var alert = region.querySelector("[role=alert]");
    if (fresh.length && announcer) {
      announcer.textContent = fresh.slice(-3).join(". ");
    } else if (alert && announcer) {
      announcer.textContent = "";
    }
  }

  // After a swap the focus goes back where it was: the same button (by its data-focus-key) or the
  // same element (by id). When that is gone (the action was taken), the heading of the trainee's
  // actions, else the first heading, takes it. A heading is not focusable by itself: without
  // tabindex=-1, focus() does nothing and the focus falls to <body>.
  function restoreFocus(key, id) {
    var again = key ? region.querySelector('[data-focus-key="' + key + '"]') : null;
    if (!again && id) {
      again = document.getElementById(id);
    }
    if (!again || !region.contains(again)) {
      again = region.querySelector("#actions-heading") || region.querySelector("h2");
    }
    if (again) {
      if (again.tabIndex < 0) {
        again.setAttribute("tabindex", "-1");
      }
      again.focus();
    }
  }

  function swap(html) {
    var focused = document.activeElement;
    var inside = focused && focused !== region && region.contains(focused);
    var key = inside ? focused.getAttribute("data-focus-key") : null;
    var id = inside ? focused.id : "";
    region.innerHTML = html;
    announceNew();
    if (inside) {
      restoreFocus(key, id);
    }
    if (isOver()) {
      stop();
    }
  }

  function send(url, body) {
    busy = true;
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Live": "1" }
    }).then(function (response) {
      return response.text().then(function (html) {
        if (response.headers.get("Content-Type").indexOf("text/html") === 0) {
          swap(html);
        }
        if (!response.ok) {
          stop();
        }
      });
    }).catch(function () {
      stop();
    }).then(function () {
      busy = false;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-live-form")) {
      return;
    }
    event.preventDefault();
    if (form.classList.contains("speed-form") && speedSelect) {
      controls.setAttribute("data-speed", speedSelect.value);
    }
    send(form.action, new FormData(form));
  });

  function tick() {
    if (busy) {
      return;
    }
    var body = new FormData();
    body.append("csrf_token", csrf);
    body.append("seconds", controls.getAttribute("data-speed"));
    send(controls.getAttribute("data-advance-url"), body);
  }

  function start() {
    if (isOver()) {
      return;
    }
    timer = window.setInterval(tick, 1000);
    playButton.setAttribute("aria-pressed", "true");
    playButton.textContent = playButton.getAttribute("data-pause-text");
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    playButton.setAttribute("aria-pressed", "false");
    playButton.textContent = playButton.getAttribute("data-play-text");
  }

  playButton.hidden = false;
  playButton.addEventListener("click", function () {
    if (timer === null) {
      start();
    } else {
      stop();
    }
  });
})();
