// Inside the comments iframe: tell the embedding page how tall we are, so it
// can size the iframe to fit. Only the origin that embed.js named (and the
// server checked against EMBED_ORIGINS) receives the message.
(function () {
  "use strict";

  var root = document.getElementById("embed-root");
  var target = root && root.dataset.parentOrigin;
  if (!target || window.parent === window) {
    return;
  }
  var last = 0;

  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "comments:height", height: height }, target);
    }
  }

  if (window.ResizeObserver) {
    new ResizeObserver(report).observe(document.documentElement);
  }
  window.addEventListener("load", report);
  report();
}());
