; Localguard's per-user Windows installer (NSIS 3, Debian's makensis).
; `make installer` builds it: makensis -NOCD -DVERSION=0.1.0 -DVERSION4=0.1.0.0
; -DPUBLISHER=... -DPROGRAMS=dist/windows -DOUTFILE=... assets/windows/installer.nsi
;
; No administrator rights: everything goes to the current user's folders
; and registry (HKCU). Silent use, for company deployment:
;   Localguard-VERSION-setup.exe /S [/AUTOSTART=1|0] [/D=C:\path]
;   "%LOCALAPPDATA%\Programs\Localguard\uninstall.exe" /S [/REMOVESETTINGS]
; /AUTOSTART: start Localguard at login (default: yes on a first install; an
; upgrade keeps the choice the user made). /REMOVESETTINGS: remove the
; settings too (an interactive uninstall asks; a silent one keeps them).

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
!ifndef COMPRESSOR
!define COMPRESSOR "/SOLID lzma"
!endif
SetCompressor ${COMPRESSOR}

!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh
!include Sections.nsh

!ifndef VERSION | VERSION4 | PUBLISHER | PROGRAMS | OUTFILE | ICON
!error "give -DVERSION, -DVERSION4, -DPUBLISHER, -DPROGRAMS, -DOUTFILE and -DICON (see the Makefile's installer target)"
!endif

; The Run value is the one the app itself writes (ui/autostart_windows.go):
; the same key, name and command, so the installer's choice and the
; window's Settings are one setting.
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUNVALUE "Localguard"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Localguard"
!define APPID "io.github.localguard.localguard"
!define WEBSITE "https://github.com/localguard/localguard"

; Signed when a certificate is given (assets/windows/sign does nothing
; without SIGN_PKCS12): the uninstaller before it is packed, the installer
; once written.
!uninstfinalize 'sh assets/windows/sign "%1"'
!finalize 'sh assets/windows/sign "%1"'

Name "Localguard"
Caption "Localguard ${VERSION} Setup"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Localguard"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "Localguard ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "Localguard"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "Localguard ${VERSION} Setup"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_WELCOMEPAGE_TEXT "Localguard keeps FlowMeter reachable from this computer only: it shows in the tray whether anyone on your network can reach FlowMeter, and makes it local-only with one click.$\r$\n$\r$\nIt installs for you alone, in $LOCALAPPDATA\Programs\Localguard, and needs no administrator rights.$\r$\n$\r$\nClick Next to continue."
!define MUI_FINISHPAGE_RUN "$INSTDIR\localguard.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open Localguard now"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

; replaceProgram NAME: makes room for a new NAME in $INSTDIR. A running
; Localguard's program cannot be replaced, but can be renamed: it goes on
; running from NAME.old, removed at the next install or the uninstall.
!macro replaceProgram NAME
	Delete "$INSTDIR\${NAME}.old"
	${If} ${FileExists} "$INSTDIR\${NAME}"
		ClearErrors
		Delete "$INSTDIR\${NAME}"
		${If} ${Errors}
			Rename "$INSTDIR\${NAME}" "$INSTDIR\${NAME}.old"
		${EndIf}
	${EndIf}
!macroend

Section "Localguard" SecProgram
	SectionIn RO
	SetOutPath "$INSTDIR"
	!insertmacro replaceProgram "localguard.exe"
	!insertmacro replaceProgram "localguard.com"
	File "${PROGRAMS}\localguard.exe"
	File "${PROGRAMS}\localguard.com"
	WriteUninstaller "$INSTDIR\uninstall.exe"

	CreateShortcut "$SMPROGRAMS\Localguard.lnk" "$INSTDIR\localguard.exe" "" "$INSTDIR\localguard.exe" 0 SW_SHOWNORMAL "" "Keeps FlowMeter reachable from this computer only"

	; The "Apps" (Programs and Features) entry, for this user.
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "Localguard"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\localguard.exe,0"
	WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegStr HKCU "${UNINSTKEY}" "URLInfoAbout" "${WEBSITE}"
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	IntFmt $0 "0x%08X" $0
	WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "Start Localguard when I log in (hidden in the tray)" SecAutostart
	WriteRegStr HKCU "${RUNKEY}" "${RUNVALUE}" '"$INSTDIR\localguard.exe" --hidden'
SectionEnd

Section "-no start at login"
	${IfNot} ${SectionIsSelected} ${SecAutostart}
		DeleteRegValue HKCU "${RUNKEY}" "${RUNVALUE}"
	${EndIf}
SectionEnd

; .onInit chooses whether to start at login: /AUTOSTART=1 or 0 when given;
; else what an earlier install left (an upgrade keeps the user's choice);
; else yes.
Function .onInit
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/AUTOSTART=" $R1
	${IfNot} ${Errors}
		${If} $R1 == "0"
			!insertmacro UnselectSection ${SecAutostart}
		${EndIf}
		Return
	${EndIf}
	ReadRegStr $R2 HKCU "${UNINSTKEY}" "InstallLocation"
	${If} $R2 != ""
		ClearErrors
		ReadRegStr $R3 HKCU "${RUNKEY}" "${RUNVALUE}"
		${If} ${Errors}
			!insertmacro UnselectSection ${SecAutostart}
		${EndIf}
	${EndIf}
FunctionEnd

Var RemoveSettings

Function un.onInit
	StrCpy $RemoveSettings 0
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/REMOVESETTINGS" $R1
	${IfNot} ${Errors}
		StrCpy $RemoveSettings 1
	${EndIf}
FunctionEnd

; un.removeProgram NAME: removes NAME from $INSTDIR; while Localguard runs it
; cannot be, and the user is asked to quit it (silent: the uninstall goes on
; and exits with code 2).
!macro removeProgram NAME
	Delete "$INSTDIR\${NAME}.old"
	retry_${NAME}:
	ClearErrors
	Delete "$INSTDIR\${NAME}"
	${If} ${Errors}
		MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "Localguard is running. Quit it (the Localguard icon in the tray, then Quit), then click Retry." /SD IDCANCEL IDRETRY retry_${NAME}
		SetErrorLevel 2
	${EndIf}
!macroend

Section "Uninstall"
	!insertmacro removeProgram "localguard.exe"
	!insertmacro removeProgram "localguard.com"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR" ; only when empty: nothing Localguard did not put there goes
	Delete "$SMPROGRAMS\Localguard.lnk"
	DeleteRegValue HKCU "${RUNKEY}" "${RUNVALUE}"
	DeleteRegKey HKCU "${UNINSTKEY}"
	; Fyne's cache of the icon.
	RMDir /r "$LOCALAPPDATA\fyne\${APPID}"
	RMDir "$LOCALAPPDATA\fyne"

	${If} $RemoveSettings == 0
		MessageBox MB_YESNO|MB_ICONQUESTION "Also remove your Localguard settings (the trusted networks, the FlowMeter install it watches, the window's settings) and the logs of the FlowMeters it restarted?$\r$\n$\r$\nFlowMeter's files are never removed, nor the backups Localguard made of FlowMeter's .env: they are beside that .env, in FlowMeter's backend folder (.env.localguard-backup-1, -2 ...). To remove those, run $\"localguard undo --forget$\" before you uninstall." /SD IDNO IDNO keep
		StrCpy $RemoveSettings 1
	keep:
	${EndIf}
	${If} $RemoveSettings == 1
		RMDir /r "$APPDATA\localguard"
		RMDir /r "$APPDATA\fyne\${APPID}"
		RMDir "$APPDATA\fyne"
		RMDir /r "$LOCALAPPDATA\localguard"
	${Else}
		DetailPrint "Your settings stay in $APPDATA\localguard."
	${EndIf}
	DetailPrint "FlowMeter's files and the backups beside its .env (.env.localguard-backup-N) stay."
SectionEnd
