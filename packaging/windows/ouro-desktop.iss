; Inno Setup 6 script: the Windows installer for the one-folder build in dist\ouro-desktop\.
; NEVER RUN YET (no Windows machine in CI): see packaging/README.md and
; .github/workflows/desktop-builds.yml. On Windows, after `python packaging\build.py`:
;
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\ouro-desktop.iss
;
; -> dist\ouro-desktop-0.1.0-windows-x64-setup.exe. It installs for the current user (no
; administrator needed; "Install for all users" is offered), adds a Start-menu entry (and,
; if ticked, a desktop icon), offers "Open with > Ouro Desktop" for .cif files (and opens
; them on double-click when no other program has claimed .cif), and uninstalls cleanly
; from Settings > Apps. Signing: add /DSignTool=... and see packaging/README.md.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Ouro Desktop"
#define AppExe "ouro-desktop.exe"
#define ProgId "OuroDesktop.cif"

[Setup]
; The AppId identifies the installation for upgrades and uninstall: never change it.
AppId={{2A045A66-4B34-4C86-B3B2-253E93B7E4BA}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Ouro
AppPublisherURL=https://ouro.foundation
AppSupportURL=https://ouro.foundation
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=ouro-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=resources\ouro-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
ChangesAssociations=yes
CloseApplications=yes
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "cif"; Description: "Offer Ouro Desktop for crystal structure files (.cif)"; GroupDescription: "File types:"

[Files]
Source: "dist\ouro-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An update replaces the whole program folder: no library of an older version stays.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Run Ouro routes on your structure files"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The file type: a ProgID that opens a file with the app ...
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "Crystallographic Information File"; Flags: uninsdeletekey; Tasks: cif
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: cif
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: cif
; ... listed under "Open with" for .cif files, without taking them from another program ...
Root: HKA; Subkey: "Software\Classes\.cif\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: cif
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".cif"; ValueData: ""; Flags: uninsdeletekey; Tasks: cif
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Tasks: cif
; ... and the double-click action when no program has claimed .cif yet.
Root: HKA; Subkey: "Software\Classes\.cif"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: createvalueifdoesntexist; Tasks: cif

[Run]
; First start: the welcome page offers the offline demo, then asks for an API key.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ The default for .cif goes only if it is still ours: another program may have taken
  it since, and its setting must survive this uninstall. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Value: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    if RegQueryStringValue(HKA, 'Software\Classes\.cif', '', Value) and (Value = '{#ProgId}') then
      RegDeleteValue(HKA, 'Software\Classes\.cif', '');
    RegDeleteKeyIfEmpty(HKA, 'Software\Classes\.cif\OpenWithProgids');
    RegDeleteKeyIfEmpty(HKA, 'Software\Classes\.cif');
  end;
end;
