// The resume link carries its code after '#' (…/resume#ABCDE-FGHJK): browsers never send
// a fragment to the server, so no server or proxy log holds it. This puts the code in the
// form and sends it (a POST). Without JavaScript the resident types the code.
(function () {
  var input = document.getElementById("code");
  var code = window.location.hash.slice(1);
  if (!input || !code) return;
  // off the address bar and the history at once: going back does not send it again
  history.replaceState(null, "", window.location.pathname + window.location.search);
  try { code = decodeURIComponent(code); } catch (e) { return; }
  code = code.replace(/\s+/g, "");
  if (!/^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/.test(code)) return;
  input.value = code.toUpperCase();
  input.form.submit();
})();
