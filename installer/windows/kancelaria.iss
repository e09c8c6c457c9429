; Inno Setup 6 script: per-user installation of the Kancelaria one-folder bundle.
;
;   python installer\build.py                       (builds build\bundle\dist\kancelaria)
;   iscc /DAppVersion=0.1.0 installer\windows\kancelaria.iss
;
; No administrator rights: the program goes to %LOCALAPPDATA%\Programs\Kancelaria, the
; Start menu entry and the .kbackup association to the current user's profile (HKCU).
; Uninstalling removes the program; the office data in %APPDATA%\Kancelaria (database,
; attachments, backups, settings) stay unless the user explicitly asks to delete them.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Kancelaria"
#define AppExe "kancelaria.exe"
#define CliExe "clerk-app.exe"
#define BundleDir "..\..\build\bundle\dist\kancelaria"
#define BackupProgId "Kancelaria.Backup"

[Setup]
AppId={{6D3B0F5E-8C1A-4E59-9B7E-2F4C1A7D9E21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install: never asks for administrator rights.
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir=..\..\build\installer
OutputBaseFilename=Kancelaria-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
CloseApplications=yes

[Languages]
Name: "polish"; MessagesFile: "compiler:Languages\Polish.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
polish.AssocBackup=Otwieraj kopie zapasowe Kancelarii (*.kbackup)
english.AssocBackup=Open Kancelaria backups (*.kbackup)
polish.BackupFile=Kopia zapasowa Kancelarii
english.BackupFile=Kancelaria backup
polish.VerifyBackup=Sprawdź kopię zapasową
english.VerifyBackup=Verify backup
polish.DeleteData=Usunąć także dane urzędu z tego komputera?%n%n%1%n%nSą tam baza danych, załączniki, kopie zapasowe i ustawienia. Bez kopii zapasowej tych danych nie da się odzyskać.%n%nWybierz „Nie”, aby je zachować (zalecane).
english.DeleteData=Also delete the office data on this computer?%n%n%1%n%nIt holds the database, attachments, backups and settings. Without a backup they cannot be recovered.%n%nChoose "No" to keep them (recommended).

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "assocbackup"; Description: "{cm:AssocBackup}"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; HKA is HKCU for a per-user installation.
Root: HKA; Subkey: "Software\Classes\.kbackup"; ValueType: string; ValueName: ""; ValueData: "{#BackupProgId}"; Flags: uninsdeletevalue; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\.kbackup\OpenWithProgids"; ValueType: string; ValueName: "{#BackupProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}"; ValueType: string; ValueName: ""; ValueData: "{cm:BackupFile}"; Flags: uninsdeletekey; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}\shell\verify"; ValueType: string; ValueName: ""; ValueData: "{cm:VerifyBackup}"; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\{#BackupProgId}\shell\verify\command"; ValueType: string; ValueName: ""; ValueData: "cmd.exe /k """"{app}\{#CliExe}"" backup --verify ""%1"""""; Tasks: assocbackup
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".kbackup"; ValueData: ""; Flags: uninsdeletekey; Tasks: assocbackup

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function UserDataDir(): String;
begin
  { platformdirs.user_data_dir("Kancelaria", appauthor=False, roaming=True) }
  Result := ExpandConstant('{userappdata}\{#AppName}');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  { Keep the office's data unless the user explicitly says otherwise; "No" is the default
    and a silent uninstall never deletes them. }
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent) and DirExists(UserDataDir()) then
  begin
    if MsgBox(FmtMessage(CustomMessage('DeleteData'), [UserDataDir()]), mbConfirmation,
              MB_YESNO or MB_DEFBUTTON2) = IDYES then
      DelTree(UserDataDir(), True, True, True);
  end;
end;
