#!/bin/bash
# deb post-remove for Portico: removes the /usr/bin/portico link after-install.tpl made (only if it
# still points into this app) and the AppArmor profile, as electron-builder's default script does.

if [ -L /usr/bin/portico ] && [ "$(readlink /usr/bin/portico)" = '/opt/${sanitizedProductName}/resources/cli/portico' ]; then
    rm -f /usr/bin/portico
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi
