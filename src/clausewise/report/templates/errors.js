// Runs first, in <head>: counts script errors, failed loads and anything the
// Content-Security-Policy blocked, into <body data-js-errors>, so that a
// headless browser's DOM dump (tests/report/test_html.py) shows them.
var clausewiseErrors = 0;
function clausewiseMark() {
  if (document.body) document.body.setAttribute("data-js-errors", String(clausewiseErrors));
}
function clausewiseError() { clausewiseErrors += 1; clausewiseMark(); }
window.addEventListener("error", clausewiseError, true);
window.addEventListener("unhandledrejection", clausewiseError);
document.addEventListener("securitypolicyviolation", clausewiseError);
