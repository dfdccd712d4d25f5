; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; Registers portico:// for the installing user, as app.setAsDefaultProtocolClient would, so links open
; Portico from the first install on; the uninstaller removes it (not when it runs for an update).
!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\portico" "" "URL:Portico link"
  WriteRegStr SHELL_CONTEXT "Software\Classes\portico" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\portico\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\portico\shell\open\command" "" '"$appExe" "%1"'
!macroend

!macro customUnInstall
  ${ifNot} ${isUpdated}
    DeleteRegKey SHELL_CONTEXT "Software\Classes\portico"
  ${endIf}
!macroend
