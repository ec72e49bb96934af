// SLA clocks count down in the browser: every element with data-deadline (an ISO time)
// shows the time left as h:mm:ss (negative once late), coloured by risk. The server sends
// deadlines only when tickets change, never a tick.
(function () {
  if (window.__yantraSlaClocks) return;
  window.__yantraSlaClocks = true;
  var COLOURS = { red: "var(--red-11)", orange: "var(--orange-11)", green: "var(--green-11)" };

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function show(el, now) {
    var due = Date.parse(el.getAttribute("data-deadline"));
    if (isNaN(due)) return;
    var left = (due - now) / 1000;
    var secs = Math.floor(Math.abs(left));
    var text = (left < 0 ? "-" : "") + Math.floor(secs / 3600) + ":" +
      pad(Math.floor((secs % 3600) / 60)) + ":" + pad(secs % 60);
    var risk = left < 0 ? "red" : left < 1800 ? "orange" : "green";
    if (el.textContent !== text) el.textContent = text;
    if (el.getAttribute("data-risk") !== risk) {
      el.setAttribute("data-risk", risk);
      el.style.color = COLOURS[risk];
    }
  }

  function update() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) { show(el, now); });
  }

  var pending = false;
  function soon() {  // new rows get their clock at once, not at the next second
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  }

  setInterval(update, 1000);
  new MutationObserver(soon).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["data-deadline"] });
  update();
})();
