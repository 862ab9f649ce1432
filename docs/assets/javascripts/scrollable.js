// Keyboard access to what scrolls sideways (WCAG 2.1.1): a wide table or a long line of code
// in a region that scrolls can only be reached by keyboard if the region itself takes the
// focus. Only regions that really overflow get a tab stop, so short ones add none.
(function () {
  const REGIONS = ".md-typeset__scrollwrap, .highlight-ipynb, .jp-OutputArea-output pre, .highlight > pre";
  function focusable() {
    for (const region of document.querySelectorAll(REGIONS)) {
      const overflows = region.scrollWidth > region.clientWidth + 1 ||
        region.scrollHeight > region.clientHeight + 1;
      if (overflows && !region.hasAttribute("tabindex")) region.setAttribute("tabindex", "0");
    }
  }
  if (typeof document$ !== "undefined") document$.subscribe(focusable);
  else document.addEventListener("DOMContentLoaded", focusable);
})();
