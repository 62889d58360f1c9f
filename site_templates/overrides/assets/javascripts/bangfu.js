/* bangfu: small accessibility touches the theme leaves out. No data, no network. */
(function () {
  "use strict";

  function label() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) {
      search.setAttribute("aria-label", "搜索");
    }
    /* a chart keeps a readable size on a phone and scrolls sideways like a wide table */
    var charts = document.querySelectorAll("img.bf-chart");
    for (var c = 0; c < charts.length; c++) {
      charts[c].parentNode.classList.add("bf-scroll", "bf-chart-box");
    }
    /* a table wider than a phone scrolls sideways; keyboard users must be able to reach it */
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap, .bf-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var hint = box.previousElementSibling;
      hint = hint && hint.classList.contains("bf-scroll-hint") ? hint : null;
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "表格 " + (i + 1) + "（可左右滚动）");
        box.classList.add("bf-scrolls");
        /* a visible hint: on a phone a wide table does not look like it scrolls */
        if (!hint) {
          hint = document.createElement("p");
          hint.className = "bf-scroll-hint";
          hint.setAttribute("aria-hidden", "true");
          hint.textContent = (box.classList.contains("bf-chart-box") ? "图表" : "表格") +
            "较宽，左右滑动查看更多 →";
          box.parentNode.insertBefore(hint, box);
        }
      } else {
        if (box.getAttribute("role") === "region") {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
        box.classList.remove("bf-scrolls");
        if (hint) { hint.remove(); }
      }
    }
  }

  var timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(label, 150);
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(label);
  } else {
    document.addEventListener("DOMContentLoaded", label);
  }
  window.addEventListener("resize", later);
})();
