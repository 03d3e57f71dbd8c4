// Reports which parts of a training film were actually played, so that the server can decide
// when the film counts as watched. Seeking is not watching: only continuous playback is counted.
(function () {
  "use strict";
  const REPORT_EVERY_MS = 10000;
  const MAX_STEP_SECONDS = 2.5; // a longer jump between timeupdates is a seek, not playback

  function track(video) {
    const url = video.dataset.watchedUrl;
    const token = video.dataset.csrf;
    let pending = [];
    let segmentStart = null;
    let last = null;

    const resumeAt = parseFloat(video.dataset.position || "0");
    if (resumeAt > 5) {
      video.addEventListener("loadedmetadata", () => {
        if (resumeAt < video.duration - 5) video.currentTime = resumeAt;
      }, { once: true });
    }

    function close() {
      if (segmentStart !== null && last !== null && last > segmentStart) {
        pending.push([segmentStart, last]);
      }
      segmentStart = null;
    }

    video.addEventListener("timeupdate", () => {
      const now = video.currentTime;
      if (video.paused || video.seeking) return;
      if (segmentStart === null || last === null || now < last || now - last > MAX_STEP_SECONDS) {
        close();
        segmentStart = now;
      }
      last = now;
    });
    video.addEventListener("seeking", close);
    video.addEventListener("pause", () => { close(); send(); });
    video.addEventListener("ended", () => { close(); send(); });

    function send() {
      close();
      if (!pending.length) return;
      const body = JSON.stringify({ intervals: pending, position: video.currentTime });
      pending = [];
      if (!video.paused && last !== null) segmentStart = last;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: body,
        keepalive: true,
      }).then((response) => response.ok ? response.json() : null).then((state) => {
        if (state && state.completed) {
          document.dispatchEvent(new CustomEvent("portal:video-completed"));
        }
      }).catch(() => { /* the next report carries the same time again */ });
    }

    setInterval(() => { if (!video.paused) send(); }, REPORT_EVERY_MS);
    window.addEventListener("pagehide", send);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("video[data-watched-url]").forEach(track);
  });
})();
