// Swagger UI on /api/openapi.json (a file, not an inline script: the CSP allows no inline script).
// "Authorize" takes the API token (API_TOKEN) for the routes that change state.
window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
    validatorUrl: null,
  });
});
