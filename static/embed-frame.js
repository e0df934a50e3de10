// Inside the comments iframe: tell the embedding page how tall we are, so it
// can size the iframe to fit. Only the origin that embed.js named (and the
// server checked against EMBED_ORIGINS) receives the message. And give the
// focus to the first error, which the browser's autofocus will not do here.
(function () {
  "use strict";

  var root = document.getElementById("embed-root");
  var target = root && root.dataset.parentOrigin;
  if (!target || window.parent === window) {
    return;
  }
  var last = 0;

  // A browser does not autofocus inside a cross-origin frame. After a failed submit (the reader just sent this
  // form, from this frame) the first error should have the focus all the same.
  var firstError = document.querySelector("[autofocus]");
  if (firstError) {
    firstError.focus();
  }

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
