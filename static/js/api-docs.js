/* Swagger UI for /api/docs, from the locally served swagger-ui-dist files.
   A separate file because the CSP forbids inline scripts. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") return;
    var csrfToken = root.getAttribute("data-csrf-token");
    window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      domNode: root,
      deepLinking: true,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      // No calls to the public validator service: the page works offline.
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      // "Try it out" runs as the signed-in user; unsafe methods need the CSRF token.
      requestInterceptor: function (request) {
        var method = (request.method || "GET").toUpperCase();
        if (method !== "GET" && method !== "HEAD") request.headers["X-CSRFToken"] = csrfToken;
        return request;
      }
    });
  });
})();
