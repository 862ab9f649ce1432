// Interactive parts of a page: an element <div data-widget="NAME"> gets assets/js/NAME.js.
//
// Every page loads this file (mkdocs.yml, extra_javascript); a widget's own module, and what
// it needs (ONNX Runtime, a model), only on a page that has that widget. Until the module
// takes over, the element shows its plain text, which is all a reader without JavaScript
// (or a notebook) gets.
for (const element of document.querySelectorAll("[data-widget]")) {
  const name = element.dataset.widget;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) continue; // a module name, never a path
  import(`./${name}.js`)
    .then((module) => module.default(element))
    .catch((error) => console.error(`widget ${name}:`, error)); // its plain text stays
}
