// `node --import ./test/helpers/fake-electron-loader.mjs out/main/index.js`: the built main bundle
// in plain Node, with every `import … from 'electron'` (ours and electron-store's) resolved to
// fake-electron-module.mjs instead of the package (which would try to download a binary).
import { registerHooks } from 'node:module';

const fake = new URL('./fake-electron-module.mjs', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: fake, shortCircuit: true, format: 'module' };
    return nextResolve(specifier, context);
  },
});
