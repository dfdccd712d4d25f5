// The layers of src/main/core, bottom to top (DESIGN.md). A folder may import only from folders
// below it (or itself); app.ts, the wiring, sits on top. `npm test` runs this check.
const LAYERS = [
  ['util'],
  ['store'],
  ['events', 'auth', 'activity', 'clients', 'oauth'],
  ['connectors'],
  ['catalog'],
  ['gateway'],
  ['webhooks'],
  ['admin'],
  ['server'],
];

const folder = (names) => `^src/main/core/(${names.join('|')})/`;
const forbidden = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  const rules = [];
  if (above.length)
    rules.push({
      name: `layer-${layer.join('-')}`,
      comment: `${layer.join(', ')} is below ${above.join(', ')}: a lower folder never imports a higher one.`,
      severity: 'error',
      from: { path: folder(layer) },
      to: { path: [folder(above), '^src/main/core/app\\.ts$'] },
    });
  // Folders on one layer stay independent of each other.
  if (layer.length > 1)
    for (const name of layer)
      rules.push({
        name: `layer-${name}-siblings`,
        comment: `${name} and ${layer.filter((n) => n !== name).join(', ')} share a layer and do not import each other.`,
        severity: 'error',
        from: { path: folder([name]) },
        to: { path: folder(layer.filter((n) => n !== name)) },
      });
  return rules;
});

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'core-is-headless',
      comment: 'src/main/core runs without Electron.',
      severity: 'error',
      from: { path: '^src/main/core/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'no-unknown-core-folder',
      comment: 'Every folder of src/main/core has a place in the layer order (.dependency-cruiser.cjs).',
      severity: 'error',
      from: { path: '^src/main/core/', pathNot: [folder(LAYERS.flat()), '^src/main/core/app\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    ...(require('node:fs').existsSync('tsconfig.node.json')
      ? { tsConfig: { fileName: 'tsconfig.node.json' } }
      : {}),
    exclude: { path: '\\.d\\.ts$' },
  },
};
