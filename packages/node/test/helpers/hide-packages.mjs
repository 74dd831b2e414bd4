// Loaded with `node --import` before the built package: the packages named in
// HIDE_PACKAGES (comma list) fail to resolve exactly as packages that are not
// installed do (ERR_MODULE_NOT_FOUND from the ESM resolver), through Node's
// own module customization hooks
// (https://nodejs.org/api/module.html#moduleregisterhooksoptions). Everything
// else resolves as usual, so the rest of the dependency tree stays real.
import { registerHooks } from 'node:module';

const hidden = (process.env.HIDE_PACKAGES ?? '').split(',').filter((name) => name !== '');

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (hidden.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
      const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }
    return nextResolve(specifier, context);
  },
});
