// @ts-check
// Names each module of the API reference by its import specifier
// (`@inferometer/drift/catalog`) instead of the path TypeDoc derives from the
// entry file (`drift/src/catalog`). The map comes from typedoc.config.mjs.
import { Converter, ParameterType, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'inferometerModuleNames',
    help: 'Module name TypeDoc derives -> the import specifier to show.',
    type: ParameterType.Object,
    defaultValue: {},
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const names = /** @type {Record<string, string>} */ (app.options.getValue('inferometerModuleNames'));
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const name = names[module.name];
      if (name === undefined) throw new Error(`typedoc.plugin.mjs: no import specifier for module ${module.name}`);
      module.name = name;
    }
  });
}
