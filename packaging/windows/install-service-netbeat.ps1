<#
.SYNOPSIS
    Installs the netbeat Windows service.
.DESCRIPTION
    Run from the unpacked netbeat zip in an elevated PowerShell:
      PowerShell.exe -ExecutionPolicy UnRestricted -File .\install-service-netbeat.ps1
    The service runs netbeat.exe from this folder with netbeat.yml from this
    folder, data in $env:ProgramData\netbeat and logs in
    $env:ProgramData\netbeat\logs; it starts automatically (delayed) at boot.
    An existing netbeat service is stopped and replaced. Capturing needs Npcap
    (https://npcap.com); netbeat logs a clear error when wpcap.dll is missing.
#>

# Delete and stop the service if it already exists.
if (Get-Service netbeat -ErrorAction SilentlyContinue) {
  Stop-Service netbeat
  (Get-Service netbeat).WaitForStatus('Stopped')
  Start-Sleep -s 1
  sc.exe delete netbeat
}

$WorkDir = Split-Path $MyInvocation.MyCommand.Path
$DataPath = "$env:ProgramData\netbeat"
$LogsPath = "$DataPath\logs"

if (-not (Test-Path "$env:SystemRoot\System32\Npcap\wpcap.dll")) {
  Write-Host -f yellow "Npcap is not installed: netbeat needs it for live capture. Install it from https://npcap.com (WinPcap API-compatible mode)."
}

$FullCmd = "`"$WorkDir\netbeat.exe`" " +
           "--environment=windows_service " +
           "-c `"$WorkDir\netbeat.yml`" " +
           "--path.home `"$WorkDir`" " +
           "--path.data `"$DataPath`" " +
           "--path.logs `"$LogsPath`" " +
           "-E logging.files.redirect_stderr=true"

# Create the new service.
New-Service -name netbeat `
  -displayName netbeat `
  -description "netbeat packet capture shipper" `
  -binaryPathName $FullCmd

# Attempt to set the service to delayed start using sc config.
Try {
  Start-Process -FilePath sc.exe -ArgumentList 'config netbeat start= delayed-auto'
}
Catch { Write-Host -f red "An error occurred setting the service to delayed start." }

Write-Host "netbeat service installed. Start it with: Start-Service netbeat"
Write-Host "Logs: $LogsPath"
