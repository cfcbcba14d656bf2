/* Mends to the Django admin's own scripts and markup (templates/admin/base_site.html), from the
   accessibility walk (tests/browser/test_every_page.py). No inline script: the portal's CSP allows
   scripts from 'self' only. */
(function () {
  'use strict';

  // The two-list selector (SelectFilter2.js, filter_horizontal) draws its filter icons as <span>s with
  // an aria-label, which a <span> without a role may not carry (axe aria-prohibited-attr): the icon is
  // an image with that name.
  function nameIcons(root) {
    root.querySelectorAll('span.search-label-icon[aria-label]:not([role])').forEach(function (icon) {
      icon.setAttribute('role', 'img');
    });
  }

  // A tabular inline scrolls sideways on a narrow screen; a keyboard can only scroll what it can focus
  // (axe scrollable-region-focusable): each inline group is a named, focusable region.
  function regionInlines() {
    document.querySelectorAll('.inline-group').forEach(function (group) {
      const heading = group.querySelector('h2');
      group.setAttribute('role', 'region');
      group.setAttribute('tabindex', '0');
      if (heading && !group.hasAttribute('aria-label')) {
        group.setAttribute('aria-label', heading.textContent.trim());
      }
    });
  }

  function start() {
    nameIcons(document);
    regionInlines();
    // the selector is drawn on the window's load event, after this script
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) nameIcons(node.parentNode || node);
        });
      });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
