@echo off
rem `portico` for an installed Portico desktop app (Windows): runs the app's own CLI
rem (resources\app\bin\portico.js) on the Node built into the app - Portico.exe run as Node.
rem Installed as <install dir>\resources\cli\portico.cmd (per user: %LOCALAPPDATA%\Programs\Portico);
rem add that folder to your PATH to type `portico` anywhere.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\Portico.exe" "%~dp0..\app\bin\portico.js" %*
exit /b %ERRORLEVEL%
