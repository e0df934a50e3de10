// Comments under any article, with one line of HTML:
//   <script src="https://comments.example/embed.js" data-thread="SLUG" async></script>
// Optional: data-lang="ar" or "en" (else the page's own language); data-site="KEY"
// where one comments host serves several sites (else the site of the script's host).
// It inserts an iframe of /embed/SLUG in the page's language and direction
// and keeps the iframe as tall as its content. Messages are accepted only
// from the comment service's origin and from that iframe.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.dataset.thread) {
    return;
  }
  var service = new URL(script.src, window.location.href).origin;
  var root = document.documentElement;
  var lang = (script.dataset.lang || root.lang || "").slice(0, 2).toLowerCase();
  var src = service + "/embed/" + encodeURIComponent(script.dataset.thread) +
    "?origin=" + encodeURIComponent(window.location.origin) +
    (lang === "ar" || lang === "en" ? "&lang=" + lang : "") +
    (script.dataset.site ? "&site=" + encodeURIComponent(script.dataset.site) : "");

  var frame = document.createElement("iframe");
  frame.src = src;
  frame.title = lang === "en" ? "Comments" : "التعليقات";
  frame.loading = "lazy";
  frame.setAttribute("scrolling", "no");
  frame.style.cssText = "display:block;width:100%;min-height:480px;border:0;overflow:hidden;";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== service || event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (data && data.type === "comments:height" && typeof data.height === "number" && data.height > 0) {
      frame.style.minHeight = "0";
      frame.style.height = Math.ceil(Math.min(data.height, 100000)) + "px";
    }
  });
}());
