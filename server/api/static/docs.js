// Points Swagger UI (served from the installed package) at the live OpenAPI document.
window.SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null, // no call to swagger.io: the document is validated by our tests
  tryItOutEnabled: false,
});

// The app's service worker keeps this page and the document for reading offline (see
// pwa/src/sw/apiDocs.js); registering it here covers a reader who never opened the app.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {
    // No service worker (e.g. an old browser): the page still works online.
  });
}
