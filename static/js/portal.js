// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to a form's error summary so keyboard and screen-reader users hear what to fix.
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }
});
