// One-click install links, built from get_client_config's entry — used only for an entry the user
// asked to mint a key into (the server's own `deeplink` carries a placeholder instead of a key).

function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `cursor://anysphere.cursor-deeplink/mcp/install?name=NAME&config=BASE64(entry JSON)`. */
export function cursorInstallLink(name: string, entry: Record<string, unknown>): string {
  const query = new URLSearchParams({ name, config: base64Utf8(JSON.stringify(entry)) });
  return `cursor://anysphere.cursor-deeplink/mcp/install?${query.toString()}`;
}

/** `vscode:mcp/install?URL-ENCODED({name, ...entry})`. */
export function vscodeInstallLink(name: string, entry: Record<string, unknown>): string {
  return `vscode:mcp/install?${encodeURIComponent(JSON.stringify({ name, ...entry }))}`;
}

export const INSTALL_LINKS = {
  cursor: cursorInstallLink,
  vscode: vscodeInstallLink,
} as const;

export type LinkClient = keyof typeof INSTALL_LINKS;

export const hasInstallLink = (client: string): client is LinkClient => Object.hasOwn(INSTALL_LINKS, client);
