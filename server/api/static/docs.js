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
