// Starts Swagger UI on /api/docs with Tessera's OpenAPI document. A file, not an inline
// script, so the page's Content-Security-Policy can say script-src 'self'.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    validatorUrl: null, // no calls to validator.swagger.io
    tryItOutEnabled: false,
  });
});
