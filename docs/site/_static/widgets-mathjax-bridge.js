// The widget manager (html-manager 1.0) typesets labels with MathJax 2's `MathJax.Hub.Queue`;
// the site serves MathJax 3, which has `typesetPromise` instead. Give it the old name.
(function () {
  function bridge(mathjax) {
    mathjax.Hub = mathjax.Hub || {
      Queue: function (command) {
        var element = command && command[2];
        if (window.MathJax.typesetPromise) window.MathJax.typesetPromise(element ? [element] : undefined);
      },
    };
  }
  window.MathJax = window.MathJax || {};
  bridge(window.MathJax);
  var startup = (window.MathJax.startup = window.MathJax.startup || {});
  startup.ready = function () {
    window.MathJax.startup.defaultReady();
    bridge(window.MathJax);
  };
})();
