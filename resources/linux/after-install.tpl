#!/bin/bash
# deb post-install for Portico (electron-builder fills in ${executable} and ${sanitizedProductName}).
# electron-builder's default script links /usr/bin/${executable} to the app binary; Portico links
# /usr/bin/portico to its command-line launcher instead (the desktop entry starts the app by its full
# path), and otherwise does what the default does: chrome-sandbox mode, MIME and desktop databases,
# AppArmor profile.

chmod 0755 '/opt/${sanitizedProductName}/resources/cli/portico' || true
if [ -e /usr/bin/portico ] && [ ! -L /usr/bin/portico ]; then
    echo "Portico: /usr/bin/portico exists and is not a link; not replacing it. Run /opt/${sanitizedProductName}/resources/cli/portico instead."
else
    ln -sf '/opt/${sanitizedProductName}/resources/cli/portico' /usr/bin/portico
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile (Ubuntu 24+), as electron-builder's default script installs it.
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
