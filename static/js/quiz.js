// Progressive enhancement of the quiz pages; without this file answers are saved when the page is sent.
// 1. Saves an answer as soon as it changes, so a dropped connection or a closed tab loses nothing.
// 2. Counts down to the deadline; the server enforces the deadline whatever this clock says.
(function () {
  "use strict";

  function autosave(form) {
    const status = form.querySelector(".save-status");
    let inFlight = Promise.resolve();
    // Every save says which page load sent it and in what order, so that the server can ignore a
    // background save that arrives after the page's own, later submit.
    form.elements.page_key.value = Date.now().toString(36) + Math.random().toString(36).slice(2);
    let seq = 0;
    const stamp = () => { form.elements.page_seq.value = String(++seq); };
    form.addEventListener("submit", stamp);

    function say(text) {
      if (status) status.textContent = text;
    }

    function save() {
      stamp();
      const body = new FormData(form);
      body.delete("go");
      inFlight = inFlight.then(() =>
        fetch(form.action, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then((response) =>
            response.json().then((data) => {
              if (response.ok) {
                say(form.dataset.savedText.replace("{time}", data.saved_at));
              } else if (response.status === 409 && data.redirect) {
                window.location.assign(data.redirect);
              } else {
                say(data.error || form.dataset.failedText);
              }
            })
          )
          .catch(() => say(form.dataset.failedText))
      );
      return inFlight;
    }

    form.addEventListener("change", save);
    return save;
  }

  function countdown(element, saveNow) {
    const deadline = Date.parse(element.dataset.deadline);
    const grace = parseInt(element.dataset.grace || "0", 10) * 1000;
    const output = element.querySelector(".countdown");
    if (Number.isNaN(deadline) || !output) return;
    output.hidden = false;
    let lastMinute = null;

    function tick() {
      const left = deadline - Date.now();
      if (left <= 0) {
        output.textContent = element.dataset.overText;
        if (saveNow) saveNow();
        // After the grace period the server hands the attempt in; a reload shows the result.
        window.setTimeout(() => window.location.reload(), grace + 2000);
        return;
      }
      const minutes = Math.floor(left / 60000);
      const seconds = Math.floor((left % 60000) / 1000);
      output.textContent = element.dataset.leftText.replace(
        "{time}", minutes + ":" + String(seconds).padStart(2, "0")
      );
      // Screen readers hear the time only when a minute boundary near the end is crossed.
      const important = minutes < 5 && minutes !== lastMinute;
      output.setAttribute("aria-live", important ? "polite" : "off");
      lastMinute = minutes;
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form[data-autosave]:not([data-locked])");
    const saveNow = form ? autosave(form) : null;
    const deadline = document.querySelector("[data-deadline]");
    if (deadline) countdown(deadline, saveNow);
  });
})();
