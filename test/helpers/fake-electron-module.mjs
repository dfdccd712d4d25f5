// `electron` for a plain Node process (see fake-electron-loader.mjs): the fake of
// fake-electron.ts (loaded through Node's type stripping), with app.quit()/exit() ending the
// process as Electron's do. FAKE_ELECTRON_ENCRYPTION=0 makes safeStorage unavailable.
import { createFakeElectron } from './fake-electron.ts';

const fake = createFakeElectron({
  argv: process.argv,
  exitProcess: true,
  encryption: process.env.FAKE_ELECTRON_ENCRYPTION !== '0',
  notificationsSupported: false,
});
const electron = fake.api();
globalThis.__fakeElectron = fake;

export const {
  app,
  Tray,
  Menu,
  BrowserWindow,
  ipcMain,
  shell,
  Notification,
  clipboard,
  safeStorage,
  screen,
  dialog,
} = electron;
export default electron;
