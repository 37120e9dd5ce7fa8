// Progressive enhancement for staff pages: warn two minutes before the idle sign-out and
// let the user stay signed in. Without JavaScript the server still signs out idle sessions.
(function () {
  var box = document.getElementById("idle-warning");
  if (!box) return;
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) * 1000;
  var warnAt = Math.max(idle - 120000, idle / 2);
  var timer;
  function arm() {
    clearTimeout(timer);
    box.hidden = true;
    timer = setTimeout(function () {
      box.hidden = false;
      document.getElementById("idle-continue").focus();
    }, warnAt);
  }
  document.getElementById("idle-continue").addEventListener("click", function () {
    fetch(box.getAttribute("data-keepalive"), {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": box.getAttribute("data-csrf")}
    }).then(function (r) { if (r.ok) arm(); else window.location.reload(); });
  });
  arm();
})();
