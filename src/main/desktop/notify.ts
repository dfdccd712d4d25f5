// Desktop notifications, falling back to the log where the OS has no notification
// service (a bare X session, CI) so the message is never silently lost.
import { Notification } from 'electron';

export function notify(title: string, body: string): void {
  if (Notification.isSupported()) {
    new Notification({ title, body }).show();
  } else {
    console.log(`Portico: ${title}: ${body}`);
  }
}
