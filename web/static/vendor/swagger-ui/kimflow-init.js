// Render the API document named by the page (kept out of the HTML: the CSP allows no inline scripts).
window.addEventListener("load", function () {
  var target = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: target.dataset.spec, dom_id: "#swagger-ui", deepLinking: true });
});
