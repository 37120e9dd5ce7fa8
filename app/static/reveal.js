// Conditional reveal: a question shown only for some answers on the same page appears as
// the resident answers and goes when it no longer applies. Without JavaScript every such
// question stays on screen with its condition in words; the server decides what counts
// either way (answers to a question that does not apply are dropped when the page is sent).
// The conditions here are the ones the server marks as revealable (formengine/conditions.py
// `revealable`): equals, in, their negations and filled, on questions with options.
(function () {
  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-show-if]"));
  if (!blocks.length) return;
  var form = blocks[0].closest("form");
  var rules = blocks.map(function (b) {
    try { return JSON.parse(b.getAttribute("data-show-if")); } catch (e) { return null; }
  });

  // what the browser would send for a question, unless it sits in a hidden block
  function values(id) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== id || el.disabled || el.closest("[hidden]")) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value !== "") out.push(el.value);
    });
    return out;
  }

  function has(list, wanted) { return list.indexOf(String(wanted)) >= 0; }

  function holds(c) {
    if (c.all) return c.all.every(holds);
    if (c.any) return c.any.some(holds);
    if (c.not) return !holds(c.not);
    var v = values(c.field);
    if ("filled" in c) return (v.length > 0) === Boolean(c.filled);
    if ("equals" in c) return has(v, c.equals);
    if ("in" in c) return c["in"].some(function (a) { return has(v, a); });
    if (!v.length) return false; // unanswered is not yet "something else"
    if ("not_equals" in c) return !has(v, c.not_equals);
    if ("not_in" in c) return !c.not_in.some(function (a) { return has(v, a); });
    return true;
  }

  function update() {
    // a block hidden now hides its own answers from the blocks after it: repeat until still
    for (var round = 0; round <= blocks.length; round++) {
      var changed = false;
      blocks.forEach(function (b, i) {
        if (!rules[i]) return;
        var hide = !holds(rules[i]);
        if (b.hidden !== hide) { b.hidden = hide; changed = true; }
      });
      if (!changed) return;
    }
  }

  form.addEventListener("change", update);
  update();
})();
