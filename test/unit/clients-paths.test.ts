import { describe, expect, it } from 'vitest';
import {
  CLAUDE_MSIX_PACKAGE,
  CLIENTS,
  type ClientContext,
  type ClientId,
  claudeDesktop,
  describeClient,
  getClient,
  isDetected,
} from '../../src/main/core/clients';

const MAC_HOME = '/Users/ada';
const LINUX_HOME = '/home/ada';
const WIN_HOME = 'C:\\Users\\ada';

function ctx(
  platform: NodeJS.Platform,
  env: Record<string, string> = {},
  existing: string[] = [],
): ClientContext {
  const homedir = platform === 'win32' ? WIN_HOME : platform === 'darwin' ? MAC_HOME : LINUX_HOME;
  const winEnv =
    platform === 'win32'
      ? { APPDATA: `${WIN_HOME}\\AppData\\Roaming`, LOCALAPPDATA: `${WIN_HOME}\\AppData\\Local` }
      : {};
  return { platform, env: { ...winEnv, ...env }, homedir, exists: (p) => existing.includes(p) };
}

const table: Record<ClientId, Record<'darwin' | 'win32' | 'linux', string>> = {
  'claude-desktop': {
    darwin: '/Users/ada/Library/Application Support/Claude/claude_desktop_config.json',
    win32: 'C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    linux: '/home/ada/.config/Claude/claude_desktop_config.json',
  },
  'claude-code': {
    darwin: '/Users/ada/.claude.json',
    win32: 'C:\\Users\\ada\\.claude.json',
    linux: '/home/ada/.claude.json',
  },
  cursor: {
    darwin: '/Users/ada/.cursor/mcp.json',
    win32: 'C:\\Users\\ada\\.cursor\\mcp.json',
    linux: '/home/ada/.cursor/mcp.json',
  },
  vscode: {
    darwin: '/Users/ada/Library/Application Support/Code/User/mcp.json',
    win32: 'C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json',
    linux: '/home/ada/.config/Code/User/mcp.json',
  },
  windsurf: {
    darwin: '/Users/ada/.codeium/windsurf/mcp_config.json',
    win32: 'C:\\Users\\ada\\.codeium\\windsurf\\mcp_config.json',
    linux: '/home/ada/.codeium/windsurf/mcp_config.json',
  },
  'gemini-cli': {
    darwin: '/Users/ada/.gemini/settings.json',
    win32: 'C:\\Users\\ada\\.gemini\\settings.json',
    linux: '/home/ada/.gemini/settings.json',
  },
  cline: {
    darwin:
      '/Users/ada/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
    win32:
      'C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json',
    linux:
      '/home/ada/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
  },
  codex: {
    darwin: '/Users/ada/.codex/config.toml',
    win32: 'C:\\Users\\ada\\.codex\\config.toml',
    linux: '/home/ada/.codex/config.toml',
  },
};

const overrideVars: Record<ClientId, string> = {
  'claude-desktop': 'PORTICO_CLAUDE_DESKTOP_CONFIG',
  'claude-code': 'PORTICO_CLAUDE_CODE_CONFIG',
  cursor: 'PORTICO_CURSOR_CONFIG',
  vscode: 'PORTICO_VSCODE_CONFIG',
  windsurf: 'PORTICO_WINDSURF_CONFIG',
  'gemini-cli': 'PORTICO_GEMINI_CLI_CONFIG',
  cline: 'PORTICO_CLINE_CONFIG',
  codex: 'PORTICO_CODEX_CONFIG',
};

describe('client config paths', () => {
  it('covers the five required clients and the extras, each with an id and a name', () => {
    expect(CLIENTS.map((c) => c.id)).toEqual([
      'claude-desktop',
      'claude-code',
      'cursor',
      'vscode',
      'windsurf',
      'gemini-cli',
      'cline',
      'codex',
    ]);
    for (const c of CLIENTS) expect(c.displayName).toBeTruthy();
    expect(getClient('cursor')?.displayName).toBe('Cursor');
    expect(getClient('nope')).toBeUndefined();
  });

  for (const client of CLIENTS) {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      it(`${client.id} on ${platform}`, () => {
        expect(client.configPath(ctx(platform))).toBe(table[client.id][platform]);
      });
    }
    it(`${client.id}: ${overrideVars[client.id]} wins over everything`, () => {
      expect(client.envVar).toBe(overrideVars[client.id]);
      const msix = `${WIN_HOME}\\AppData\\Local\\Packages\\${CLAUDE_MSIX_PACKAGE}`;
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        const c = ctx(platform, { [client.envVar]: '/tmp/x/config.json', XDG_CONFIG_HOME: '/xdg' }, [msix]);
        expect(client.configPath(c)).toBe('/tmp/x/config.json');
      }
    });
  }

  it('Windows falls back to the profile folders when APPDATA/LOCALAPPDATA are unset', () => {
    const c: ClientContext = { platform: 'win32', env: {}, homedir: WIN_HOME, exists: () => false };
    expect(claudeDesktop.configPath(c)).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
  });

  it('Linux honours XDG_CONFIG_HOME for Electron apps (Claude Desktop, VS Code)', () => {
    const c = ctx('linux', { XDG_CONFIG_HOME: '/home/ada/.xdg' });
    expect(claudeDesktop.configPath(c)).toBe('/home/ada/.xdg/Claude/claude_desktop_config.json');
    expect(getClient('vscode')?.configPath(c)).toBe('/home/ada/.xdg/Code/User/mcp.json');
    expect(getClient('cursor')?.configPath(c)).toBe('/home/ada/.cursor/mcp.json');
  });

  it('Claude Code follows CLAUDE_CONFIG_DIR', () => {
    expect(getClient('claude-code')?.configPath(ctx('linux', { CLAUDE_CONFIG_DIR: '/opt/claude' }))).toBe(
      '/opt/claude/.claude.json',
    );
  });
});

describe('Claude Desktop on Windows: the MSIX (Store) install', () => {
  const packageDir = 'C:\\Users\\ada\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc';
  const msixPath = `${packageDir}\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json`;

  it('writes into the package’s virtualised AppData when the package folder exists', () => {
    expect(claudeDesktop.configPath(ctx('win32', {}, [packageDir]))).toBe(msixPath);
  });

  it('uses %APPDATA% when it does not', () => {
    expect(claudeDesktop.configPath(ctx('win32'))).toBe(table['claude-desktop'].win32);
  });

  it('uses a custom LOCALAPPDATA', () => {
    const c = ctx('win32', { LOCALAPPDATA: 'D:\\Local' }, ['D:\\Local\\Packages\\Claude_pzs8sxrjxfjjc']);
    expect(claudeDesktop.configPath(c)).toBe(
      'D:\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
    );
  });

  it('never looks for it on macOS or Linux', () => {
    expect(claudeDesktop.configPath(ctx('darwin', {}, [packageDir]))).toBe(table['claude-desktop'].darwin);
  });

  it('counts as detected through the package folder alone', () => {
    expect(isDetected(claudeDesktop, ctx('win32', {}, [packageDir]))).toBe(true);
  });
});

describe('detection and restart hints', () => {
  it('a client is detected when its config folder exists', () => {
    const expectations: Record<ClientId, string> = {
      'claude-desktop': '/Users/ada/Library/Application Support/Claude',
      'claude-code': '/Users/ada/.claude',
      cursor: '/Users/ada/.cursor',
      vscode: '/Users/ada/Library/Application Support/Code/User',
      windsurf: '/Users/ada/.codeium/windsurf',
      'gemini-cli': '/Users/ada/.gemini',
      cline: '/Users/ada/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev',
      codex: '/Users/ada/.codex',
    };
    for (const client of CLIENTS) {
      expect(isDetected(client, ctx('darwin')), client.id).toBe(false);
      expect(isDetected(client, ctx('darwin', {}, [expectations[client.id]])), client.id).toBe(true);
    }
    // Claude Code also counts as present when only ~/.claude.json exists.
    expect(isDetected(CLIENTS[1]!, ctx('darwin', {}, ['/Users/ada/.claude.json']))).toBe(true);
  });

  it('with an override, detection looks at the override’s folder', () => {
    const c = ctx('linux', { PORTICO_CURSOR_CONFIG: '/tmp/t/cursor/mcp.json' }, ['/tmp/t/cursor']);
    expect(isDetected(getClient('cursor')!, c)).toBe(true);
  });

  it('says which clients need a restart, in one line', () => {
    const info = Object.fromEntries(CLIENTS.map((c) => [c.id, describeClient(c, ctx('linux'))]));
    expect(info['claude-desktop']?.restartNeeded).toBe(true);
    expect(info['claude-desktop']?.restartHint).toMatch(/quit.*completely/i);
    for (const id of ['cursor', 'vscode', 'windsurf'] as const) {
      expect(info[id]?.restartNeeded, id).toBe(false);
      expect(info[id]?.restartHint, id).toMatch(/reload/i);
    }
    for (const c of Object.values(info)) {
      expect(c.restartHint).not.toContain('\n');
      expect(c.configPath).toBe(table[c.id].linux);
      expect(c.detected).toBe(false);
    }
    expect(info['claude-desktop']?.transport).toBe('stdio');
    expect(info.cursor?.transport).toBe('http');
  });
});
